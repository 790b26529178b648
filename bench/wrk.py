"""The load generator of bench/national.py: wrk (C, one thread, epoll), driven by bench/charge.lua.

Why not the Python clients of bench/diagnostic.py: on this 2-core machine they spent as much CPU reading
30–60 KB pages as gunicorn spent making them, so the minimal view measured the client, not the server. wrk
costs a few microseconds per request, which leaves both cores to the stack being measured.
"""

import json
import resource
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent / "charge.lua"
MARQUE = "RESULTAT "


@dataclass
class ChargeWrk:
    """What wrk saw during one load: throughput, latency percentiles (ms), statuses, client CPU (s)."""

    duree_s: float
    statuts: Counter
    succes: str
    centiles_ms: dict
    erreurs_reseau: int
    cpu_client: float
    envoyes: int = 0  # POSTs written (GET: 0), including those still unanswered when wrk stopped
    cpu: object = None  # bench.diagnostic.CpuDepense of the server, filled by the caller
    premiere_erreur: str = ""
    acceptes: int = field(init=False)

    def __post_init__(self):
        self.acceptes = self.statuts[self.succes]
        autres = {statut: n for statut, n in self.statuts.items() if statut != self.succes}
        if autres or self.erreurs_reseau:
            self.premiere_erreur = f"statuts {autres}, erreurs réseau {self.erreurs_reseau}"

    @property
    def debit(self):
        return self.acceptes / self.duree_s if self.duree_s else 0.0

    @property
    def erreurs(self):
        return sum(self.statuts.values()) - self.acceptes + self.erreurs_reseau

    def centile(self, pourcentage):
        return self.centiles_ms[pourcentage]


def verifier_wrk():
    if not shutil.which("wrk"):
        sys.exit("wrk manque : `apt-get install -y wrk` (paquet Debian), voir bench/README.md.")


def charger(port, chemin, duree_s, clients, entetes, succes, corps=None, prefixe="bench"):
    """`clients` keep-alive connections for `duree_s` seconds; POST `corps` (+ a unique &jeton=) if given."""
    with tempfile.NamedTemporaryFile("w", suffix=".corps") as fichier:
        if corps is not None:
            fichier.write(corps)
            fichier.flush()
        commande = ["wrk", "-t1", f"-c{clients}", f"-d{duree_s:g}s", "--timeout", "30s", "-s", str(SCRIPT)]
        for nom, valeur in entetes.items():
            commande += ["-H", f"{nom}: {valeur}"]
        commande += [f"http://127.0.0.1:{port}{chemin}", "--", fichier.name if corps is not None else "", prefixe]
        avant = resource.getrusage(resource.RUSAGE_CHILDREN)
        sortie = subprocess.run(commande, capture_output=True, text=True, timeout=duree_s + 120, check=True).stdout
        apres = resource.getrusage(resource.RUSAGE_CHILDREN)
    ligne = next((ligne for ligne in sortie.splitlines() if ligne.startswith(MARQUE)), None)
    if ligne is None:
        sys.exit(f"wrk n'a rien mesuré sur {chemin} :\n{sortie}")
    mesure = json.loads(ligne.removeprefix(MARQUE))
    return ChargeWrk(
        duree_s=mesure["duree_us"] / 1e6,
        statuts=Counter(mesure["statuts"]),
        succes=succes,
        centiles_ms={p: mesure[f"p{p}_us"] / 1000 for p in (50, 95, 99)},
        erreurs_reseau=sum(mesure[cle] for cle in ("connexion", "lecture", "ecriture", "expirees")),
        envoyes=mesure["envoyes"],
        cpu_client=(apres.ru_utime + apres.ru_stime) - (avant.ru_utime + avant.ru_stime),
    )
