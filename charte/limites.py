"""Rate limits on public endpoints, counted in the shared cache (Redis in production)."""

import logging

from django.conf import settings
from django.core.cache import cache

journal = logging.getLogger(__name__)


def adresse_du_client(request):
    """The visitor's address: behind our reverse proxy, the one it appended last to X-Forwarded-For."""
    transmise = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if settings.BEHIND_PROXY and transmise:
        return transmise.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


def depasse(request, quoi, limite, periode=60):
    """Count this request against `limite` per `periode` seconds for its address; True once over it.

    An unreachable cache never blocks anybody: the limit protects the service, it must not stop it.
    """
    if not limite:
        return False
    cle = f"limite:{quoi}:{adresse_du_client(request)}"
    try:
        cache.add(cle, 0, timeout=periode)
        return cache.incr(cle) > limite
    except Exception as erreur:  # the cache backend's own connection errors differ (Redis, memcached…)
        journal.warning("Limite « %s » non comptée (cache injoignable) : %s", quoi, erreur)
        return False
