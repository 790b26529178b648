"""The life of a report job, kept in its PostgreSQL row so that nothing is lost or produced twice.

- `demander_rapport` creates the row and queues the job once the transaction is committed; if the
  queue (Redis) cannot be reached, the row stays "en attente" and the user is told it is delayed.
- `produire` is what the Celery task runs: it claims the row with one conditional UPDATE (only one
  run can win; a finished report is never redone), renders the PDF while a heartbeat thread keeps
  the claim fresh, then stores the file.
- `relancer_rapports_bloques` (periodic, and when a worker starts) queues again the jobs whose
  message was lost, and those whose worker died: their heartbeat has gone stale. A broker keeps no
  count of attempts, the row does: after MAX_TENTATIVES the report is marked "échec".
"""

import threading
import time
from contextlib import contextmanager
from datetime import timedelta

from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from charte.taches import en_file
from rapports.models import Rapport

Statut = Rapport.Statut

MAX_TENTATIVES = 3
PERIODE_BATTEMENT = 5  # seconds between two heartbeats while a report renders
PERIME = timedelta(seconds=20)  # no heartbeat for this long: the worker is gone
OUBLIE = timedelta(seconds=30)  # still waiting this long after the request: the message was lost


class ErreurPassagere(Exception):
    """A failure worth another attempt (database restarted, storage briefly unavailable)."""


@transaction.atomic
def demander_rapport(charte, type, par, seance=None, fiche=None):
    """A new report row, queued for a worker once committed (a report is never regenerated in place)."""
    rapport = Rapport.objects.create(charte=charte, type=type, demande_par=par, seance=seance, fiche=fiche)
    transaction.on_commit(lambda: mettre_en_file(rapport.pk))
    return rapport


def mettre_en_file(rapport_pk):
    """Queue the job; without a reachable broker, leave it waiting (relancer_rapports_bloques will retry)."""
    from rapports.tasks import generer_rapport

    if not en_file(generer_rapport, rapport_pk):
        return False
    # Without a broker the task has already run in-process: only mark reports still waiting.
    Rapport.objects.filter(pk=rapport_pk, mis_en_file_le__isnull=True).update(mis_en_file_le=timezone.now())
    return True


def prendre(rapport_pk):
    """Claim the job for this run; None if it is done, failed, or held by a live worker."""
    maintenant = timezone.now()
    libre = Q(statut=Statut.EN_ATTENTE) | Q(statut=Statut.EN_COURS, battement__lt=maintenant - PERIME)
    pris = (
        Rapport.objects.filter(libre, pk=rapport_pk, tentatives__lt=MAX_TENTATIVES)
        .update(statut=Statut.EN_COURS, tentatives=F("tentatives") + 1, battement=maintenant, commence_le=maintenant)
    )  # fmt: skip
    if not pris:
        return None
    return Rapport.objects.select_related("charte__territoire", "seance", "fiche").get(pk=rapport_pk)


@contextmanager
def battement(rapport):
    """Keep the claim fresh while the report renders (a thread, with its own database connection)."""
    fin = threading.Event()

    def battre():
        try:
            while not fin.wait(PERIODE_BATTEMENT):
                Rapport.objects.filter(pk=rapport.pk, statut=Statut.EN_COURS, tentatives=rapport.tentatives).update(
                    battement=timezone.now()
                )
        finally:
            connection.close()

    fil = threading.Thread(target=battre, name=f"battement-rapport-{rapport.pk}", daemon=True)
    fil.start()
    try:
        yield
    finally:
        fin.set()
        fil.join()


def produire(rapport_pk):
    """Render the report if this run wins the claim; a duplicate or late run does nothing."""
    from rapports.pdfs import pdf_du_rapport

    rapport = prendre(rapport_pk)
    if rapport is None:
        return None
    debut = time.monotonic()
    try:
        with battement(rapport):
            contenu, nb_pages = pdf_du_rapport(rapport)
    except Exception as erreur:
        abandonner_ou_reporter(rapport, erreur)
        raise
    duree_ms = round(1000 * (time.monotonic() - debut))
    nom = rapport.fichier.field.generate_filename(rapport, f"rapport-{rapport.pk}-{rapport.type}.pdf")
    nom = rapport.fichier.storage.save(nom, ContentFile(contenu))
    # Only the run holding the claim records its file (a stale run that wakes up late changes nothing).
    garde = Rapport.objects.filter(pk=rapport.pk, statut=Statut.EN_COURS, tentatives=rapport.tentatives)
    if not garde.update(
        statut=Statut.PRET, fichier=nom, nb_pages=nb_pages, duree_ms=duree_ms, termine_le=timezone.now(), erreur=""
    ):
        rapport.fichier.storage.delete(nom)
    return nom


def abandonner_ou_reporter(rapport, erreur):
    """After a failed attempt: wait for the next one, or give up (a bug will not fix itself)."""
    passagere = isinstance(erreur, ErreurPassagere | OSError) or erreur.__class__.__name__ == "OperationalError"
    derniere = rapport.tentatives >= MAX_TENTATIVES
    statut = Statut.EN_ATTENTE if passagere and not derniere else Statut.ECHEC
    Rapport.objects.filter(pk=rapport.pk, tentatives=rapport.tentatives).update(
        statut=statut,
        erreur=f"{erreur.__class__.__name__} : {erreur}"[:2000],
        termine_le=None if statut == Statut.EN_ATTENTE else timezone.now(),
    )
    return statut


def relancer_rapports_bloques(maintenant=None):
    """Queue again the jobs lost on the way or left by a dead worker; fail those out of attempts."""
    maintenant = maintenant or timezone.now()
    perimes = Q(statut=Statut.EN_COURS, battement__lt=maintenant - PERIME)
    epuises = Rapport.objects.filter(perimes, tentatives__gte=MAX_TENTATIVES).update(
        statut=Statut.ECHEC,
        termine_le=maintenant,
        erreur="Abandonné après plusieurs tentatives interrompues (le worker s'est arrêté pendant la génération).",
    )
    oublies = Q(statut=Statut.EN_ATTENTE, demande_le__lt=maintenant - OUBLIE) | Q(
        statut=Statut.EN_ATTENTE, mis_en_file_le__isnull=True
    )
    a_relancer = list(Rapport.objects.filter(oublies | perimes).values_list("pk", flat=True))
    for pk in a_relancer:
        mettre_en_file(pk)
    return {"relances": len(a_relancer), "abandonnes": epuises}
