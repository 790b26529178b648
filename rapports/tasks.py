import logging

from celery import shared_task
from celery.signals import worker_ready
from django.db import connection

from rapports.models import Rapport
from rapports.services import MAX_TENTATIVES, produire, relancer_rapports_bloques

journal = logging.getLogger(__name__)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=MAX_TENTATIVES)
def generer_rapport(self, rapport_pk):
    """Produce one report; running it twice, or after it is done, changes nothing."""
    try:
        produire(rapport_pk)
    except Exception as erreur:
        # PostgreSQL restarted mid-report: drop the dead connection, or reading the row below fails too and
        # only beat's next sweep would save the report. (Never inside a transaction: run in-process, the
        # task may be inside the caller's.)
        if not connection.in_atomic_block:
            connection.close_if_unusable_or_obsolete()
        attend_encore = Rapport.objects.filter(pk=rapport_pk, statut=Rapport.Statut.EN_ATTENTE).exists()
        if not attend_encore:  # failed for good: the row says why, the page shows it
            journal.exception("Échec de la génération du rapport %s", rapport_pk)
            return
        if self.request.is_eager:  # no broker to come back later: try again now (attempts are bounded)
            return generer_rapport(rapport_pk)
        raise self.retry(exc=erreur, countdown=5 * (self.request.retries + 1)) from erreur


@shared_task
def relancer_rapports():
    """Periodic (celery beat): queue again the report jobs that were lost or whose worker died."""
    return relancer_rapports_bloques()


@worker_ready.connect
def relancer_au_demarrage(**_kwargs):
    """A worker that comes back picks up what a dead worker left, without waiting for Redis' redelivery."""
    relancer_rapports_bloques()
