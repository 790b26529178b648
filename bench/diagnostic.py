"""Benchmark of the diagnostic stage (a measurement, not a test): the two goals of the issue.

1. The results page of a survey with 20 000 answers renders in under 300 ms of server time (PostgreSQL).
2. The public survey form takes at least 100 submissions per second on this machine, none lost.

Run from the project root:  .venv/bin/python bench/diagnostic.py [--reponses 20000 --soumissions 3000 ...]
It uses its own database (bench_chartes, created if missing) and keeps the data between runs, so a
second run only measures. See bench/README.md for the figures and the caveats.
"""

import argparse
import http.client
import itertools
import math
import os
import platform
import random
import re
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
RACINE = BENCH.parent
sys.path.insert(0, str(RACINE))  # `bench` is a package of the project root, not of sys.path[0] (bench/)
from bench.processus import creer_base_si_absente, port_libre, reglages_de_production  # noqa: E402

JOURNAUX = BENCH / "journaux"

BASE_PAR_DEFAUT = "postgres://postgres@127.0.0.1:5432/bench_chartes"
SIREN = "200066140"  # CC de l'Aire à l'Argonne: a real territory of 47 communes
IDENTIFIANT = "bench-coordinatrice"
NOM_CHARTE = "Charte de mesure — Aire à l'Argonne"
TAILLE_LOT = 2000  # answers per bulk insert: a few seconds each, bounded memory
GRAINE = 2025

OBJECTIF_RESULTATS_MS = 300
OBJECTIF_SOUMISSIONS_PAR_S = 100
ECHAUFFEMENTS, ESSAIS = 3, 20
DELAI_DEMARRAGE_S = 60  # gunicorn must answer within this
DELAI_REQUETE_S = 30  # one HTTP request
DELAI_CHARGE_S = 600  # the whole submission run, whatever happens


# --- environment ------------------------------------------------------------------------------


def lire_arguments():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", default=os.environ.get("BENCH_DATABASE_URL", BASE_PAR_DEFAUT))
    parser.add_argument("--reponses", type=int, default=20000, help="answers in the measured survey")
    parser.add_argument("--soumissions", type=int, default=3000, help="POSTs sent to the public form")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=2, help="threads per worker (gthread only)")
    parser.add_argument("--classe", choices=["gthread", "sync"], default="gthread", help="gunicorn worker class")
    parser.add_argument(
        "--application",
        default="charte.wsgi:application",
        help="WSGI application gunicorn serves: a what-if variant (module under bench/) can be compared to the app",
    )
    parser.add_argument("--clients", type=int, default=16, help="concurrent HTTP clients")
    parser.add_argument(
        "--obligatoires-seulement",
        action="store_true",
        help="answer only the required questions (default: every question shown without condition)",
    )
    parser.add_argument("--sans-resultats", action="store_true", help="skip the results page measure")
    parser.add_argument("--sans-soumissions", action="store_true", help="skip the submissions measure")
    return parser.parse_args()


def preparer_environnement(url_base):
    """Production settings but Celery in-process, on our own database."""
    reglages_de_production(
        url_base,
        # testserver: the host name of django.test.Client.
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        CELERY_BROKER_URL="",
        # Every simulated family comes from 127.0.0.1: the per-address limit would cap the measure.
        LIMITE_QUESTIONNAIRES_PAR_MINUTE="0",
    )


def demarrer_django():
    import django
    from django.core.management import call_command

    # Whitenoise warns that collectstatic never ran: the pages measured here do not serve static files.
    warnings.filterwarnings("ignore", "No directory at", UserWarning)
    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


# --- data -------------------------------------------------------------------------------------


def coordinatrice():
    from django.contrib.auth import get_user_model

    utilisateur, _ = get_user_model().objects.get_or_create(
        username=IDENTIFIANT, defaults={"est_agent_msa": True, "email": f"{IDENTIFIANT}@exemple.fr"}
    )
    return utilisateur


