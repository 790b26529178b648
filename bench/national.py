"""Load benchmark on the national data set (issue #8): each page against a minimal Django view.

Run by hand from the project root, never in CI (the data set comes from `manage.py generer_national`):
    .venv/bin/python bench/national.py [--duree 20 --clients 20 --workers 5 --threads 2]

gunicorn (production settings, plain HTTP, bench/reglages.py = the project's URLs + /bench/minimal/) on
127.0.0.1, the bench_national database, the Redis cache; for each page, `--clients` keep-alive clients
(the load generator of bench/diagnostic.py) for `--duree` seconds. Prints one table: requests/s, p50,
p95, p99, errors, throughput as a ratio of the minimal view's, and the SQL query count of each page
measured in-process (django.test.Client) on the same data. Submissions sent are deleted at the end.
"""

import argparse
import os
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(RACINE))  # `bench` is a package of the project root, not of sys.path[0] (bench/)

from bench import wrk  # noqa: E402
from bench.diagnostic import (  # noqa: E402
    JOURNAUX,
    ReleveCpu,
    arreter_gunicorn,
    attendre_serveur,
    charge_moyenne,
    corps_du_formulaire,
    demarrer_django,
    echauffer,
    jetons_csrf,
    lancer_gunicorn,
    machine,
    port_libre,
    preparer_environnement,
    tableau,
)
from bench.processus import attendre  # noqa: E402

BASE_PAR_DEFAUT = "postgres://postgres@127.0.0.1:5432/bench_national"
CACHE_PAR_DEFAUT = "redis://127.0.0.1:6379/8"
IDENTIFIANT_NATIONAL = "bench-national"  # created if missing: the generator makes no national-staff account
MINIMAL = "/bench/minimal/"
OBJECTIF_P95_MS = 150
OBJECTIF_RATIO_TABLEAU = 0.20
OBJECTIF_REQUETES = 15
OBJECTIF_SOUMISSIONS_S = 100
ECHAUFFEMENT_S = 2


def lire_arguments():
    coeurs = len(os.sched_getaffinity(0))
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", default=os.environ.get("BENCH_DATABASE_URL", BASE_PAR_DEFAUT))
    parser.add_argument("--cache", default=CACHE_PAR_DEFAUT, help="CACHE_URL of the server ('' : in-process)")
    parser.add_argument("--duree", type=float, default=20, help="seconds of load per page")
    parser.add_argument("--clients", type=int, default=20, help="concurrent HTTP clients")
    parser.add_argument("--workers", type=int, default=2 * coeurs + 1, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=2, help="threads per worker (gthread)")
    parser.add_argument(
        "--classe", choices=["gthread", "sync"], default="sync", help="sync: as in production (Dockerfile)"
    )
    parser.add_argument("--charte", type=int, default=0, help="rank of the measured charter among the national ones")
    parser.add_argument("--seulement", help="ranks of the pages to load, e.g. 0,6 (0: the minimal view, always kept)")
    args = parser.parse_args()
    args.application = "charte.wsgi:application"
    return args


def preparer(args):
    preparer_environnement(args.base)
    os.environ.update({"DJANGO_SETTINGS_MODULE": "bench.reglages", "CACHE_URL": args.cache})
    demarrer_django()  # migrate: the data set may predate the latest migrations


# --- data ---------------------------------------------------------------------------------------


@dataclass
class Page:
    libelle: str
    chemin: str
    cookie: str = ""  # sessionid of the user who reads it; "" for anonymous pages
    methode: str = "GET"


def session(utilisateur):
    """A session stored in the database (shared by every gunicorn worker): one login, no password needed."""
    from django.test import Client

    client = Client()
    client.force_login(utilisateur)
    return client.cookies["sessionid"].value


