"""PostgreSQL restarted, crashed or frozen under a running site: the pages and the worker come back by themselves.

Real processes on a PostgreSQL of the test's own (bench/processus.PostgresJetable, a copy of the test database;
the shared server is never touched): gunicorn with persistent connections (CONN_MAX_AGE=60) as in production,
and a Celery worker. Nothing is restarted but PostgreSQL. While it is away, a page answers at once (or after
PG_CONNECT_TIMEOUT when the server hangs) with the French « Service momentanément indisponible » page (503);
once it is back, every page works again, the first one included: Django checks a persistent connection before
reusing it (conn_health_checks).
"""

import html
import http.cookiejar
import os
import signal
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse

from bench.processus import RACINE, PostgresJetable, Processus, attendre, gunicorn, port_libre
from charte.models import Membre
from rapports.models import Rapport
from tests.factories import MOT_DE_PASSE

pytestmark = pytest.mark.celery  # starts a real Celery worker on Redis

DELAI_CONNEXION = 2  # PG_CONNECT_TIMEOUT given to the site: libpq's minimum
INDISPONIBLE = "Service momentanément indisponible"


@dataclass
class Reponse:
    statut: int
    texte: str
    duree: float
    reessayer_apres: str | None
    adresse: str | None


class SansRedirection(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is an answer to look at, as the test client gives it


class Visiteur:
    """A browser's share of HTTP against the gunicorn of the test: cookies, CSRF token, time of each request."""

    def __init__(self, port):
        self.base = f"http://127.0.0.1:{port}"
        self.cookies = http.cookiejar.CookieJar()
        self.ouvreur = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies), SansRedirection)

    def demander(self, chemin, donnees=None):
        requete = urllib.request.Request(self.base + chemin)
        if donnees is not None:
            requete.data = urllib.parse.urlencode(donnees).encode()
            requete.add_header("X-CSRFToken", next(c.value for c in self.cookies if c.name == "csrftoken"))
        debut = time.monotonic()
        try:
            reponse = self.ouvreur.open(requete, timeout=30)
        except urllib.error.HTTPError as erreur:  # 3xx, 4xx, 5xx: urllib's name for an answer that is not 200
            reponse = erreur
        with reponse:
            texte = reponse.read().decode()
        return Reponse(
            reponse.status, texte, time.monotonic() - debut, reponse.headers["Retry-After"], reponse.headers["Location"]
        )

    def se_connecter(self, identifiant):
        self.demander(reverse("comptes:connexion"))  # sets the CSRF cookie
        connexion = self.demander(reverse("comptes:connexion"), {"username": identifiant, "password": MOT_DE_PASSE})
        assert connexion.statut == 302, connexion.texte


@dataclass
class Site:
    postgres: PostgresJetable
    env: dict
    dossier: object
    port: int = 0
    processus: list = field(default_factory=list)

    def lancer_gunicorn(self):
        self.port = port_libre()
        self.processus.append(gunicorn(self.port, self.dossier, self.env, workers=1))

    def lancer_worker(self):
        commande = [sys.executable, "-m", "celery", "-A", "charte", "worker", "--pool=prefork", "--concurrency=1"]
        commande += ["--loglevel=info", f"--hostname=panne-pg-{os.getpid()}@%h"]
        worker = Processus("worker", commande, self.dossier, env=self.env, cwd=RACINE)
        self.processus.append(worker)
        return worker


@pytest.fixture
def site(transactional_db, charte, tmp_path):
    """gunicorn (one sync worker: each request reuses the same persistent connection) on a copy of the test database."""
    if connection.vendor != "postgresql":
        pytest.fail("Ce test tourne sur PostgreSQL (DATABASE_URL).")
    base = connection.settings_dict
    postgres = PostgresJetable(tmp_path)
    env = os.environ | {
        "DATABASE_URL": postgres.url("chartes"),
        "CONN_MAX_AGE": "60",
        "PG_CONNECT_TIMEOUT": str(DELAI_CONNEXION),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
    }
    site = Site(postgres, env, tmp_path)
    try:
        postgres.copier_base(f"postgres://{base['USER']}@{base['HOST']}:{base['PORT']}/{base['NAME']}", "chartes")
        site.lancer_gunicorn()
        yield site
    finally:
        for lance in reversed(site.processus):
            lance.arreter()
            print(f"===== {lance.nom} =====\n{lance.sortie()[-6000:]}")
        postgres.supprimer()


@pytest.fixture
def visiteur(site, charte):
    visiteur = Visiteur(site.port)
    visiteur.se_connecter(charte.membres.get(role=Membre.Role.COORDINATEUR).utilisateur.username)
    return visiteur


