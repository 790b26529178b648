"""Bench-only settings: the project's settings, plus the URLs of bench/urls.py (a minimal view).

Used by bench/national.py only; the application's own URLs are not changed.
"""

from charte.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
# A shared Redis cache (as in production) without touching other users' keys.
CACHES["default"]["KEY_PREFIX"] = "bench-national"  # noqa: F405
# Every simulated family posts from 127.0.0.1: the per-address limit of the public form would refuse them.
LIMITE_QUESTIONNAIRES_PAR_MINUTE = 10**9
