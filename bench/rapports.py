"""Benchmark of the PDF reports built by Celery (a measurement, not a test; never run by CI).

(a) the demo COPIL report (and the other kinds) produced in a fresh process: time and peak RSS;
(b) N reports (50) requested at once, two worker processes: total time, all produced, one file each;
(c) a worker killed with SIGKILL mid-report: its pool process, then the whole worker (restarted at
    once, or after its claim went stale with beat stopped), and three interruptions in a row → échec;
(d) Redis stopped when a report is requested, then back.

Run from the project root:  .venv/bin/python bench/rapports.py [--rapports 50 --sans-arrets --sans-echec]
Own database (bench_rapports, created, migrated and loaded with the demo if needed), own throw-away
Redis on a free port, reports written to a temporary folder. See bench/README.md for the figures.
"""

import argparse
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

BENCH = Path(__file__).resolve().parent
RACINE = BENCH.parent
sys.path.insert(0, str(RACINE))  # `bench` is a package of the project root, not of sys.path[0] (bench/)
from bench.processus import (  # noqa: E402
    Processus,
    attendre,
    creer_base_si_absente,
    port_libre,
    reglages_de_production,
)

BASE_PAR_DEFAUT = "postgres://postgres@127.0.0.1:5432/bench_rapports"
SIREN_DEMO = "200066140"  # the demo charter: CC de l'Aire à l'Argonne
IDENTIFIANT = "bench-rapports"  # the reports of the bench are asked by this account, and deleted at each run
DELAI_MAX = 60  # the promise: produced within a minute of the worker being back
DELAI_LOT = 600


def lire_arguments():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", default=os.environ.get("BENCH_DATABASE_URL", BASE_PAR_DEFAUT))
    parser.add_argument("--rapports", type=int, default=50, help="reports requested at once in (b)")
    parser.add_argument("--une-instance", action="store_true", help="(b) with one `worker -c 2` instead of 2 × `-c 1`")
    parser.add_argument("--etapes", default="abcd", help="the measures to run, e.g. `ad` (default: abcd)")
    parser.add_argument("--sans-arrets", action="store_true", help="skip (c), the kills (about 3 minutes)")
    parser.add_argument("--sans-echec", action="store_true", help="in (c), skip the three interruptions → échec")
    parser.add_argument("--garder", action="store_true", help="keep the PDF files and the logs")
    return parser.parse_args()


# --- environment and processes ------------------------------------------------------------------


def preparer_environnement(url_base, port_redis, dossier):
    """Production settings with our own throw-away Redis and media folder."""
    reglages_de_production(
        url_base, CELERY_BROKER_URL=f"redis://127.0.0.1:{port_redis}/0", MEDIA_ROOT=str(Path(dossier, "media"))
    )


def manage(*arguments):
    """A management command, with its tasks (the demo's e-mails) run in-process: Redis is not started yet."""
    debut = time.monotonic()
    env = os.environ | {"CELERY_BROKER_URL": "", "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    subprocess.run(
        [sys.executable, "manage.py", *arguments], cwd=RACINE, env=env, check=True, stdout=subprocess.DEVNULL
    )
    print(f"  manage.py {' '.join(arguments)} : {time.monotonic() - debut:.1f} s", flush=True)


