"""Real Celery processes on Redis produce the PDF reports, even when a worker is killed or Redis stops.

Each test starts its own `celery worker` (and `celery beat`, as docker-compose.yml does) on the test
database; CI runs them through `make test`, which sets CELERY_BROKER_URL. No mock: the waits are the
real ones of rapports/services.py (a claim goes stale PERIME = 20 s after its last heartbeat, beat
queues lost jobs again every 15 s), so the two kill tests take about 40 s each.
"""

import io
import os
import signal
import socket
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse

from bench.processus import Processus, port_libre
from bench.processus import attendre as attendre_sans_echec
from charte.models import Membre
from rapports.models import Rapport
from rapports.services import demander_rapport
from tests.factories import FicheActionFactory, LigneBudgetFactory, PrioriteFactory
from tests.rapports.test_taches_rapports import fichiers_du_rapport, file_de_taches, texte_du_pdf

pytestmark = pytest.mark.celery
Statut = Rapport.Statut

DELAI_MAX = 60  # the promise: produced within a minute of the worker being back


def attendre(condition, delai=DELAI_MAX, pas=0.05, message="délai dépassé"):
    """The first true value of `condition()`, or the test fails with `message`."""
    return attendre_sans_echec(condition, delai, pas) or pytest.fail(message)


class Lanceur:
    """Starts workers, beat and throw-away Redis servers for one test, and stops them all at the end."""

    def __init__(self, dossier):
        self.dossier = dossier
        self.processus = []
        base = connection.settings_dict
        self.env = os.environ | {
            "DATABASE_URL": f"postgres://{base['USER']}@{base['HOST']}:{base['PORT']}/{base['NAME']}",
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        }

    def _lancer(self, nom, commande, broker=None):
        env = self.env | ({"CELERY_BROKER_URL": broker} if broker else {})
        lance = Processus(nom, commande, self.dossier, env=env)
        self.processus.append(lance)
        return lance

    def worker(self, nom="w1", broker=None, concurrence=1):
        """A prefork worker as in production (its pool children are what a SIGKILL hits)."""
        commande = [sys.executable, "-m", "celery", "-A", "charte", "worker", "--pool=prefork"]
        commande += [f"--concurrency={concurrence}", "--loglevel=info", f"--hostname={nom}-{os.getpid()}@%h"]
        return self._lancer(nom, commande, broker)

    def beat(self, broker=None):
        schedule = Path(self.dossier, "celerybeat-schedule")
        commande = [sys.executable, "-m", "celery", "-A", "charte", "beat", "--loglevel=info", f"--schedule={schedule}"]
        return self._lancer("beat", commande, broker)

    def redis(self, port):
        """A throw-away Redis (no persistence: once stopped, its queue is gone, the worst case)."""
        commande = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        serveur = self._lancer(f"redis-{port}", commande)

        def repond():
            with socket.socket() as sonde:
                return sonde.connect_ex(("127.0.0.1", port)) == 0

        attendre(repond, delai=10, message="Le serveur Redis jetable ne démarre pas.")
        return serveur

    def arreter_tout(self):
        for processus in reversed(self.processus):
            processus.arreter()
        for processus in self.processus:
            print(f"===== {processus.nom} =====\n{processus.sortie()[-6000:]}")


@pytest.fixture
def lanceur(transactional_db, tmp_path):
    if connection.vendor != "postgresql":
        pytest.fail("Ces tests tournent sur PostgreSQL (DATABASE_URL).")
    assert settings.CELERY_BROKER_URL, "CELERY_BROKER_URL must point at Redis for these tests"
    lanceur = Lanceur(tmp_path)
    yield lanceur
    lanceur.arreter_tout()


@pytest.fixture
def coordinateur(charte):
    return charte.membres.get(role=Membre.Role.COORDINATEUR).utilisateur


def statut_de(rapport):
    return Rapport.objects.filter(pk=rapport.pk).values_list("statut", flat=True).first()


