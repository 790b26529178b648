from celery import shared_task

from evaluation.rappels import envoyer_rappels


@shared_task(autoretry_for=(OSError,), retry_backoff=60, max_retries=3)
def rappeler_mesures_attendues():
    """Daily (celery beat): e-mail the responsible organisations the measurements they owe."""
    return envoyer_rappels()