class Lanceur:
    def __init__(self, dossier, port_redis):
        self.dossier = dossier
        self.port_redis = port_redis
        self.processus = []
        self.numero = 0

    def _lancer(self, nom, commande):
        processus = Processus(nom, commande, self.dossier, cwd=RACINE)
        self.processus.append(processus)
        return processus

    def worker(self, concurrence=1):
        self.numero += 1
        nom = f"worker-{self.numero}"
        commande = [sys.executable, "-m", "celery", "-A", "charte", "worker", "--pool=prefork", "--loglevel=info"]
        return self._lancer(nom, commande + [f"--concurrency={concurrence}", f"--hostname={nom}@%h"])

    def beat(self):
        schedule = Path(self.dossier, "celerybeat-schedule")
        commande = [sys.executable, "-m", "celery", "-A", "charte", "beat", "--loglevel=info", f"--schedule={schedule}"]
        return self._lancer("beat", commande)

    def redis(self):
        commande = ["redis-server", "--port", str(self.port_redis), "--bind", "127.0.0.1"]
        serveur = self._lancer(f"redis-{len(self.processus)}", commande + ["--save", "", "--appendonly", "no"])

        def repond():
            with socket.socket() as sonde:
                return sonde.connect_ex(("127.0.0.1", self.port_redis)) == 0

        if not attendre(repond, 10):
            raise RuntimeError("Le serveur Redis jetable ne démarre pas.")
        return serveur

    def arreter_tout(self):
        for processus in reversed(self.processus):
            processus.arreter()


# --- data ---------------------------------------------------------------------------------------


def demarrer_django(recharger):
    import django

    warnings.filterwarnings("ignore", "No directory at", UserWarning)
    print("Base de mesure :", flush=True)
    manage("migrate", "--noinput", "-v", "0")
    django.setup()
    from charte.models import Charte

    if recharger or not Charte.objects.filter(territoire__siren=SIREN_DEMO).exists():
        manage("charger_referentiel")
        manage("seed_demo")


def donnees_de_mesure():
    """The demo charter, its COPIL meeting to report on, one fiche, and the bench's own account."""
    from django.contrib.auth import get_user_model

    from charte.models import Charte
    from rapports.models import Rapport

    charte = Charte.objects.select_related("territoire").get(territoire__siren=SIREN_DEMO)
    utilisateur, _ = get_user_model().objects.get_or_create(
        username=IDENTIFIANT, defaults={"email": f"{IDENTIFIANT}@exemple.fr"}
    )
    Rapport.objects.filter(demande_par=utilisateur).delete()  # left by a previous run
    return charte, charte.copils.first(), charte.fiches.order_by("numero").first(), utilisateur


def lire(rapport_pk):
    from rapports.models import Rapport

    return Rapport.objects.get(pk=rapport_pk)


def statut(rapport_pk):
    from rapports.models import Rapport

    return Rapport.objects.filter(pk=rapport_pk).values_list("statut", flat=True).first()


def fichiers(rapport):
    from django.conf import settings

    return sorted(Path(settings.MEDIA_ROOT, "rapports", str(rapport.charte_id)).glob(f"rapport-{rapport.pk}-*.pdf"))


def attendre_la_fin(rapport_pk, delai=DELAI_MAX):
    fin = attendre(lambda: statut(rapport_pk) in ("pret", "echec"), delai, pas=0.1)
    return lire(rapport_pk) if fin else None


# --- (a) one report in a fresh process ------------------------------------------------------------

