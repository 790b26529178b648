"""Creating a PostgreSQL database by URL (the benchmarks and the national data set each use their own)."""

import urllib.parse


def creer_base_si_absente(url_base):
    """Create the database of `url_base` if it does not exist; True if it was created."""
    import psycopg

    adresse = urllib.parse.urlsplit(url_base)
    nom = adresse.path.lstrip("/")
    maintenance = urllib.parse.urlunsplit(adresse._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as connexion:
        if connexion.execute("SELECT 1 FROM pg_database WHERE datname = %s", [nom]).fetchone():
            return False
        connexion.execute(f'CREATE DATABASE "{nom}"')
        return True