def charte_de_mesure(par):
    import datetime

    from charte.models import Charte
    from charte.services import creer_charte
    from territoires.models import Territoire
    from territoires.services import charger_referentiel

    charger_referentiel({SIREN})
    charte = Charte.objects.filter(nom=NOM_CHARTE).first()
    if charte is None:
        territoire = Territoire.objects.get(siren=SIREN)
        charte = creer_charte(territoire=territoire, nom=NOM_CHARTE, date_debut=datetime.date(2025, 1, 6), par=par)
    return charte


def enquete_publiee(charte, titre, par):
    """The shipped template survey, published; one per title so that each size is measured on its own."""
    from diagnostic.models import Enquete
    from diagnostic.services import creer_enquete, lire_gabarit

    enquete = Enquete.objects.filter(charte=charte, titre=titre).first()
    if enquete is None:
        enquete = creer_enquete(charte, lire_gabarit(), par=par, titre=titre)
        enquete.statut = Enquete.Statut.PUBLIEE
        enquete.save(update_fields=["statut"])
    return enquete


def remplir(enquete, cible):
    """Bring the survey to exactly `cible` answers, in batches (a run stopped midway resumes)."""
    from django.db import transaction

    from diagnostic.demo import repondre

    deja = enquete.reponses.count()
    if deja > cible:
        sys.exit(f"L'enquête « {enquete} » a déjà {deja} réponses (> {cible}) : choisissez une autre taille.")
    if deja == cible:
        from diagnostic.comptages import recompter

        recompter(enquete)  # a database filled by an older version may lack the running counts
        print(f"Enquête déjà remplie : {deja} réponses.")
        return
    debut = time.perf_counter()
    while deja < cible:
        lot = min(TAILLE_LOT, cible - deja)
        # A batch is stored whole or not at all: an interrupted run resumes from a count that matches the rows.
        with transaction.atomic():
            repondre(enquete, random.Random(GRAINE + deja), lot)
        deja += lot
        print(f"  {deja:>6} / {cible} réponses ({time.perf_counter() - debut:.0f} s)", flush=True)
    ranger_les_tables(complet=False)
    print(f"Remplissage : {time.perf_counter() - debut:.1f} s, {nombre_de_valeurs(enquete)} valeurs.")


TABLES_DES_REPONSES = "territoires_famille, diagnostic_reponse, diagnostic_valeur"


def ranger_les_tables(complet):
    """Statistics and visibility map as autovacuum would leave them; `complet` also gives back the space
    of deleted rows, which a sequential scan would otherwise read through at every run."""
    from django.db import connection

    with connection.cursor() as curseur:
        if complet:
            curseur.execute(f"VACUUM FULL {TABLES_DES_REPONSES}")
        curseur.execute(f"VACUUM ANALYZE {TABLES_DES_REPONSES}")


def effacer_les_soumissions(enquete):
    """Remove what the load stored (answers, values, households), then tidy the tables up.

    Left in place, 3 000 answers × ~40 values per run would pile up and slow the results page down
    from one run to the next: each run must measure the same database.
    """
    from django.db import transaction

    from diagnostic.comptages import recompter
    from territoires.models import Famille

    with transaction.atomic():
        familles = list(enquete.reponses.values_list("famille_id", flat=True))
        enquete.reponses.all().delete()
        Famille.objects.filter(pk__in=familles).delete()
        recompter(enquete)  # the answers went without the running counts being told
    if familles:
        ranger_les_tables(complet=True)


def nombre_de_valeurs(enquete):
    from diagnostic.models import Valeur

    return Valeur.objects.filter(reponse__enquete=enquete).count()


# --- figures ----------------------------------------------------------------------------------


def centile(valeurs, pourcentage):
    """Nearest-rank percentile: a value that was really observed."""
    ordonnees = sorted(valeurs)
    return ordonnees[max(math.ceil(pourcentage / 100 * len(ordonnees)) - 1, 0)]


