"""A real Celery worker on Redis sends the invitation e-mail (CI runs it with CELERY_BROKER_URL)."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from charte.models import Invitation
from charte.services import inviter

DELAI_MAX = 60


@pytest.fixture
def worker(transactional_db, tmp_path):
    """A `celery worker` process on the test database, writing e-mails as files into tmp_path."""
    assert settings.CELERY_BROKER_URL, "CELERY_BROKER_URL must point at Redis for this test"
    base = connection.settings_dict
    env = os.environ | {
        "DATABASE_URL": f"postgres://{base['USER']}@{base['HOST']}:{base['PORT']}/{base['NAME']}",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(tmp_path),
        "SITE_URL": "https://chartes.exemple.fr",
    }
    processus = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "charte",
            "worker",
            "--pool=solo",
            "--loglevel=warning",
            f"--hostname=test-{os.getpid()}@%h",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    yield tmp_path
    processus.terminate()
    sortie = processus.communicate(timeout=30)[0].decode()
    print(sortie)


def attendre_un_fichier(dossier):
    fin = time.monotonic() + DELAI_MAX
    while time.monotonic() < fin:
        fichiers = list(Path(dossier).iterdir())
        if fichiers:
            time.sleep(0.2)
            return fichiers
        time.sleep(0.2)
    pytest.fail("Le worker Celery n'a envoyé aucun courriel.")


@pytest.mark.celery
def test_le_worker_envoie_l_invitation(worker, charte):
    if connection.vendor != "postgresql":
        pytest.fail("Ce test tourne sur PostgreSQL (DATABASE_URL).")
    invitation = inviter(charte, email="caf@exemple.fr", role="observateur", organisation=None, par=None)
    fichiers = attendre_un_fichier(worker)
    courriel = fichiers[0].read_text()
    assert "caf@exemple.fr" in courriel
    assert f"https://chartes.exemple.fr/comptes/invitation/{invitation.jeton}/" in courriel
    for _ in range(50):
        invitation.refresh_from_db()
        if invitation.envoyee_le:
            break
        time.sleep(0.1)
    assert Invitation.objects.get(pk=invitation.pk).envoyee_le is not None
