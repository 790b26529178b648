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
        return compter(cle, periode) > limite
    except Exception as erreur:  # the cache backend's own connection errors differ (Redis, memcached…)
        journal.warning("Limite « %s » non comptée (cache injoignable) : %s", quoi, erreur)
        return False


def compter(cle, periode):
    """One more at `cle`; the count starts at the address's first request of the period.

    One cache operation in the usual case (the public form is the busiest page: issue #8), two for the first.
    """
    try:
        return cache.incr(cle)
    except ValueError:  # no count yet for this address and period
        if cache.add(cle, 1, timeout=periode):
            return 1
        return cache.incr(cle)  # another request started it meanwhile
