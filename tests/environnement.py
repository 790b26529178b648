"""Loaded by pytest before Django (`-p tests.environnement`): the test run's environment.

Tests run like production (DEBUG off) but over plain HTTP, on the database and broker given
by DATABASE_URL and CELERY_BROKER_URL (`make test` points them at PostgreSQL and Redis).
"""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "cle-des-tests-seulement")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("HTTPS", "false")
os.environ.setdefault("ALLOWED_HOSTS", "localhost,127.0.0.1,testserver")
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
# Reports written by the tests (and by the Celery workers they start) go to a throw-away folder.
os.environ.setdefault("MEDIA_ROOT", tempfile.mkdtemp(prefix="chartes-tests-media-"))
# Playwright's sync API runs an event loop; Django must still allow ORM calls from the test thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
