from celery import shared_task

from diagnostic.retention import appliquer


@shared_task
def appliquer_retention():
    """Daily (celery beat): anonymise the raw answers of the charters over for long enough (a rerun is harmless)."""
    return len(appliquer())
