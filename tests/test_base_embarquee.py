"""`make run`'s embedded database (SQLite): a family sends the public questionnaire and it is stored.

The tests run on PostgreSQL; the public form's hot path writes with PostgreSQL-only SQL (diagnostic.services), so
the first-run path is checked here in a process of its own, on a fresh SQLite file (settings are read once per
process).
"""

import os
import subprocess
import sys

from bench.processus import RACINE

SCRIPT = """
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.test import Client
from diagnostic.models import Enquete, Reponse, Valeur
from diagnostic.services import creer_enquete
from tests.diagnostic.conftest import QUESTIONNAIRE
from tests.factories import CharteFactory, CommuneFactory

charte = CharteFactory()
commune = CommuneFactory(territoire=charte.territoire)
charte.communes.add(commune)
enquete = creer_enquete(charte, QUESTIONNAIRE, par=None)
Enquete.objects.filter(pk=enquete.pk).update(statut=Enquete.Statut.PUBLIEE)
garde = enquete.questions.get(code="garde")
donnees = {
    "commune": commune.pk, "nombre_adultes": 2, "nombre_enfants": 1, "ages_enfants": "3",
    "monoparentale": "non", "etape_vie": "enfance", "affiliation_msa": "oui", "jeton": "un-seul-envoi",
    f"q{garde.pk}": garde.options.first().pk,
}
client = Client()
assert client.get(f"/e/{enquete.jeton}/").status_code == 200
statuts = [client.post(f"/e/{enquete.jeton}/", donnees).status_code for _ in range(2)]
print(statuts, Reponse.objects.count(), Valeur.objects.count(), Reponse.objects.get().famille.commune_id == commune.pk)
"""


def test_une_famille_repond_sur_la_base_embarquee(tmp_path):
    environnement = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "charte.settings",
        "DEBUG": "true",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "CELERY_BROKER_URL": "",
        "CACHE_URL": "",
    }
    fini = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=RACINE, env=environnement, capture_output=True, text=True, timeout=300
    )
    assert fini.returncode == 0, fini.stderr[-3000:]
    # Both sends redirect to the thank-you page; the second (same token) is not stored twice.
    assert fini.stdout.strip().splitlines()[-1] == "[302, 302] 1 1 True"