def choisir(args):
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from charte.models import Charte, Membre
    from rapports.national import MARQUE

    chartes = list(Charte.objects.filter(nom__endswith=MARQUE).order_by("pk"))
    if len(chartes) < 2:
        sys.exit("Pas de jeu national dans cette base : lancer `manage.py generer_national` (bench/README.md).")
    charte, autre = chartes[args.charte], chartes[args.charte - 1]
    coordinateur = Membre.objects.get(charte=charte, role=Membre.Role.COORDINATEUR).utilisateur
    national, _ = get_user_model().objects.update_or_create(
        username=IDENTIFIANT_NATIONAL, defaults={"est_national": True, "email": "bench-national@exemple.fr"}
    )
    fiche = charte.fiches.order_by("numero").first()
    enquete = charte.enquetes.get()
    publique = autre.enquetes.get()  # submissions go to another charter: the measured results stay as generated
    slug, cookie = charte.slug, session(coordinateur)
    pages = [
        Page("Vue minimale (plafond)", MINIMAL),
        Page("Tableau de bord de la charte", reverse("rapports:tableau_de_bord", args=[slug]), cookie),
        Page(
            "Plan filtré (en cours, 2026)",
            reverse("plan_actions:plan", args=[slug]) + "?statut=en_cours&annee=2026",
            cookie,
        ),
        Page("Fiche action", reverse("plan_actions:fiche", args=[slug, fiche.pk]), cookie),
        Page(
            f"Résultats de l'enquête ({enquete.reponses.count()} réponses)",
            reverse("diagnostic:resultats", kwargs={"charte_slug": slug, "pk": enquete.pk}),
            cookie,
        ),
        Page("Vue nationale /chartes/ (personnel national)", reverse("charte:liste"), session(national)),
        Page("Soumission publique (POST)", f"/e/{publique.jeton}/", methode="POST"),
    ]
    print(f"Charte mesurée : {charte.nom} ({slug}), coordinateur {coordinateur.username} ; soumissions : {autre.nom}")
    return pages, publique


# --- SQL query counts (in-process) --------------------------------------------------------------


def compter_requetes(page, corps):
    """Queries of one request once the caches are warm (the second of two identical requests)."""
    import secrets

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    if page.cookie:
        client.cookies["sessionid"] = page.cookie
    resultat = None
    for _ in range(2):
        with CaptureQueriesContext(connection) as requetes:
            if page.methode == "POST":
                reponse = client.post(
                    page.chemin, f"{corps}&jeton={secrets.token_urlsafe(24)}", "application/x-www-form-urlencoded"
                )
                attendu = 302
            else:
                reponse = client.get(page.chemin)
                attendu = 200
        if reponse.status_code != attendu:
            sys.exit(f"{page.methode} {page.chemin} : statut {reponse.status_code} au lieu de {attendu}.")
        resultat = len(requetes)
    return resultat


# --- load ---------------------------------------------------------------------------------------


def charger(port, page, corps, entetes_post, args, maitre, prefixe):
    """Warm every worker up, then `--duree` seconds of wrk with `--clients` connections; server CPU spent."""
    if page.methode == "POST":
        echauffer(port, page.chemin, corps, entetes_post, args.clients)
        entetes, succes = entetes_post, "302"
    else:
        entetes = {"Cookie": f"sessionid={page.cookie}"} if page.cookie else {}
        succes, corps = "200", None
    echauffement = wrk.charger(port, page.chemin, ECHAUFFEMENT_S, args.clients, entetes, succes, corps, prefixe + "e")
    if echauffement.erreurs:
        sys.exit(f"Échauffement de {page.chemin} : {echauffement.premiere_erreur}")
    avant = ReleveCpu.prendre(maitre)
    charge = wrk.charger(port, page.chemin, args.duree, args.clients, entetes, succes, corps, prefixe)
    charge.cpu = ReleveCpu.prendre(maitre).depuis(avant)
    return charge


def cpu_serveur_ms(charge):
    """Server CPU (gunicorn + PostgreSQL) per request: what the page costs, whatever else the machine runs."""
    return (charge.cpu.gunicorn + charge.cpu.postgres) * 1000 / max(sum(charge.statuts.values()), 1)


def postgresql_ms(charge):
    return charge.cpu.postgres * 1000 / max(sum(charge.statuts.values()), 1)


def client_ms(charge):
    """The load generator's CPU per request: what it takes from the two cores the server also needs."""
    return charge.cpu_client * 1000 / max(sum(charge.statuts.values()), 1)


