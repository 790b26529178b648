"""Real processes for the benchmarks and the fault tests: Celery workers, beat, throw-away Redis servers."""

import os
import signal
import socket
import subprocess
import time
from pathlib import Path


def port_libre():
    """A local TCP port on which nothing listens."""
    with socket.socket() as sonde:
        sonde.bind(("127.0.0.1", 0))
        return sonde.getsockname()[1]


def attendre(condition, delai, pas=0.05):
    """The first true value of `condition()` within `delai` seconds, or None."""
    fin = time.monotonic() + delai
    while time.monotonic() < fin:
        resultat = condition()
        if resultat:
            return resultat
        time.sleep(pas)
    return None


class Processus:
    """A process in its own process group (a worker's pool children included), its output in a log file."""

    def __init__(self, nom, commande, dossier, env=None, cwd=None):
        self.nom = nom
        self.journal = Path(dossier, f"{nom}.log")
        with self.journal.open("ab") as sortie:
            self.popen = subprocess.Popen(
                commande, cwd=cwd, env=env, stdout=sortie, stderr=subprocess.STDOUT, start_new_session=True
            )
        self.pid = self.popen.pid
        self.lance_le = time.monotonic()

    def vivant(self):
        return self.popen.poll() is None

    def sortie(self):
        return self.journal.read_text(errors="replace")

    def enfants(self):
        """The pids of its child processes (the worker's pool), read from /proc."""
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == self.pid:
                    pids.append(int(stat.parent.name))
            except (OSError, ValueError, IndexError):
                continue
        return pids

    def pret(self, delai=60):
        """Wait until the worker consumes (Celery logs "… ready."); the seconds it took since its start."""
        if not attendre(lambda: " ready." in self.sortie(), delai, pas=0.1):
            raise RuntimeError(f"{self.nom} ne démarre pas : voir {self.journal}")
        return time.monotonic() - self.lance_le

    def signaler_au_groupe(self, signal_):
        if self.vivant():
            os.killpg(self.pid, signal_)

    def tuer(self):
        """SIGKILL to the whole group: the main process and its pool children at once."""
        self.signaler_au_groupe(signal.SIGKILL)
        self.popen.wait(timeout=10)

    def groupe_eteint(self):
        """No process of its group is left (the pool children die with a SIGKILL to the group)."""
        try:
            os.killpg(self.pid, 0)
        except ProcessLookupError:
            return True
        return False

    def arreter(self, delai=30):
        if self.vivant():
            self.popen.terminate()
            try:
                self.popen.wait(timeout=delai)
            except subprocess.TimeoutExpired:
                self.tuer()
