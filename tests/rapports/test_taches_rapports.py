"""The life of a report job (rapports/services.py), with tasks run in-process.

What a real worker, a killed worker and a stopped Redis do to it is in tests/test_celery_rapports.py.
"""

import threading
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from bench.processus import port_libre
from charte.celery import app as celery_app
from charte.models import Membre
from rapports import pdfs, services
from rapports.models import Rapport
from rapports.services import (
    MAX_TENTATIVES,
    OUBLIE,
    PERIME,
    ErreurPassagere,
    battement,
    demander_rapport,
    prendre,
    produire,
    relancer_rapports_bloques,
)
from rapports.tasks import generer_rapport

Statut = Rapport.Statut


def fichiers_du_rapport(rapport):
    """The PDF files stored for this report (a report produced twice would leave two)."""
    return sorted(Path(settings.MEDIA_ROOT, "rapports", str(rapport.charte_id)).glob(f"rapport-{rapport.pk}-*.pdf"))


def texte_du_pdf(chemin):
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(chemin).pages)


@contextmanager
def file_de_taches(url):
    """This process queues its tasks on the broker at `url` (a stopped Redis, or a throw-away one)."""
    # broker_write_url: where this process publishes (conf.broker_url would lose to the environment's).
    anciens = celery_app.conf.get("broker_write_url"), celery_app.conf.task_always_eager
    celery_app.conf.broker_write_url, celery_app.conf.task_always_eager = url, False
    # Celery keeps its connection pools once created: drop them so that the new URL is used.
    celery_app._pool = celery_app.amqp._producer_pool = None
    try:
        yield
    finally:
        celery_app.conf.broker_write_url, celery_app.conf.task_always_eager = anciens
        celery_app._pool = celery_app.amqp._producer_pool = None


@pytest.fixture
def coordinateur(charte):
    return charte.membres.get(role=Membre.Role.COORDINATEUR).utilisateur


@pytest.fixture
def en_attente(charte, coordinateur):
    """A report row as demander_rapport leaves it, before its task has run."""
    return Rapport.objects.create(
        charte=charte, type=Rapport.Type.COPIL, demande_par=coordinateur, mis_en_file_le=timezone.now()
    )


def interrompre(rapport, il_y_a=PERIME + timedelta(seconds=1)):
    """The worker holding the report died: its heartbeat stopped `il_y_a` ago."""
    Rapport.objects.filter(pk=rapport.pk).update(battement=timezone.now() - il_y_a)


@pytest.fixture
def pannes(monkeypatch):
    """pannes(*erreurs): the next renders raise these errors in turn, then render for real."""
    vrai_rendu = pdfs.pdf_du_rapport
    a_lever = []

    def rendu(rapport):
        if a_lever:
            raise a_lever.pop(0)
        return vrai_rendu(rapport)

    monkeypatch.setattr(pdfs, "pdf_du_rapport", rendu)
    return lambda *erreurs: a_lever.extend(erreurs)


