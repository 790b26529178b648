"""Error pages rendered without the database: it may be the very thing that failed."""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader
from django.views.defaults import server_error

# Seconds after which a browser or a monitoring probe may try again: a PostgreSQL restart takes a few.
REESSAYER_APRES = 10


def erreur_serveur(request):
    """500, or 503 « Service momentanément indisponible » while the database cannot be reached."""
    # Called by Django while it handles the view's exception: sys.exception() is that exception.
    if isinstance(sys.exception(), OperationalError | InterfaceError):
        page = loader.get_template("503.html").render()  # no request: no context processor touches the database
        return HttpResponse(page, status=503, headers={"Retry-After": str(REESSAYER_APRES)})
    return server_error(request)
