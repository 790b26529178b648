"""Server time of each page of bench/national.py, one request at a time, and where it goes (issue #8).

Run by hand from the project root on the national data set, never in CI:
    .venv/bin/python bench/profil.py [--repetitions 30] [--profil N]   (N: rank of a page to profile)

In-process (django.test.Client, production settings, the same cache as bench/national.py): for each page
(the public submission included: a POST with a new token each time, deleted at the end), the median and p95 of the wall time over `--repetitions` requests after two warm-up requests, the
CPU time of the Python process (the figure least disturbed by other processes), the part spent waiting for
SQL, and the query count. `--profil N` prints cProfile's 30 heaviest functions of page N.
"""

import argparse
import cProfile
import pstats
import secrets
import statistics
import sys
import time
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(RACINE))

from bench.diagnostic import centile, corps_du_formulaire, tableau  # noqa: E402
from bench.national import (  # noqa: E402
    BASE_PAR_DEFAUT,
    CACHE_PAR_DEFAUT,
    choisir,
    effacer_les_soumissions,
    preparer,
)

FORMULAIRE = "application/x-www-form-urlencoded"


class ChronoSQL:
    """Adds up the time spent in the database driver (a connection execute wrapper)."""

    def __init__(self):
        self.secondes = 0.0
        self.requetes = 0

    def __call__(self, execute, sql, params, many, context):
        debut = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.secondes += time.perf_counter() - debut
            self.requetes += 1


def client_de(page):
    from django.test import Client

    client = Client()
    if page.cookie:
        client.cookies["sessionid"] = page.cookie
    return client


def visiter(client, page, corps):
    """One request of the page: a GET, or for the public form a POST of the bench's answers with a new token."""
    if page.methode == "GET":
        return client.get(page.chemin), 200
    return client.post(page.chemin, f"{corps}&jeton={secrets.token_urlsafe(24)}", FORMULAIRE), 302


def mesurer(page, corps, repetitions):
    from django.db import connection

    client = client_de(page)
    for _ in range(2):
        visiter(client, page, corps)
    durees, cpu, sql, requetes = [], [], [], 0
    for _ in range(repetitions):
        chrono = ChronoSQL()
        with connection.execute_wrapper(chrono):
            debut, debut_cpu = time.perf_counter(), time.process_time()
            reponse, attendu = visiter(client, page, corps)
            durees.append((time.perf_counter() - debut) * 1000)
            cpu.append((time.process_time() - debut_cpu) * 1000)
        if reponse.status_code != attendu:
            sys.exit(f"{page.methode} {page.chemin} : statut {reponse.status_code}")
        sql.append(chrono.secondes * 1000)
        requetes = chrono.requetes
    return (
        page.libelle,
        f"{statistics.median(durees):.1f}",
        f"{centile(durees, 95):.1f}",
        f"{statistics.median(cpu):.1f}",
        f"{statistics.median(sql):.1f}",
        requetes,
    )


TRI = "cumulative"


def profiler(page, corps):
    client = client_de(page)
    visiter(client, page, corps)
    profil = cProfile.Profile(time.process_time)  # CPU time: other processes do not blur it
    profil.enable()
    for _ in range(10):
        visiter(client, page, corps)
    profil.disable()
    pstats.Stats(profil).sort_stats(TRI).print_stats(30)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", default=BASE_PAR_DEFAUT)
    parser.add_argument("--cache", default=CACHE_PAR_DEFAUT)
    parser.add_argument("--charte", type=int, default=0)
    parser.add_argument("--repetitions", type=int, default=30)
    parser.add_argument("--profil", type=int, help="rank of the page to profile (1: dashboard… 6: submission)")
    args = parser.parse_args()
    preparer(args)
    pages, publique = choisir(args)
    pages, corps = pages[1:], corps_du_formulaire(publique, "", obligatoires_seulement=False)
    dernier_pk = publique.reponses.order_by("-pk").values_list("pk", flat=True).first() or 0
    try:
        if args.profil is not None:
            return profiler(pages[args.profil - 1], corps)
        lignes = [mesurer(page, corps, args.repetitions) for page in pages]
    finally:
        effacer_les_soumissions(publique, dernier_pk)  # the data set stays as generated
    print(tableau(("Page", "médiane ms", "p95 ms", "CPU Python ms", "dont SQL ms", "requêtes"), lignes))


if __name__ == "__main__":
    sys.exit(main())