def test_demande_puis_production_en_processus(charte, coordinateur, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        rapport = demander_rapport(charte, Rapport.Type.COPIL, par=coordinateur)
    rapport.refresh_from_db()
    assert rapport.statut == Statut.PRET
    assert (rapport.tentatives, rapport.erreur) == (1, "")
    assert rapport.mis_en_file_le and rapport.commence_le and rapport.termine_le
    assert rapport.nb_pages >= 1
    assert fichiers_du_rapport(rapport) == [Path(rapport.fichier.path)]
    assert charte.nom in texte_du_pdf(rapport.fichier.path)


def test_une_seule_execution_prend_le_rapport(en_attente):
    pris = prendre(en_attente.pk)
    assert (pris.statut, pris.tentatives) == (Statut.EN_COURS, 1)
    assert pris.battement == pris.commence_le
    # A second message for the same job (redelivered, queued twice) finds it held by a live worker.
    assert prendre(en_attente.pk) is None
    assert produire(en_attente.pk) is None
    en_attente.refresh_from_db()
    assert (en_attente.statut, en_attente.tentatives) == (Statut.EN_COURS, 1)


def test_un_rapport_pret_n_est_jamais_refait(en_attente):
    nom = produire(en_attente.pk)
    rapport = Rapport.objects.get(pk=en_attente.pk)
    assert (rapport.statut, rapport.fichier.name, rapport.tentatives) == (Statut.PRET, nom, 1)
    termine_le = rapport.termine_le

    assert produire(rapport.pk) is None
    generer_rapport.delay(rapport.pk)
    relancer_rapports_bloques(maintenant=timezone.now() + timedelta(hours=1))

    rapport.refresh_from_db()
    assert (rapport.statut, rapport.fichier.name, rapport.tentatives) == (Statut.PRET, nom, 1)
    assert rapport.termine_le == termine_le
    assert len(fichiers_du_rapport(rapport)) == 1


def test_une_prise_perimee_est_reprise_une_vivante_non(en_attente):
    prendre(en_attente.pk)
    interrompre(en_attente, il_y_a=PERIME - timedelta(seconds=5))
    assert prendre(en_attente.pk) is None  # the heartbeat is recent: its worker is alive

    interrompre(en_attente)
    repris = prendre(en_attente.pk)
    assert (repris.statut, repris.tentatives) == (Statut.EN_COURS, 2)
    assert timezone.now() - repris.battement < timedelta(seconds=5)


def test_le_battement_garde_la_prise_tant_qu_elle_est_a_lui(transactional_db, en_attente, monkeypatch):
    """The heartbeat thread (its own connection: committed rows) refreshes the claim, and only its own."""
    monkeypatch.setattr(services, "PERIODE_BATTEMENT", 0.05)
    rapport = prendre(en_attente.pk)
    ancien = timezone.now() - timedelta(seconds=10)
    frais = Rapport.objects.filter(pk=rapport.pk, battement__gt=timezone.now() - timedelta(seconds=1))
    with battement(rapport):
        Rapport.objects.filter(pk=rapport.pk).update(battement=ancien)
        fin = time.monotonic() + 5
        while not frais.exists() and time.monotonic() < fin:
            time.sleep(0.02)
        assert frais.exists(), "le battement n'a pas rafraîchi la prise"
        # Another run took the job over (its heartbeat stopped too long): this one no longer touches the row.
        Rapport.objects.filter(pk=rapport.pk).update(tentatives=2, battement=ancien)
        time.sleep(0.3)
        assert Rapport.objects.get(pk=rapport.pk).battement == ancien
    assert not [fil for fil in threading.enumerate() if fil.name == f"battement-rapport-{rapport.pk}"]


def test_une_execution_perimee_qui_se_reveille_ne_change_rien(en_attente, monkeypatch):
    """A worker thought dead (heartbeat stale) finishes after another took the job over: its file is dropped."""
    vrai_rendu = pdfs.pdf_du_rapport
    reprise = {}

    def rendu_interrompu(rapport):
        if rapport.tentatives == 1:  # first run: while it "hangs", its claim goes stale and another run takes over
            interrompre(rapport)
            reprise["nom"] = produire(rapport.pk)
        return vrai_rendu(rapport)

    monkeypatch.setattr(pdfs, "pdf_du_rapport", rendu_interrompu)
    assert produire(en_attente.pk) is not None

    rapport = Rapport.objects.get(pk=en_attente.pk)
    assert (rapport.statut, rapport.tentatives, rapport.fichier.name) == (Statut.PRET, 2, reprise["nom"])
    assert fichiers_du_rapport(rapport) == [Path(rapport.fichier.path)]


def test_apres_trois_tentatives_interrompues_le_rapport_est_en_echec(en_attente):
    for tentative in range(1, MAX_TENTATIVES + 1):
        assert prendre(en_attente.pk).tentatives == tentative
        interrompre(en_attente)
    assert prendre(en_attente.pk) is None  # out of attempts, even with a stale heartbeat

    assert relancer_rapports_bloques() == {"relances": 0, "abandonnes": 1}
    rapport = Rapport.objects.get(pk=en_attente.pk)
    assert (rapport.statut, rapport.tentatives, rapport.fichier.name) == (Statut.ECHEC, MAX_TENTATIVES, "")
    assert "plusieurs tentatives interrompues" in rapport.erreur
    assert rapport.termine_le is not None
    assert relancer_rapports_bloques() == {"relances": 0, "abandonnes": 0}


def test_la_relance_reprend_les_rapports_perdus_ou_interrompus(charte, coordinateur):
    maintenant = timezone.now()

    def rapport(**champs):
        return Rapport.objects.create(charte=charte, type=Rapport.Type.COPIL, demande_par=coordinateur, **champs)

    differe = rapport(mis_en_file_le=None, demande_le=maintenant)
    perdu = rapport(mis_en_file_le=maintenant - OUBLIE, demande_le=maintenant - OUBLIE - timedelta(seconds=1))
    interrompu = rapport(statut=Statut.EN_COURS, tentatives=1, battement=maintenant - PERIME - timedelta(seconds=1))
    dans_la_file = rapport(mis_en_file_le=maintenant, demande_le=maintenant)
    vivant = rapport(statut=Statut.EN_COURS, tentatives=1, battement=maintenant)

    assert relancer_rapports_bloques(maintenant=maintenant) == {"relances": 3, "abandonnes": 0}

    statuts = dict(Rapport.objects.values_list("pk", "statut"))
    assert [statuts[r.pk] for r in (differe, perdu, interrompu)] == [Statut.PRET] * 3
    assert [statuts[r.pk] for r in (dans_la_file, vivant)] == [Statut.EN_ATTENTE, Statut.EN_COURS]
    assert Rapport.objects.get(pk=interrompu.pk).tentatives == 2
    assert Rapport.objects.get(pk=differe.pk).mis_en_file_le is not None


def test_une_erreur_passagere_est_retentee(charte, coordinateur, pannes, django_capture_on_commit_callbacks):
    pannes(ErreurPassagere("stockage momentanément indisponible"), OSError("disque plein"))
    with django_capture_on_commit_callbacks(execute=True):
        rapport = demander_rapport(charte, Rapport.Type.COPIL, par=coordinateur)
    rapport.refresh_from_db()
    assert (rapport.statut, rapport.tentatives, rapport.erreur) == (Statut.PRET, 3, "")
    assert len(fichiers_du_rapport(rapport)) == 1


def test_une_erreur_passagere_qui_dure_finit_en_echec(charte, coordinateur, pannes, django_capture_on_commit_callbacks):
    pannes(*[ErreurPassagere(f"panne n° {n}") for n in range(1, MAX_TENTATIVES + 2)])
    with django_capture_on_commit_callbacks(execute=True):  # the request that asked for it does not fail
        rapport = demander_rapport(charte, Rapport.Type.COPIL, par=coordinateur)
    rapport.refresh_from_db()
    assert (rapport.statut, rapport.tentatives) == (Statut.ECHEC, MAX_TENTATIVES)
    assert rapport.erreur == f"ErreurPassagere : panne n° {MAX_TENTATIVES}"
    assert fichiers_du_rapport(rapport) == []


def test_une_erreur_definitive_met_le_rapport_en_echec_avec_son_message(
    client_de, coordinateur, charte, pannes, django_capture_on_commit_callbacks
):
    pannes(ValueError("gabarit introuvable"))
    client = client_de(coordinateur)
    with django_capture_on_commit_callbacks(execute=True):
        reponse = client.post(reverse("rapports:rapports", args=[charte.slug]), {"type": Rapport.Type.COPIL})
    assert reponse.status_code == 302
    rapport = charte.rapports.get()
    assert (rapport.statut, rapport.tentatives) == (Statut.ECHEC, 1)  # a bug will not fix itself: no retry
    assert rapport.erreur == "ValueError : gabarit introuvable"
    assert rapport.termine_le is not None
    assert fichiers_du_rapport(rapport) == []
    page = client.get(reponse.url)
    assert "La production du rapport a échoué" in page.text
    assert "ValueError : gabarit introuvable" in page.text


def test_file_injoignable_la_demande_est_enregistree_et_differee(
    client_de, coordinateur, charte, django_capture_on_commit_callbacks
):
    client = client_de(coordinateur)
    debut = time.monotonic()
    with file_de_taches(f"redis://127.0.0.1:{port_libre()}/0"), django_capture_on_commit_callbacks(execute=True):
        reponse = client.post(reverse("rapports:rapports", args=[charte.slug]), {"type": Rapport.Type.COPIL})
    assert time.monotonic() - debut < 10  # the connection timeout (2 s), not a hung request
    assert reponse.status_code == 302

    rapport = charte.rapports.get()
    assert (rapport.statut, rapport.mis_en_file_le, rapport.tentatives) == (Statut.EN_ATTENTE, None, 0)
    assert rapport.differe
    page = client.get(reponse.url)
    assert page.status_code == 200
    assert "La production est retardée" in page.text

    # The queue is back (here: tasks in-process): the periodic relance queues it and it is produced.
    assert relancer_rapports_bloques() == {"relances": 1, "abandonnes": 0}
    rapport.refresh_from_db()
    assert (rapport.statut, rapport.tentatives) == (Statut.PRET, 1)
    assert rapport.mis_en_file_le is not None
