"""Real processes for the benchmarks and the fault tests: Celery workers, beat, gunicorn, throw-away Redis and
PostgreSQL servers."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
BENCH = RACINE / "bench"


def port_libre():
    """A local TCP port on which nothing listens."""
    with socket.socket() as sonde:
        sonde.bind(("127.0.0.1", 0))
        return sonde.getsockname()[1]


def ecoute(port):
    """Something accepts TCP connections on 127.0.0.1:`port`."""
    with socket.socket() as sonde:
        return sonde.connect_ex(("127.0.0.1", port)) == 0


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


def gunicorn(port, dossier, env, workers=2):
    """The project served by gunicorn on 127.0.0.1:`port` as the Dockerfile runs it (sync workers); ready once it listens."""
    commande = [sys.executable, "-m", "gunicorn", "charte.wsgi:application", "--bind", f"127.0.0.1:{port}"]
    # No control socket: every gunicorn of the machine would share the same one (~/.gunicorn/gunicorn.ctl).
    commande += ["--workers", str(workers), "--no-control-socket"]
    serveur = Processus(f"gunicorn-{port}", commande, dossier, env=env, cwd=RACINE)
    if not attendre(lambda: ecoute(port) or not serveur.vivant(), 60, pas=0.1) or not serveur.vivant():
        raise RuntimeError(f"gunicorn ne démarre pas : voir {serveur.journal}")
    return serveur


class PostgresJetable:
    """A PostgreSQL cluster of its own (initdb) on a free port, that a fault test may stop, restart or freeze.

    The shared server serves other sessions and must never be touched. PostgreSQL refuses to run as root:
    under root, its commands run as the `postgres` user, in a folder it owns (pytest's tmp_path is root's).
    """

    def __init__(self, dossier_journal):
        self.port = port_libre()
        self.dossier = Path(tempfile.mkdtemp(prefix="postgres-jetable-"))
        self.donnees = self.dossier / "donnees"
        self.journal = Path(dossier_journal, f"postgresql-{self.port}.log")
        self.en_postgres = []
        if os.geteuid() == 0:
            shutil.chown(self.dossier, "postgres", "postgres")
            self.en_postgres = ["runuser", "-u", "postgres", "--"]
        self._pg_ctl("initdb", "-o", "-U postgres --auth=trust --no-sync")
        self.demarrer()

    @staticmethod
    def binaire(nom):
        """A PostgreSQL program of the newest Debian install (pg_ctl is not on Debian's PATH), else from PATH."""
        installes = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda dossier: int(dossier.parent.name))
        chemin = installes[-1] / nom if installes else shutil.which(nom)
        if chemin is None or not Path(chemin).exists():
            raise RuntimeError(f"Programme PostgreSQL {nom} introuvable : installez postgresql.")
        return str(chemin)

    def _pg_ctl(self, action, *options):
        commande = [*self.en_postgres, self.binaire("pg_ctl"), action, "-D", str(self.donnees), "-s", *options]
        subprocess.run(commande, check=True, stdout=subprocess.DEVNULL, timeout=120)

    def demarrer(self):
        """Start and wait until it accepts connections; its log is copied next to the other processes' at the end."""
        # fsync off: a throw-away cluster only has to survive its own processes dying, not the machine.
        reglages = f"-p {self.port} -k {self.dossier} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._pg_ctl("start", "-w", "-o", reglages, "-l", str(self.dossier / "postgresql.log"))

    def redemarrer(self, mode="fast"):
        self._pg_ctl("restart", "-w", "-m", mode)

    def arreter(self, mode="fast"):
        """`fast` closes the connections cleanly; `immediate` kills every server process as a crash would."""
        self._pg_ctl("stop", "-w", "-m", mode)

    def postmaster(self):
        """The pid of the main server process (the first line of postmaster.pid), or None when stopped."""
        try:
            return int((self.donnees / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def geler(self, signal_=signal.SIGSTOP):
        """Freeze (SIGCONT: thaw) the main process: the kernel still accepts new connections, nobody answers them.

        What a client sees of a server that hangs or of a lost network: only a connect timeout ends the wait.
        Connections already open are served by their own processes, which go on working.
        """
        os.kill(self.postmaster(), signal_)

    def url(self, base="postgres"):
        return f"postgres://postgres@127.0.0.1:{self.port}/{base}"

    def copier_base(self, source, base):
        """Create `base` here as a copy of the database at URL `source` (schema and rows, via pg_dump)."""
        subprocess.run(
            [self.binaire("createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", base], check=True
        )
        dump = subprocess.run(
            [self.binaire("pg_dump"), "--no-owner", source], check=True, capture_output=True, timeout=120
        )
        subprocess.run(
            [self.binaire("psql"), "-q", "-v", "ON_ERROR_STOP=1", self.url(base)],
            input=dump.stdout,
            check=True,
            stdout=subprocess.DEVNULL,
            timeout=120,
        )

    def supprimer(self):
        """Stop it whatever its state (thawed first: a frozen server ignores the stop) and remove its files."""
        if self.postmaster():
            self.geler(signal.SIGCONT)
            subprocess.run(
                [*self.en_postgres, self.binaire("pg_ctl"), "stop", "-D", str(self.donnees), "-m", "immediate", "-s"]
            )
        journal = self.dossier / "postgresql.log"
        if journal.exists():
            shutil.copy(journal, self.journal)
        shutil.rmtree(self.dossier, ignore_errors=True)


# --- settings of a benchmark process ----------------------------------------------------------------


def reglages_de_production(url_base, **variables):
    """Production settings (DEBUG off: no query log growing), plain HTTP, our own database; `variables` add to them."""
    # Run as `python bench/<script>.py`, sys.path[0] is bench/, where the script would shadow the app of the same
    # name (diagnostic, rapports): put the project root first instead.
    sys.path[:] = [str(RACINE)] + [p for p in sys.path if Path(p or ".").resolve() != BENCH]
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "charte.settings",
            "DATABASE_URL": url_base,
            "DEBUG": "false",
            "SECRET_KEY": "bench",
            "HTTPS": "false",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "LOG_LEVEL": "WARNING",
            **variables,
        }
    )


def creer_base_si_absente(url_base):
    from charte.bases import creer_base_si_absente as creer  # once the project is on sys.path

    if creer(url_base):
        print(f"Base {urllib.parse.urlsplit(url_base).path.lstrip('/')} créée.")