def mesurer(pages, publique, args):
    from django.db import connections

    JOURNAUX.mkdir(exist_ok=True)
    port = port_libre()
    acces = JOURNAUX / "acces-national.log"
    acces.unlink(missing_ok=True)
    with open(JOURNAUX / f"gunicorn-national-{args.classe}-{args.workers}w.log", "w") as journal:
        processus = lancer_gunicorn(port, args, journal, acces)
        try:
            attendre_serveur(processus, port, MINIMAL, journal)
            cookie, jeton_csrf = jetons_csrf(port, f"/e/{publique.jeton}/")
            corps = corps_du_formulaire(publique, jeton_csrf, obligatoires_seulement=False)
            entetes_post = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={cookie}"}
            charges, prefixe = {}, f"national-{time.time_ns()}"
            for page in pages:
                print(f"  {page.libelle} : {args.clients} connexions, {args.duree:.0f} s…", flush=True)
                charges[page.libelle] = charger(port, page, corps, entetes_post, args, processus.pid, prefixe)
            acceptees = attendre_les_envois_en_vol(publique, prefixe, acces)
        finally:
            arreter_gunicorn(processus)
    connections.close_all()
    print("Nombre de requêtes SQL (django.test.Client, caches chauds)…", flush=True)
    requetes = {page.libelle: compter_requetes(page, corps) for page in pages}
    return charges, requetes, acceptees, stockees(publique, prefixe)


def attendre_les_envois_en_vol(publique, prefixe, acces):
    """The tokens gunicorn accepted (302 in its access log), once all are stored or after 30 s.

    wrk stops with POSTs in flight: those it had fully written are still processed, those it had not finished
    writing never reach the view. The server's log, not wrk's count, says which were accepted: bench/charge.lua
    repeats each token in the address (?envoi=…), which the view ignores and the log keeps.
    """
    ligne = re.compile(rf'"POST /e/{publique.jeton}/\?envoi=({re.escape(prefixe)}-[\w-]+) HTTP/1\.1" 302 ')

    def acceptees():
        return set(ligne.findall(acces.read_text() if acces.exists() else ""))

    attendre(lambda: acceptees() <= stockees(publique, prefixe), 30, pas=0.5)
    return acceptees()


def stockees(enquete, prefixe):
    """Tokens of the measured load found in the database (they all start with `prefixe`-)."""
    return set(
        enquete.reponses.filter(jeton_soumission__startswith=f"{prefixe}-").values_list("jeton_soumission", flat=True)
    )


def effacer_les_soumissions(enquete, dernier_pk):
    """Delete what the run stored (answers above the survey's last id, and their households), recount."""
    from django.db import transaction

    from diagnostic.comptages import recompter
    from territoires.models import Famille

    with transaction.atomic():
        nouvelles = enquete.reponses.filter(pk__gt=dernier_pk)
        familles = list(nouvelles.values_list("famille_id", flat=True))
        nouvelles.delete()
        Famille.objects.filter(pk__in=familles).delete()
        recompter(enquete)
    return len(familles)


# --- report -------------------------------------------------------------------------------------


def lignes(pages, charges, requetes):
    plafond = charges[pages[0].libelle].debit
    coeurs = len(os.sched_getaffinity(0))
    sortie = []
    for page in pages:
        charge = charges[page.libelle]
        sortie.append(
            (
                page.libelle,
                f"{charge.debit:.1f}",
                *(f"{charge.centile(p):.0f}" for p in (50, 95, 99)),
                f"{charge.erreurs}" + (f" ({charge.premiere_erreur[:80]})" if charge.erreurs else ""),
                f"{charge.debit / plafond:.0%}",
                f"{cpu_serveur_ms(charge):.1f} ({postgresql_ms(charge):.1f})",
                f"{coeurs * 1000 / cpu_serveur_ms(charge):.0f}",
                f"{client_ms(charge):.2f}",
                requetes[page.libelle],
            )
        )
    return sortie