@dataclass
class MesurePage:
    libelle: str
    durees_ms: list
    requetes_sql: int
    sql_ms: float  # database time of one request, as the client saw it
    cpu_ms: float  # Python CPU time of one request (mean), which contention inflates much less than wall time
    octets: int

    @property
    def mediane(self):
        return statistics.median(self.durees_ms)

    def ligne(self):
        return (
            f"{self.libelle} : min {min(self.durees_ms):.0f} ms, médiane {self.mediane:.0f} ms, "
            f"p95 {centile(self.durees_ms, 95):.0f} ms — {self.requetes_sql} requêtes SQL ({self.sql_ms:.0f} ms), "
            f"CPU Python {self.cpu_ms:.0f} ms, {self.octets / 1024:.0f} Kio"
        )


# --- CPU accounting: what each request costs, whatever else runs on the machine ----------------

TIC = os.sysconf("SC_CLK_TCK")


def stat_du_processus(pid):
    """/proc/<pid>/stat fields after the command name (index 1: parent pid, 11 and 12: user and system ticks)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:  # the process ended meanwhile
        return None


def temps_cpu(pid):
    champs = stat_du_processus(pid)
    return (int(champs[11]) + int(champs[12])) / TIC if champs else 0.0


def processus_enfants(pid):
    pids = (int(entree.name) for entree in Path("/proc").iterdir() if entree.name.isdigit())
    return [enfant for enfant in pids if (champs := stat_du_processus(enfant)) and champs[1] == str(pid)]


def backends_postgres():
    """Server processes of the other connections to our database (gunicorn's, during the load)."""
    from django.db import connection

    with connection.cursor() as curseur:
        curseur.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return [pid for (pid,) in curseur.fetchall()]


@dataclass
class CpuDepense:
    """CPU seconds spent during the load, per side."""

    gunicorn: float
    postgres: float
    client: float


@dataclass
class ReleveCpu:
    gunicorn: float
    postgres: dict  # backend pid → CPU seconds
    client: float

    @classmethod
    def prendre(cls, maitre):
        gunicorn = sum(temps_cpu(pid) for pid in [maitre, *processus_enfants(maitre)])
        return cls(gunicorn, {pid: temps_cpu(pid) for pid in backends_postgres()}, time.process_time())

    def depuis(self, avant):
        """What was spent since `avant` (a backend opened meanwhile counts from zero)."""
        postgres = sum(cpu - avant.postgres.get(pid, 0.0) for pid, cpu in self.postgres.items())
        return CpuDepense(self.gunicorn - avant.gunicorn, postgres, self.client - avant.client)


# --- goal 1: results page ---------------------------------------------------------------------


def obtenir(client, url):
    reponse = client.get(url)
    if reponse.status_code != 200:
        sys.exit(f"GET {url} : statut {reponse.status_code} au lieu de 200.")
    return reponse


def mesurer_page(client, url, libelle, vider_cache=False):
    """Server time as seen by the WSGI handler (middleware, view, template), without network.

    vider_cache: empty the results cache before each request, i.e. measure the first display after
    a new answer (the figures are computed again) rather than a display served from the cache.
    """
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(ECHAUFFEMENTS):
        obtenir(client, url)
    durees, cpu_debut = [], time.process_time()
    for _ in range(ESSAIS):
        if vider_cache:
            cache.clear()
        debut = time.perf_counter()
        obtenir(client, url)
        durees.append((time.perf_counter() - debut) * 1000)
    cpu_ms = (time.process_time() - cpu_debut) * 1000 / ESSAIS
    # Counted on an extra request: recording the queries costs time of its own.
    if vider_cache:
        cache.clear()
    with CaptureQueriesContext(connection) as requetes:
        reponse = obtenir(client, url)
    sql_ms = sum(float(requete["time"]) for requete in requetes.captured_queries) * 1000
    return MesurePage(libelle, durees, len(requetes), sql_ms, cpu_ms, len(reponse.content))


def mesurer_resultats(enquete, utilisateur):
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(utilisateur)
    url = reverse("diagnostic:resultats", kwargs={"charte_slug": enquete.charte.slug, "pk": enquete.pk})
    commune = enquete.charte.communes.order_by("-population").first()
    mesures = [
        mesurer_page(client, url, "sans filtre, calculée (1er affichage après une nouvelle réponse)", vider_cache=True),
        mesurer_page(client, url, "sans filtre, réponses inchangées (cache)"),
        mesurer_page(
            client, f"{url}?commune={commune.pk}", f"filtre commune {commune.nom}, calculée", vider_cache=True
        ),
        # No goal: each family displays the form once before posting it, so it weighs on goal 2 in real life.
        mesurer_page(Client(), f"/e/{enquete.jeton}/", "formulaire public (GET, pour information)"),
    ]
    for mesure in mesures:
        print("  " + mesure.ligne())
    return mesures


# --- goal 2: public submissions ---------------------------------------------------------------


def lancer_gunicorn(port, args, journal, acces=None):
    """gunicorn on 127.0.0.1:`port`; `acces`: a file for its access log (one line per request, as in production)."""
    commande = [
        str(RACINE / ".venv" / "bin" / "gunicorn"),
        args.application,
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(args.workers),
        "--worker-class",
        args.classe,
        "--timeout",
        "60",
        "--graceful-timeout",
        "10",
    ]
    if args.classe == "gthread":
        commande += ["--threads", str(args.threads)]
    if acces is not None:
        commande += ["--access-logfile", str(acces)]
    # Same environment as this process (same database, DEBUG off, tasks in-process), except that database
    # connections outlive the run: a backend closed midway would take its CPU time with it (ReleveCpu).
    environnement = os.environ | {"CONN_MAX_AGE": str(DELAI_CHARGE_S + 60)}
    return subprocess.Popen(commande, cwd=RACINE, env=environnement, stdout=journal, stderr=subprocess.STDOUT)


def attendre_serveur(processus, port, chemin, journal):
    limite = time.monotonic() + DELAI_DEMARRAGE_S
    while time.monotonic() < limite:
        if processus.poll() is not None:
            sys.exit(f"gunicorn s'est arrêté (code {processus.returncode}) : voir {journal.name}.")
        try:
            connexion = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connexion.request("GET", chemin)
            if connexion.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    sys.exit(f"gunicorn ne répond pas après {DELAI_DEMARRAGE_S} s.")


def arreter_gunicorn(processus):
    if processus.poll() is None:
        processus.send_signal(signal.SIGTERM)  # graceful: workers finish their request
        try:
            processus.wait(timeout=20)
        except subprocess.TimeoutExpired:
            processus.kill()
            processus.wait()


def jetons_csrf(port, chemin):
    """The csrftoken cookie and the form's csrfmiddlewaretoken, from one GET of the public form."""
    connexion = http.client.HTTPConnection("127.0.0.1", port, timeout=DELAI_REQUETE_S)
    connexion.request("GET", chemin)
    reponse = connexion.getresponse()
    page = reponse.read().decode()
    cookies = " ".join(reponse.headers.get_all("Set-Cookie") or [])
    cookie = re.search(r"csrftoken=([^;]+)", cookies)
    champ = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if not (cookie and champ):
        sys.exit("Jeton CSRF introuvable dans le formulaire public.")
    return cookie.group(1), champ.group(1)


def reponse_a(question):
    """Form fields answering one question with a plausible, valid value."""
    from diagnostic.models import Question

    nom = f"q{question.pk}"
    options = [o for o in question.options.all() if not o.autre]
    if question.a_des_options:
        return [(nom, str(options[0].pk))]
    if question.est_grille:
        return [(f"{nom}_{o.pk}", "3") for o in options]
    if question.type == Question.Type.ECHELLE:
        return [(nom, "3")]
    if question.type == Question.Type.NOMBRE:
        return [(nom, str(int(question.minimum or 0) + 2))]
    return [(nom, "Réponse envoyée par le banc d'essai.")]


def corps_du_formulaire(enquete, jeton_csrf, obligatoires_seulement):
    """The POST body without its `jeton` (added per submission): the profile and the answers."""
    commune = enquete.charte.communes.order_by("-population").first()
    champs = [
        ("csrfmiddlewaretoken", jeton_csrf),
        ("commune", str(commune.pk)),
        ("nombre_adultes", "2"),
        ("nombre_enfants", "1"),
        ("ages_enfants", "4"),
        ("monoparentale", "non"),
        ("etape_vie", "enfance"),
        ("affiliation_msa", "oui"),
    ]
    # Conditional questions are never required to be answered: leaving them out is always valid.
    questions = enquete.questions.filter(condition_option__isnull=True).prefetch_related("options")
    if obligatoires_seulement:
        questions = questions.filter(obligatoire=True)
    for question in questions:
        champs += reponse_a(question)
    return urllib.parse.urlencode(champs)


@dataclass
class Charge:
    """What the clients saw: statuses, latencies and the tokens the server accepted."""

    statuts: Counter = field(default_factory=Counter)
    latences_ms: list = field(default_factory=list)
    acceptes: list = field(default_factory=list)
    premiere_erreur: str = ""
    duree_s: float = 0.0
    succes: str = "302"  # the status that counts as accepted (a GET load passes "200")
    cpu: CpuDepense | None = None
    verrou: threading.Lock = field(default_factory=threading.Lock)

    def noter(self, statut, latence_ms, jeton, contenu):
        with self.verrou:
            self.statuts[statut] += 1
            self.latences_ms.append(latence_ms)
            if statut == self.succes:
                self.acceptes.append(jeton)
            elif not self.premiere_erreur:
                self.premiere_erreur = f"{statut} : {extrait_d_erreur(contenu)}"

    @property
    def debit(self):
        return len(self.acceptes) / self.duree_s if self.duree_s else 0.0


def extrait_d_erreur(contenu):
    """The form's error messages if the page has any, else the start of the body."""
    texte = contenu.decode(errors="replace")
    messages = re.findall(r'class="text-danger small">([^<]+)<', texte)
    return " | ".join(messages[:5]) if messages else texte[:300]


def envoyer(connexion, chemin, corps, entetes):
    """One POST with a fresh token; returns (token, status as text, body). A network error counts as a status."""
    jeton = secrets.token_urlsafe(24)
    try:
        connexion.request("POST", chemin, body=f"{corps}&jeton={jeton}", headers=entetes)
        reponse = connexion.getresponse()
        contenu = reponse.read()
        succes = reponse.status == 302 and reponse.getheader("Location", "").endswith("/merci/")
        return jeton, "302" if succes else str(reponse.status), contenu
    except (OSError, http.client.HTTPException) as erreur:
        connexion.close()
        return jeton, type(erreur).__name__, str(erreur).encode()


def client_de_charge(port, chemin, corps, entetes, tickets, charge, limite, requete=envoyer):
    """One family's browser, posting again and again on its own keep-alive connection."""
    connexion = http.client.HTTPConnection("127.0.0.1", port, timeout=DELAI_REQUETE_S)
    while time.monotonic() < limite and next(tickets, None) is not None:
        debut = time.perf_counter()
        jeton, statut, contenu = requete(connexion, chemin, corps, entetes)
        charge.noter(statut, (time.perf_counter() - debut) * 1000, jeton, contenu)
    connexion.close()


def envoyer_en_parallele(port, chemin, corps, entetes, nombre, clients, duree_s=None, requete=envoyer, succes="302"):
    """`nombre` requests (None: no count) shared by `clients` threads, for at most `duree_s` seconds.

    requete(connexion, chemin, corps, entetes) → (jeton, statut, contenu): `envoyer` by default.
    """
    charge = Charge(succes=succes)
    verrou = threading.Lock()
    restants = iter(range(nombre)) if nombre is not None else itertools.count()

    def tickets():  # a shared, thread-safe countdown: fast clients take more
        while True:
            with verrou:
                ticket = next(restants, None)
            if ticket is None:
                return
            yield ticket

    limite = time.monotonic() + (duree_s if duree_s is not None else DELAI_CHARGE_S)
    fils = [
        threading.Thread(
            target=client_de_charge, args=(port, chemin, corps, entetes, tickets(), charge, limite, requete)
        )
        for _ in range(clients)
    ]
    debut = time.perf_counter()
    for fil in fils:
        fil.start()
    for fil in fils:
        fil.join()
    charge.duree_s = time.perf_counter() - debut
    return charge


@dataclass
class BilanSoumissions:
    charge: Charge
    nouvelles_en_base: int
    acceptees_trouvees: int

    @property
    def perdues(self):
        return len(self.charge.acceptes) - self.acceptees_trouvees

    @property
    def en_trop(self):
        return self.nouvelles_en_base - len(self.charge.acceptes)

    @property
    def erreurs(self):
        return sum(n for statut, n in self.charge.statuts.items() if statut != "302")

    def cpu_ms(self):
        """CPU milliseconds per submission: (gunicorn, PostgreSQL, load client)."""
        cpu, n = self.charge.cpu, max(sum(self.charge.statuts.values()), 1)
        return cpu.gunicorn * 1000 / n, cpu.postgres * 1000 / n, cpu.client * 1000 / n

    def plafond(self):
        """Submissions per second the cores could serve if the server had them all (no client, no neighbour)."""
        gunicorn, postgres, _client = self.cpu_ms()
        return len(os.sched_getaffinity(0)) * 1000 / (gunicorn + postgres)

    def cpu_par_soumission(self):
        gunicorn, postgres, client = self.cpu_ms()
        return (
            f"gunicorn {gunicorn:.1f} ms + PostgreSQL {postgres:.1f} ms (client {client:.1f} ms) "
            f"→ plafond {self.plafond():.0f} /s sur {len(os.sched_getaffinity(0))} cœurs réservés au serveur"
        )


def verifier_en_base(enquete, charge, avant):
    from diagnostic.models import Reponse

    trouvees = sum(
        Reponse.objects.filter(enquete=enquete, jeton_soumission__in=charge.acceptes[i : i + 1000]).count()
        for i in range(0, len(charge.acceptes), 1000)
    )
    return BilanSoumissions(charge, enquete.reponses.count() - avant, trouvees)


def echauffer(port, chemin, corps, entetes, clients):
    """Check that the body is accepted, and let every worker load its code before the timed run."""
    essai = envoyer_en_parallele(port, chemin, corps, entetes, 1, 1)
    if essai.statuts["302"] != 1:
        sys.exit(f"Le formulaire refuse le corps construit : {essai.premiere_erreur}")
    echauffement = envoyer_en_parallele(port, chemin, corps, entetes, 4 * clients, clients)
    if echauffement.statuts["302"] != 4 * clients:
        sys.exit(f"Échauffement : {dict(echauffement.statuts)}, {echauffement.premiere_erreur}")


def mesurer_soumissions(enquete, args):
    from django.db import connections

    JOURNAUX.mkdir(exist_ok=True)
    port, chemin = port_libre(), f"/e/{enquete.jeton}/"
    nom_journal = JOURNAUX / f"gunicorn-{args.classe}-{args.workers}w.log"
    with open(nom_journal, "w") as journal:
        processus = lancer_gunicorn(port, args, journal)
        try:
            attendre_serveur(processus, port, chemin, journal)
            cookie, jeton_csrf = jetons_csrf(port, chemin)
            corps = corps_du_formulaire(enquete, jeton_csrf, args.obligatoires_seulement)
            entetes = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={cookie}"}
            echauffer(port, chemin, corps, entetes, args.clients)
            avant, cpu_avant = enquete.reponses.count(), ReleveCpu.prendre(processus.pid)
            print(f"  {len(corps)} octets par envoi, {args.clients} clients, {args.soumissions} envois…", flush=True)
            charge = envoyer_en_parallele(port, chemin, corps, entetes, args.soumissions, args.clients)
            charge.cpu = ReleveCpu.prendre(processus.pid).depuis(cpu_avant)
        finally:
            arreter_gunicorn(processus)
    connections.close_all()  # the count below must see every commit, from a fresh connection
    bilan = verifier_en_base(enquete, charge, avant)
    afficher_soumissions(bilan)
    return bilan


def afficher_soumissions(bilan):
    charge = bilan.charge
    print(f"  statuts : {dict(charge.statuts)} en {charge.duree_s:.1f} s → {charge.debit:.0f} soumissions/s")
    print(
        f"  latence : p50 {centile(charge.latences_ms, 50):.0f} ms, p95 {centile(charge.latences_ms, 95):.0f} ms, "
        f"p99 {centile(charge.latences_ms, 99):.0f} ms"
    )
    print(
        f"  en base : +{bilan.nouvelles_en_base} réponses pour {len(charge.acceptes)} acceptées "
        f"(perdues {bilan.perdues}, en trop {bilan.en_trop})"
    )
    if charge.premiere_erreur:
        print(f"  première erreur : {charge.premiere_erreur}")
    print(f"  CPU par soumission : {bilan.cpu_par_soumission()}")


# --- report -----------------------------------------------------------------------------------


def lire_proc(fichier, cle):
    for ligne in Path(fichier).read_text().splitlines():
        if ligne.startswith(cle):
            return ligne.split(":", 1)[1].strip()
    return "?"


def charge_moyenne():
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def machine(charge_au_debut):
    from django.db import connection

    with connection.cursor() as curseur:
        curseur.execute("SHOW server_version")
        version_pg = curseur.fetchone()[0]
    memoire_gio = int(lire_proc("/proc/meminfo", "MemTotal").split()[0]) / 1024 / 1024
    return [
        ("Date", time.strftime("%Y-%m-%d %H:%M")),
        ("CPU", f"{len(os.sched_getaffinity(0))} cœurs — {lire_proc('/proc/cpuinfo', 'model name')}"),
        ("RAM", f"{memoire_gio:.1f} Gio"),
        ("PostgreSQL", version_pg),
        ("Python / Django", f"{platform.python_version()} / {__import__('django').get_version()}"),
        # Above the number of cores, other processes competed with the measure.
        ("Charge moyenne (1, 5, 15 min) au début / à la fin", f"{charge_au_debut} / {charge_moyenne()}"),
    ]


def verdict(ok):
    return "PASS" if ok else "**FAIL**"


def lignes_resultats(mesures, nb_reponses):
    if not mesures:
        return []
    *resultats, formulaire = mesures
    lignes = [
        (
            f"Page de résultats, {nb_reponses} réponses, {mesure.libelle} (médiane ; p95)",
            f"< {OBJECTIF_RESULTATS_MS} ms",
            f"{mesure.mediane:.0f} ms ; {centile(mesure.durees_ms, 95):.0f} ms "
            f"(SQL {mesure.sql_ms:.0f} ms en {mesure.requetes_sql} requêtes, {mesure.octets / 1024:.0f} Kio)",
            verdict(mesure.mediane < OBJECTIF_RESULTATS_MS),
        )
        for mesure in resultats
    ]
    lignes.append(
        (
            "Affichage du formulaire public (GET, médiane)",
            "—",
            f"{formulaire.mediane:.0f} ms (CPU Python {formulaire.cpu_ms:.0f} ms, {formulaire.octets / 1024:.0f} Kio)",
            "info",
        )
    )
    return lignes


def lignes_soumissions(bilan, args):
    charge = bilan.charge
    configuration = f"gunicorn {args.classe} {args.workers} workers" + (
        f" × {args.threads} threads" if args.classe == "gthread" else ""
    )
    intact = bilan.perdues == 0 and bilan.en_trop == 0 and bilan.erreurs == 0
    return [
        (
            f"Soumissions publiques ({configuration}, {args.clients} clients)",
            f"≥ {OBJECTIF_SOUMISSIONS_PAR_S} /s",
            f"{charge.debit:.0f} /s (p50 {centile(charge.latences_ms, 50):.0f} ms, "
            f"p99 {centile(charge.latences_ms, 99):.0f} ms)",
            verdict(charge.debit >= OBJECTIF_SOUMISSIONS_PAR_S),
        ),
        (
            "Rien de perdu (réponses en base = envois acceptés)",
            "0 perdue, 0 erreur",
            f"{len(charge.acceptes)} acceptées, +{bilan.nouvelles_en_base} en base, "
            f"{bilan.perdues} perdues, {bilan.erreurs} erreurs",
            verdict(intact),
        ),
        ("CPU par soumission (mesuré pendant la charge)", "—", bilan.cpu_par_soumission(), "info"),
    ]


def tableau(entete, lignes):
    sortie = ["| " + " | ".join(entete) + " |", "|" + "---|" * len(entete)]
    sortie += ["| " + " | ".join(str(c) for c in ligne) + " |" for ligne in lignes]
    return "\n".join(sortie)


def afficher_rapport(mesures, bilan, args, charge_au_debut):
    print("\n## Machine\n")
    print(tableau(("", ""), machine(charge_au_debut)))
    print("\n## Objectifs\n")
    lignes = lignes_resultats(mesures, args.reponses) + (lignes_soumissions(bilan, args) if bilan else [])
    print(tableau(("Mesure", "Objectif", "Mesuré", "Verdict"), lignes))
    echecs = [ligne[0] for ligne in lignes if ligne[3] not in ("PASS", "info")]
    print(
        "\n" + (f"FAIL : {len(echecs)} objectif(s) non atteint(s)." if echecs else "Tous les objectifs sont atteints.")
    )


def main():
    args = lire_arguments()
    charge_au_debut = charge_moyenne()
    preparer_environnement(args.base)
    creer_base_si_absente(args.base)
    demarrer_django()
    utilisateur = coordinatrice()
    charte = charte_de_mesure(utilisateur)
    # Two surveys: the measured one keeps exactly --reponses answers; submissions go to the other.
    enquete = enquete_publiee(charte, f"Mesure — {args.reponses} réponses", utilisateur)
    print(f"Remplissage de « {enquete} » (lots de {TAILLE_LOT})…", flush=True)
    remplir(enquete, args.reponses)
    enquete_publique = enquete_publiee(charte, "Mesure — soumissions publiques", utilisateur)
    effacer_les_soumissions(enquete_publique)  # left by an interrupted run
    mesures, bilan = [], None
    if not args.sans_resultats:
        print("\nPage de résultats (django.test.Client, temps serveur) :", flush=True)
        mesures = mesurer_resultats(enquete, utilisateur)
    if not args.sans_soumissions:
        print("\nSoumissions du formulaire public (gunicorn, HTTP sur 127.0.0.1) :", flush=True)
        bilan = mesurer_soumissions(enquete_publique, args)
        effacer_les_soumissions(enquete_publique)
    afficher_rapport(mesures, bilan, args, charge_au_debut)
    return 0  # a measurement: a missed goal is reported, not an error


if __name__ == "__main__":
    sys.exit(main())