CODE_PROCESSUS_NEUF = """
import json, resource, sys, time
debut = time.monotonic()
import django
django.setup()
from django.contrib.auth import get_user_model
from rapports.models import Rapport
from rapports.services import produire
pret = time.monotonic()
rss_avant = int(next(l for l in open("/proc/self/status") if l.startswith("VmRSS")).split()[1])
type, seance, fiche = sys.argv[1], sys.argv[2] or None, sys.argv[3] or None
rapport = Rapport.objects.create(charte_id=int(sys.argv[4]), type=type, seance_id=seance, fiche_id=fiche,
                                 demande_par=get_user_model().objects.get(username=sys.argv[5]))
t = time.monotonic()
produire(rapport.pk)
produit = time.monotonic() - t
rapport.refresh_from_db()
print(json.dumps({"statut": rapport.statut, "erreur": rapport.erreur, "pages": rapport.nb_pages,
                  "octets": rapport.fichier.size if rapport.fichier else 0, "produire_s": produit,
                  "django_s": pret - debut, "rss_avant_ko": rss_avant,
                  "rss_max_ko": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def produire_dans_un_processus_neuf(type, charte, seance, fiche, utilisateur):
    debut = time.monotonic()
    sortie = subprocess.run(
        [sys.executable, "-c", CODE_PROCESSUS_NEUF, type, str(seance.pk if seance and type == "copil" else "")]
        + [str(fiche.pk if type == "fiche" else ""), str(charte.pk), utilisateur.username],
        cwd=RACINE,
        check=True,
        capture_output=True,
        text=True,
    )
    mesure = json.loads(sortie.stdout.strip().splitlines()[-1])
    mesure["processus_s"] = time.monotonic() - debut
    return mesure


def mesurer_processus_neuf(charte, seance, fiche, utilisateur):
    print("\n(a) Un rapport dans un processus neuf (produire() sans Celery) :", flush=True)
    mesures = {}
    for type, fois in (("copil", 3), ("diagnostic", 1), ("evaluation", 1), ("fiche", 1)):
        if type == "fiche" and fiche is None:
            continue
        essais = [produire_dans_un_processus_neuf(type, charte, seance, fiche, utilisateur) for _ in range(fois)]
        mesures[type] = essais
        for essai in essais:
            print(
                f"  {type:<10} {essai['statut']:<5} {essai['pages'] or 0:>3} p. {essai['octets'] / 1024:>7.0f} Kio  "
                f"produire {essai['produire_s']:.2f} s  processus {essai['processus_s']:.2f} s  "
                f"RSS {essai['rss_avant_ko'] / 1024:.0f} → max {essai['rss_max_ko'] / 1024:.0f} Mio {essai['erreur'][:80]}",
                flush=True,
            )
    return mesures


# --- (b) N reports at once ------------------------------------------------------------------------


def taches_executees(journal):
    """The generer_rapport messages a worker ran (a duplicate message is one more)."""
    return sum(
        1 for ligne in journal.splitlines() if "rapports.tasks.generer_rapport[" in ligne and "succeeded" in ligne
    )


def rss_max_des_enfants(worker):
    total = []
    for pid in worker.enfants():
        try:
            ligne = next(x for x in Path(f"/proc/{pid}/status").read_text().splitlines() if x.startswith("VmHWM"))
            total.append(int(ligne.split()[1]) / 1024)
        except (OSError, StopIteration):
            continue
    return max(total, default=0)


def mesurer_lot(lanceur, charte, seance, utilisateur, n, une_instance):
    from rapports.models import Rapport
    from rapports.services import demander_rapport

    print(f"\n(b) {n} rapports demandés d'un coup, deux processus worker :", flush=True)
    workers = [lanceur.worker(concurrence=2)] if une_instance else [lanceur.worker(), lanceur.worker()]
    demarrages = [worker.pret() for worker in workers]
    print(f"  workers prêts en {', '.join(f'{d:.1f} s' for d in demarrages)}", flush=True)
    debut = time.monotonic()
    pks = [demander_rapport(charte, Rapport.Type.COPIL, par=utilisateur, seance=seance).pk for _ in range(n)]
    demande_s = time.monotonic() - debut
    termine = attendre(lambda: Rapport.objects.filter(pk__in=pks, statut__in=("pret", "echec")).count() == n, DELAI_LOT)
    total_s = time.monotonic() - debut
    time.sleep(1)  # the last "succeeded" lines reach the logs
    rapports = list(Rapport.objects.filter(pk__in=pks))
    latences = sorted((r.termine_le - r.demande_le).total_seconds() for r in rapports if r.termine_le)
    bilan = {
        "n": n,
        "termine": bool(termine),
        "demande_s": demande_s,
        "total_s": total_s,
        "prets": sum(r.statut == "pret" for r in rapports),
        "echecs": sum(r.statut == "echec" for r in rapports),
        "fichiers": sum(len(fichiers(r)) for r in rapports),
        "tentatives": sorted({r.tentatives for r in rapports}),
        "latence_p50": statistics.median(latences) if latences else 0,
        "latence_max": max(latences, default=0),
        "rendu_moyen_ms": statistics.mean(r.duree_ms for r in rapports if r.duree_ms) if latences else 0,
        "rendu_max_ms": max((r.duree_ms or 0 for r in rapports), default=0),
        # The heartbeat ticked during the render (a render longer than PERIODE_BATTEMENT).
        "battements": sum(
            bool(r.battement and r.commence_le and (r.battement - r.commence_le).total_seconds() >= 4.5)
            for r in rapports
        ),
        "par_worker": [taches_executees(w.sortie()) for w in workers],
        "rss_enfants_mio": [rss_max_des_enfants(w) for w in workers],
    }
    for worker in workers:
        worker.arreter()
    print(
        f"  {bilan['prets']}/{n} prêts en {total_s:.1f} s ({n / total_s:.1f} /s), demandes en {demande_s:.2f} s, "
        f"fichiers {bilan['fichiers']}, tentatives {bilan['tentatives']}, messages exécutés {bilan['par_worker']}, "
        f"RSS max des processus du pool {', '.join(f'{r:.0f}' for r in bilan['rss_enfants_mio'])} Mio",
        flush=True,
    )
    return bilan


# --- (c) kills ------------------------------------------------------------------------------------


def geler_pendant_le_rendu(rapport_pk, pids, signaler, tentative=1):
    """Catch the worker holding the report, freeze it (SIGSTOP) to check it is mid-report, then SIGKILL it."""
    if not attendre(lambda: statut(rapport_pk) == "en_cours" and lire(rapport_pk).tentatives == tentative, 90, 0.005):
        raise RuntimeError(f"Le rapport {rapport_pk} n'a pas été pris (tentative {tentative}).")
    for pid in pids():
        signaler(pid, signal.SIGSTOP)
    rapport = lire(rapport_pk)
    au_milieu = rapport.statut == "en_cours" and rapport.tentatives == tentative and not fichiers(rapport)
    for pid in pids():
        signaler(pid, signal.SIGKILL)
    if not au_milieu:
        raise RuntimeError("Course perdue : le rendu avait fini avant le gel ; relancez la mesure.")
    return time.monotonic()


def bilan_arret(nom, rapport_pk, depuis, reference, attendu="pret", tentatives=2):
    rapport = attendre_la_fin(rapport_pk, delai=150)
    duree = time.monotonic() - depuis if rapport else None
    nb = len(fichiers(rapport)) if rapport else None
    correct = (
        rapport is not None
        and rapport.statut == attendu
        and rapport.tentatives == tentatives
        and nb == (1 if attendu == "pret" else 0)
    )
    etat = f"{rapport.statut}, tentatives {rapport.tentatives}, fichiers {nb}" if rapport else "toujours en cours"
    print(f"  {nom} : {etat}, {duree or 0:.1f} s {reference}", flush=True)
    return {"nom": nom, "duree_s": duree, "reference": reference, "etat": etat, "correct": correct}


def mesurer_arrets(lanceur, beat, charte, seance, utilisateur, avec_echec):
    from rapports.models import Rapport
    from rapports.services import demander_rapport

    def demander():
        return demander_rapport(charte, Rapport.Type.COPIL, par=utilisateur, seance=seance).pk

    print("\n(c) Worker tué par SIGKILL au milieu d'un rapport (beat tourne, toutes les 15 s) :", flush=True)
    resultats = []

    worker = lanceur.worker()
    worker.pret()
    pk = demander()
    tue = geler_pendant_le_rendu(pk, worker.enfants, os.kill)
    resultats.append(bilan_arret("Processus enfant tué", pk, tue, "après la mort de l'enfant (le worker reste)"))

    pk = demander()
    geler_pendant_le_rendu(pk, lambda: [worker.pid], os.killpg)
    worker.popen.wait(timeout=10)
    worker = lanceur.worker()
    relance = time.monotonic()
    resultats.append(bilan_arret("Worker entier tué, relancé aussitôt", pk, relance, "après sa relance"))

    beat.arreter()  # the worker's start alone must pick up a job left by a dead worker
    worker.pret()
    pk = demander()
    geler_pendant_le_rendu(pk, lambda: [worker.pid], os.killpg)
    worker.popen.wait(timeout=10)
    from rapports.services import PERIME

    time.sleep(PERIME.total_seconds() + 2)
    worker = lanceur.worker()
    relance = time.monotonic()
    resultats.append(
        bilan_arret("Worker entier tué, relancé 22 s après, sans beat", pk, relance, "après sa relance (worker_ready)")
    )
    beat = lanceur.beat()

    if avec_echec:
        worker.pret()
        pk = demander()
        debut = time.monotonic()
        for tentative in (1, 2, 3):
            geler_pendant_le_rendu(pk, worker.enfants, os.kill, tentative=tentative)
        resultats.append(
            bilan_arret(
                "Trois tentatives interrompues (enfant tué 3 fois)",
                pk,
                debut,
                "après la demande",
                attendu="echec",
                tentatives=3,
            )
        )
    worker.arreter()
    return resultats, beat


# --- (d) Redis stopped, then back ----------------------------------------------------------------


def mesurer_redis(lanceur, redis, charte, seance, utilisateur):
    from rapports.models import Rapport
    from rapports.services import demander_rapport

    print("\n(d) Redis arrêté pendant une demande, puis de retour :", flush=True)
    worker = lanceur.worker()
    worker.pret()
    redis.arreter()
    debut = time.monotonic()
    try:
        pk = demander_rapport(charte, Rapport.Type.COPIL, par=utilisateur, seance=seance).pk
        erreur = ""
    except Exception as exc:  # the point of the measure: there must be none
        pk, erreur = None, repr(exc)
    demande_s = time.monotonic() - debut
    differe = pk is not None and lire(pk).differe
    time.sleep(5)
    redis = lanceur.redis()
    retour = time.monotonic()
    rapport = attendre_la_fin(pk) if pk else None
    produit_s = time.monotonic() - retour if rapport else None
    debut = time.monotonic()
    apres = demander_rapport(charte, Rapport.Type.COPIL, par=utilisateur, seance=seance)
    apres_s = time.monotonic() - debut
    apres = attendre_la_fin(apres.pk)
    bilan = {
        "demande_s": demande_s,
        "erreur": erreur,
        "differe": differe,
        "produit_s": produit_s,
        "etat": f"{rapport.statut}, tentatives {rapport.tentatives}, fichiers {len(fichiers(rapport))}"
        if rapport
        else "non produit",
        "correct": bool(
            rapport and rapport.statut == "pret" and rapport.tentatives == 1 and len(fichiers(rapport)) == 1
        ),
        "apres": f"mis en file en {apres_s * 1000:.0f} ms, {apres.statut if apres else 'non produit'}",
    }
    print(
        f"  demande pendant la panne : {demande_s:.2f} s, {'différée' if differe else 'NON différée'} {erreur}; "
        f"prêt {produit_s or 0:.1f} s après le retour de Redis ({bilan['etat']}); demande suivante : {bilan['apres']}",
        flush=True,
    )
    # A Redis that hangs without closing its connections (frozen here; a network cut does the same).
    os.kill(redis.pid, signal.SIGSTOP)
    debut = time.monotonic()
    try:
        fige = demander_rapport(charte, Rapport.Type.COPIL, par=utilisateur, seance=seance).pk
        erreur = ""
    except Exception as exc:
        fige, erreur = None, repr(exc)
    fige_s = time.monotonic() - debut
    # Its LPUSH may still sit in the socket and run when Redis wakes: a second message, which must be harmless.
    fige_differe = bool(fige and lire(fige).differe)
    time.sleep(3)
    os.kill(redis.pid, signal.SIGCONT)
    retour = time.monotonic()
    rapport = attendre_la_fin(fige) if fige else None
    bilan["fige"] = {
        "demande_s": fige_s,
        "erreur": erreur,
        "differe": fige_differe,
        "produit_s": time.monotonic() - retour if rapport else None,
        "correct": bool(
            rapport and rapport.statut == "pret" and rapport.tentatives == 1 and len(fichiers(rapport)) == 1
        ),
    }
    print(
        f"  Redis figé : demande en {fige_s:.2f} s, {'différée' if fige_differe else 'NON différée'} {erreur}; "
        f"prêt {bilan['fige']['produit_s'] or 0:.1f} s après son réveil",
        flush=True,
    )
    worker.arreter()
    return bilan


# --- report ---------------------------------------------------------------------------------------


def tableau(entete, lignes):
    sortie = ["| " + " | ".join(entete) + " |", "|" + "---|" * len(entete)]
    sortie += ["| " + " | ".join(str(c) for c in ligne) + " |" for ligne in lignes]
    return "\n".join(sortie)


def verdict(ok):
    return "PASS" if ok else "**FAIL**"


def afficher(neufs, lot, arrets, redis):
    import celery
    import django
    import weasyprint
    from django.db import connection

    with connection.cursor() as curseur:
        curseur.execute("SHOW server_version")
        version_pg = curseur.fetchone()[0]
    print("\n## Machine\n")
    print(
        tableau(
            ("", ""),
            [
                ("Processeur", f"{os.cpu_count()} cœurs, {platform.processor() or platform.machine()}"),
                ("Logiciels", f"Python {platform.python_version()}, Django {django.get_version()}, "
                 f"Celery {celery.__version__}, WeasyPrint {weasyprint.__version__}, PostgreSQL {version_pg}"),
                ("Charge moyenne à la fin", ", ".join(f"{x:.2f}" for x in os.getloadavg())),
            ],
        )
    )  # fmt: skip
    lignes = []
    for type, essais in neufs.items():
        produire = [e["produire_s"] for e in essais]
        rss = max(e["rss_max_ko"] for e in essais) / 1024
        ok = all(e["statut"] == "pret" for e in essais)
        lignes.append(
            (
                f"(a) Rapport {type} de la démo, processus neuf"
                + (f" ({len(essais)} fois)" if len(essais) > 1 else ""),
                "—",
                f"produire() {statistics.median(produire):.2f} s (dont import de WeasyPrint) ; processus entier "
                f"{statistics.median(e['processus_s'] for e in essais):.1f} s ; {essais[0]['pages']} p., "
                f"{essais[0]['octets'] / 1024:.0f} Kio ; RSS {essais[0]['rss_avant_ko'] / 1024:.0f} Mio après Django, "
                f"pic {rss:.0f} Mio",
                verdict(ok),
            )
        )
    if lot:
        n = lot["n"]
        correct = lot["termine"] and lot["prets"] == n and lot["fichiers"] == n and lot["tentatives"] == [1]
        lignes.append(
            (
                f"(b) {n} rapports COPIL demandés d'un coup, 2 workers",
                f"{n} prêts, {n} fichiers, 1 tentative chacun",
                f"{lot['prets']} prêts, {lot['echecs']} échecs, {lot['fichiers']} fichiers, tentatives "
                f"{lot['tentatives']} ; {lot['total_s']:.1f} s en tout ({n / lot['total_s']:.1f} rapports/s) ; "
                f"attente p50 {lot['latence_p50']:.1f} s, max {lot['latence_max']:.1f} s ; rendu moyen "
                f"{lot['rendu_moyen_ms']:.0f} ms (max {lot['rendu_max_ms']:.0f}, battement rafraîchi pendant "
                f"{lot['battements']} rendus) ; messages exécutés par worker {lot['par_worker']} ; RSS max d'un "
                f"processus du pool {max(lot['rss_enfants_mio']):.0f} Mio",
                verdict(correct),
            )
        )
    for arret in arrets:
        limite = arret["duree_s"] is not None and arret["duree_s"] <= DELAI_MAX + (60 if "Trois" in arret["nom"] else 0)
        lignes.append(
            (
                f"(c) {arret['nom']}",
                "produit une fois, < 60 s" if "Trois" not in arret["nom"] else "échec, aucun fichier",
                f"{arret['etat']} ; {arret['duree_s'] or 0:.1f} s {arret['reference']}",
                verdict(arret["correct"] and limite),
            )
        )
    if redis:
        lignes.append(
            (
                "(d) Redis arrêté pendant la demande, puis de retour",
                "pas d'erreur, différé, puis produit",
                f"demande {redis['demande_s']:.2f} s, {'différée' if redis['differe'] else 'non différée'}"
                f"{' ' + redis['erreur'] if redis['erreur'] else ''} ; {redis['etat']} "
                f"{redis['produit_s'] or 0:.1f} s après le retour de Redis ; demande suivante {redis['apres']}",
                verdict(redis["correct"] and redis["differe"] and not redis["erreur"]),
            )
        )
    if redis and "fige" in redis:
        fige = redis["fige"]
        lignes.append(
            (
                "(d) Redis figé (SIGSTOP) pendant la demande, puis réveillé",
                "la demande n'attend pas (< 5 s), puis produit",
                f"demande {fige['demande_s']:.2f} s, {'différée' if fige['differe'] else 'non différée'}"
                f"{' ' + fige['erreur'] if fige['erreur'] else ''} ; prêt {fige['produit_s'] or 0:.1f} s après le "
                "réveil, une tentative, un fichier",
                verdict(fige["correct"] and fige["demande_s"] < 5 and fige["differe"] and not fige["erreur"]),
            )
        )
    print("\n## Mesures\n")
    print(tableau(("Mesure", "Attendu", "Mesuré", "Verdict"), lignes))


def main():
    args = lire_arguments()
    dossier = tempfile.mkdtemp(prefix="bench-rapports-")
    port = port_libre()
    preparer_environnement(args.base, port, dossier)
    creer_base_si_absente(args.base)
    demarrer_django(recharger=False)
    charte, seance, fiche, utilisateur = donnees_de_mesure()
    print(f"Charte : {charte} ; COPIL : {seance} ; journaux et fichiers : {dossier}", flush=True)

    neufs = mesurer_processus_neuf(charte, seance, fiche, utilisateur) if "a" in args.etapes else {}
    lanceur = Lanceur(dossier, port)
    lot, arrets, bilan_redis = None, [], None
    try:
        redis = lanceur.redis()
        beat = lanceur.beat()
        if "b" in args.etapes:
            lot = mesurer_lot(lanceur, charte, seance, utilisateur, args.rapports, args.une_instance)
        if "c" in args.etapes and not args.sans_arrets:
            arrets, beat = mesurer_arrets(lanceur, beat, charte, seance, utilisateur, not args.sans_echec)
        if "d" in args.etapes:
            bilan_redis = mesurer_redis(lanceur, redis, charte, seance, utilisateur)
    finally:
        lanceur.arreter_tout()
        from rapports.models import Rapport

        Rapport.objects.filter(demande_par=utilisateur).delete()
    afficher(neufs, lot, arrets, bilan_redis)
    if args.garder:
        print(f"\nFichiers et journaux gardés dans {dossier}")
    else:
        shutil.rmtree(dossier, ignore_errors=True)
    return 0  # a measurement: a miss is reported, not an error


if __name__ == "__main__":
    sys.exit(main())