def verdicts(pages, charges, requetes, acceptees, stockees_en_base):
    plafond = charges[pages[0].libelle].debit
    mesurees = pages[1:]
    lents = [p.libelle for p in mesurees if charges[p.libelle].centile(95) >= OBJECTIF_P95_MS]
    erreurs = [p.libelle for p in mesurees if charges[p.libelle].erreurs]
    ratio = charges[pages[1].libelle].debit / plafond
    trop = [f"{p.libelle} ({requetes[p.libelle]})" for p in mesurees if requetes[p.libelle] > OBJECTIF_REQUETES]
    soumissions = charges[pages[-1].libelle]

    def v(ok, detail):
        return ("PASS" if ok else "**FAIL**") + (f" — {detail}" if detail else "")

    return [
        (f"p95 < {OBJECTIF_P95_MS} ms sur chaque page", v(not lents, ", ".join(lents))),
        ("zéro erreur", v(not erreurs, ", ".join(erreurs))),
        (
            f"tableau de bord ≥ {OBJECTIF_RATIO_TABLEAU:.0%} de la vue minimale",
            v(ratio >= OBJECTIF_RATIO_TABLEAU, f"{ratio:.0%}"),
        ),
        (f"≤ {OBJECTIF_REQUETES} requêtes SQL par page", v(not trop, ", ".join(trop))),
        (
            f"soumissions ≥ {OBJECTIF_SOUMISSIONS_S}/s",
            v(soumissions.debit >= OBJECTIF_SOUMISSIONS_S, f"{soumissions.debit:.0f}/s"),
        ),
        (
            "chaque soumission acceptée est en base",
            v(
                acceptees <= stockees_en_base and len(stockees_en_base) >= soumissions.acceptes,
                f"{len(acceptees)} acceptées au journal de gunicorn, toutes en base ; {soumissions.acceptes} 302 reçus "
                f"par wrk ≤ {len(stockees_en_base)} en base ≤ {soumissions.envoyes} POST écrits par wrk",
            ),
        ),
    ]


def main():
    args = lire_arguments()
    wrk.verifier_wrk()
    charge_au_debut = charge_moyenne()
    preparer(args)
    pages, publique = choisir(args)
    if args.seulement:  # to try a setting on a few pages; the goals are judged on a full run only
        rangs = {0, *(int(rang) for rang in args.seulement.split(","))}
        pages = [page for rang, page in enumerate(pages) if rang in rangs]
    dernier_pk = publique.reponses.order_by("-pk").values_list("pk", flat=True).first() or 0
    try:
        charges, requetes, acceptees, stockees_en_base = mesurer(pages, publique, args)
    finally:
        print(f"Soumissions effacées : {effacer_les_soumissions(publique, dernier_pk)}")
    fils = f" × {args.threads} threads" if args.classe == "gthread" else ""
    configuration = f"gunicorn {args.classe} {args.workers} workers{fils}, wrk {args.clients} connexions"
    print(f"\n## Machine\n\n{tableau(('', ''), machine(charge_au_debut))}")
    print(f"\n## Pages ({configuration}, {args.duree:.0f} s par page, cache {args.cache or 'en processus'})\n")
    entete = (
        "Page",
        "req/s",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "erreurs",
        "débit / minimale",
        "CPU serveur ms/req (dont PostgreSQL)",
        "plafond req/s (2 cœurs au serveur)",
        "CPU wrk ms/req",
        "requêtes SQL",
    )
    print(tableau(entete, lignes(pages, charges, requetes)))
    envoyes = sum(charge.envoyes for charge in charges.values())
    print(
        f"\nSoumissions : {envoyes} POST écrits par wrk, {len(acceptees)} acceptés par gunicorn (302 au journal), "
        f"{len(stockees_en_base)} réponses en base, {len(acceptees - stockees_en_base)} acceptées mais absentes, "
        f"{len(stockees_en_base - acceptees)} en base sans ligne au journal (wrk parti avant la réponse), "
        f"{envoyes - len(stockees_en_base | acceptees)} jamais lues (connexion coupée par wrk à son arrêt)."
    )
    if not args.seulement:
        objectifs = verdicts(pages, charges, requetes, acceptees, stockees_en_base)
        print(f"\n## Objectifs du ticket #8\n\n{tableau(('Objectif', 'Verdict'), objectifs)}")
    return 0  # a measurement: a missed goal is reported, not an error


if __name__ == "__main__":
    sys.exit(main())