def page_lue_en_base(visiteur, charte):
    # The members page: the dashboard's body, the account and the membership may all come from the cache, and
    # then the dashboard is served without PostgreSQL at all; this page reads the members every time.
    return visiteur.demander(reverse("charte:membres", args=[charte.slug]))


def toutes_servies(visiteur, charte, fois=5):
    """`fois` requests in a row: every one must show the charter's members page."""
    reponses = [page_lue_en_base(visiteur, charte) for _ in range(fois)]
    assert [r.statut for r in reponses] == [200] * fois
    assert all(html.escape(charte.nom) in r.texte for r in reponses)


def indisponible(reponse, duree_max):
    """The French 503 page, soon enough, telling the browser when to try again."""
    assert reponse.statut == 503, (reponse.statut, reponse.texte[:500])
    assert INDISPONIBLE in reponse.texte and reponse.reessayer_apres == "10"
    assert reponse.duree < duree_max, f"la page a attendu {reponse.duree:.1f} s"


def en_continu(visiteur, charte, arret):
    """Request the members page again and again from a thread until `arret` is set; the answers."""
    reponses = []

    def boucle():
        while not arret.is_set():
            reponses.append(page_lue_en_base(visiteur, charte))

    fil = threading.Thread(target=boucle, daemon=True)
    fil.start()
    return fil, reponses


def test_les_pages_reviennent_seules_apres_un_redemarrage_un_arret_brutal_ou_un_gel(site, visiteur, charte):
    postgres = site.postgres
    toutes_servies(visiteur, charte)

    # A quiet restart: the next request finds its persistent connection dead, checks it and reconnects.
    postgres.redemarrer("fast")
    toutes_servies(visiteur, charte)

    # A restart under load: requests in flight fail cleanly, none hangs, and the site comes back by itself.
    arret = threading.Event()
    fil, pendant = en_continu(visiteur, charte, arret)
    attendre(lambda: len(pendant) >= 3, 10)
    postgres.redemarrer("fast")
    avant_le_retour = len(pendant)
    attendre(lambda: len(pendant) > avant_le_retour + 1 and pendant[-1].statut == 200, 10)
    arret.set()
    fil.join(timeout=30)
    assert {r.statut for r in pendant} <= {200, 503}, [r.statut for r in pendant]
    for reponse in pendant:
        if reponse.statut == 503:
            indisponible(reponse, duree_max=DELAI_CONNEXION + 1)
    toutes_servies(visiteur, charte)

    # A crash (every server process killed): refused connections, the 503 page at once.
    postgres.arreter("immediate")
    pendant_l_arret = [page_lue_en_base(visiteur, charte) for _ in range(3)]
    for reponse in pendant_l_arret:
        indisponible(reponse, duree_max=1)

    # Back after crash recovery, but hanging: a new connection waits PG_CONNECT_TIMEOUT, not for ever.
    postgres.demarrer()
    postgres.geler()
    try:
        gele = page_lue_en_base(visiteur, charte)
    finally:
        postgres.geler(signal.SIGCONT)
    indisponible(gele, duree_max=DELAI_CONNEXION + 2)
    assert gele.duree >= DELAI_CONNEXION - 0.5, "la connexion n'a pas attendu le serveur gelé"
    toutes_servies(visiteur, charte)

    print(
        f"Pendant le redémarrage : {len(pendant)} requêtes, {sum(r.statut == 503 for r in pendant)} en 503 ; "
        f"arrêt brutal : 503 en {max(r.duree for r in pendant_l_arret) * 1000:.0f} ms au plus ; "
        f"serveur gelé : 503 en {gele.duree:.1f} s"
    )


def demander_un_rapport(visiteur, charte):
    """The coordinator asks for a COPIL report on the reports page; the report page it leads to."""
    demande = visiteur.demander(reverse("rapports:rapports", args=[charte.slug]), {"type": Rapport.Type.COPIL})
    assert demande.statut == 302, (demande.statut, demande.texte[:500])
    return demande.adresse


def attendre_le_pdf(visiteur, page):
    pret = attendre(lambda: "Télécharger le PDF" in visiteur.demander(page).texte, 60, pas=0.5)
    assert pret, f"rapport toujours pas prêt : {visiteur.demander(page).texte[-1500:]}"


def test_le_worker_produit_encore_les_rapports_apres_un_redemarrage_et_un_arret_brutal(site, visiteur, charte):
    worker = site.lancer_worker()
    worker.pret()
    attendre_le_pdf(visiteur, demander_un_rapport(visiteur, charte))

    site.postgres.redemarrer("fast")
    attendre_le_pdf(visiteur, demander_un_rapport(visiteur, charte))

    site.postgres.arreter("immediate")
    site.postgres.demarrer()
    attendre_le_pdf(visiteur, demander_un_rapport(visiteur, charte))
    assert worker.vivant()
