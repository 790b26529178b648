"""Queuing a background task without letting an unreachable broker break the page that asked for it."""

import logging

from kombu.exceptions import OperationalError

journal = logging.getLogger(__name__)


def en_file(tache, *arguments):
    """Queue `tache`; if Redis cannot be reached, log it and carry on (True when queued).

    For jobs whose loss must be caught up (reports), the caller keeps the state in a row and
    queues again later; e-mail notices are simply logged.
    """
    try:
        tache.apply_async(arguments, retry=False)
    except OperationalError as erreur:
        journal.warning("Tâche %s%s non mise en file (file de tâches injoignable) : %s", tache.name, arguments, erreur)
        return False
    return True