def attendre_le_rapport(rapport, delai=DELAI_MAX):
    """Wait until the report is finished; the row, re-read."""
    attendre(
        lambda: statut_de(rapport) in (Statut.PRET, Statut.ECHEC),
        delai=delai,
        pas=0.2,
        message=f"Rapport {rapport.pk} toujours « {statut_de(rapport)} » après {delai} s.",
    )
    return Rapport.objects.get(pk=rapport.pk)


def produit_une_fois(rapport, tentatives=1):
    """Ready, from the given number of attempts, one PDF file (with the charter's name) and no other."""
    assert rapport.statut == Statut.PRET, rapport.erreur
    assert rapport.tentatives == tentatives
    assert fichiers_du_rapport(rapport) == [Path(rapport.fichier.path)]
    assert rapport.charte.nom in texte_du_pdf(rapport.fichier.path)


def geler_pendant_le_rendu(rapport, pids, signaler):
    """Catch the worker while it holds the report (status "en cours"), freeze it, check, then SIGKILL it.

    SIGSTOP first makes the check exact: the frozen worker has claimed the report and stored no file.
    The first report of a fresh pool process imports WeasyPrint after the claim (~0.4 s): the window.
    """
    attendre(lambda: statut_de(rapport) == Statut.EN_COURS, pas=0.005, message="Le worker n'a pas pris le rapport.")
    for pid in pids():
        signaler(pid, signal.SIGSTOP)
    rapport.refresh_from_db()
    assert (rapport.statut, rapport.tentatives) == (Statut.EN_COURS, 1), "course perdue : le rendu a fini trop tôt"
    assert fichiers_du_rapport(rapport) == [], "course perdue : le fichier était déjà écrit"
    for pid in pids():
        signaler(pid, signal.SIGKILL)
    return time.monotonic()


def demander_par_la_page(client, charte):
    """The coordinator asks for a COPIL report on the reports page; the response and the new row."""
    reponse = client.post(reverse("rapports:rapports", args=[charte.slug]), {"type": Rapport.Type.COPIL})
    assert reponse.status_code == 302
    return reponse, charte.rapports.order_by("-pk").first()


def test_un_worker_produit_le_pdf_demande_par_la_page(lanceur, client_de, coordinateur, charte):
    priorite = PrioriteFactory(charte=charte, intitule="Rompre l'isolement des parents")
    fiche = FicheActionFactory(
        charte=charte, priorites=[priorite], titre="Organiser des cafés des parents", statut="en_cours"
    )
    LigneBudgetFactory(fiche=fiche, annee=2026, montant_prevu=Decimal("12345.50"))
    lanceur.worker()
    client = client_de(coordinateur)
    reponse, rapport = demander_par_la_page(client, charte)
    assert rapport.mis_en_file_le is not None

    rapport = attendre_le_rapport(rapport)
    produit_une_fois(rapport)
    assert rapport.nb_pages >= 1 and rapport.duree_ms is not None
    assert "Télécharger le PDF" in client.get(reponse.url).text
    telechargement = client.get(reverse("rapports:telecharger", args=[charte.slug, rapport.pk]))
    assert telechargement["Content-Type"] == "application/pdf"
    contenu = b"".join(telechargement.streaming_content)
    telechargement.close()
    texte = " ".join(texte_du_pdf(io.BytesIO(contenu)).split())  # every kind of space made plain
    assert charte.nom in texte
    # The charter's actual figures, as the worker read them from the database.
    assert "Rompre l'isolement des parents" in texte and "Organiser des cafés des parents" in texte
    assert "12 345,50 €" in texte


def test_deux_workers_produisent_chaque_rapport_une_fois(lanceur, charte, coordinateur):
    for worker in [lanceur.worker("w1"), lanceur.worker("w2")]:
        worker.pret()
    rapports = [demander_rapport(charte, Rapport.Type.COPIL, par=coordinateur) for _ in range(12)]
    for rapport in rapports:
        produit_une_fois(attendre_le_rapport(rapport))
    travailleurs = {p.nom: p.sortie().count("rapports.tasks.generer_rapport") for p in lanceur.processus}
    assert all(travailleurs.values()), f"un des deux workers n'a rien reçu : {travailleurs}"


def test_redis_arrete_la_demande_est_differee_puis_produite_a_son_retour(lanceur, client_de, coordinateur, charte):
    port = port_libre()
    broker = f"redis://127.0.0.1:{port}/0"
    redis = lanceur.redis(port)
    lanceur.worker(broker=broker)
    lanceur.beat(broker=broker)
    client = client_de(coordinateur)

    with file_de_taches(broker):
        produit_une_fois(attendre_le_rapport(demander_par_la_page(client, charte)[1]))

        redis.arreter()
        debut = time.monotonic()
        reponse, differe = demander_par_la_page(client, charte)
        assert time.monotonic() - debut < 10, "la demande a attendu Redis"
        assert (differe.statut, differe.mis_en_file_le) == (Statut.EN_ATTENTE, None)
        page = client.get(reponse.url)
        assert page.status_code == 200
        assert "La production est retardée" in page.text
        time.sleep(3)  # Redis stays down a while: the request waits in its row, nothing fails
        assert statut_de(differe) == Statut.EN_ATTENTE

        lanceur.redis(port)  # back, empty: the message was never sent, only the row remembers the job
        retour = time.monotonic()
        differe = attendre_le_rapport(differe)
        print(f"Redis revenu : rapport différé prêt en {time.monotonic() - retour:.1f} s")
        produit_une_fois(differe)
        assert differe.mis_en_file_le is not None

        # The web process reconnects by itself: the next request is queued at once.
        apres = demander_par_la_page(client, charte)[1]
        assert apres.mis_en_file_le is not None
        produit_une_fois(attendre_le_rapport(apres))


def test_redis_fige_la_demande_n_attend_pas(lanceur, client_de, coordinateur, charte):
    """A Redis that hangs without closing the connection (frozen, cut off by the network) holds no request."""
    port = port_libre()
    broker = f"redis://127.0.0.1:{port}/0"
    redis = lanceur.redis(port)
    client = client_de(coordinateur)
    with file_de_taches(broker):
        assert demander_par_la_page(client, charte)[1].mis_en_file_le is not None  # the web process is connected
        os.kill(redis.pid, signal.SIGSTOP)
        reveil = threading.Timer(30, os.kill, (redis.pid, signal.SIGCONT))  # a failing run must not hang for ever
        reveil.start()
        try:
            debut = time.monotonic()
            reponse, fige = demander_par_la_page(client, charte)
            duree = time.monotonic() - debut
        finally:
            reveil.cancel()
            os.kill(redis.pid, signal.SIGCONT)
    assert duree < 10, f"la demande a attendu Redis {duree:.0f} s"
    assert fige.differe
    assert "La production est retardée" in client.get(reponse.url).text


def test_processus_enfant_tue_le_rapport_est_produit_une_fois(lanceur, charte, coordinateur):
    worker = lanceur.worker()
    lanceur.beat()
    rapport = demander_rapport(charte, Rapport.Type.COPIL, par=coordinateur)
    tue = geler_pendant_le_rendu(rapport, worker.enfants, os.kill)
    assert worker.vivant()  # the main process stays and forks a new pool process

    rapport = attendre_le_rapport(rapport)
    print(f"Enfant tué : rapport prêt {time.monotonic() - tue:.1f} s après")
    produit_une_fois(rapport, tentatives=2)


def test_worker_entier_tue_puis_relance_le_rapport_est_produit_une_fois(lanceur, charte, coordinateur):
    worker = lanceur.worker()
    lanceur.beat()
    rapport = demander_rapport(charte, Rapport.Type.COPIL, par=coordinateur)
    geler_pendant_le_rendu(rapport, lambda: [worker.pid], os.killpg)
    worker.popen.wait(timeout=10)
    attendre(worker.groupe_eteint, delai=10, message="Des processus du worker tué survivent.")

    # Its message stays unacknowledged in Redis for an hour: only the row brings the job back.
    lanceur.worker()
    relance = time.monotonic()
    rapport = attendre_le_rapport(rapport)
    print(f"Worker entier tué : rapport prêt {time.monotonic() - relance:.1f} s après sa relance")
    produit_une_fois(rapport, tentatives=2)
