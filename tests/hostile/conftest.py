"""Hostile input: every form and public endpoint, fed with generated values (hypothesis).

The number of examples per form is bounded so the whole folder runs in under three minutes on two
cores (profile "hostile", 6 examples); HYPOTHESIS_PROFILE=hostile-long tries 80 per form.
"""

import os

import pytest
from hypothesis import HealthCheck, settings

from charte.models import Membre
from tests.factories import CharteFactory, MembreFactory
from tests.hostile.envoi import COMPTEUR

BASE = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large],
    # The examples build on a database that the test rolls back: nothing worth replaying is kept.
    "database": None,
    "print_blob": True,
}
settings.register_profile("hostile", max_examples=6, **BASE)
settings.register_profile("hostile-long", max_examples=80, **BASE)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "hostile"))


def pytest_collection_modifyitems(items):
    # A failing example holding 100 000 characters is still worth reporting (shortened by envoi.resume).
    for item in items:
        if "hostile" in item.nodeid:
            item.add_marker(pytest.mark.filterwarnings("ignore:Generating overly large repr"))


def pytest_terminal_summary(terminalreporter):
    if COMPTEUR["toutes"]:
        terminalreporter.write_line(
            f"Entrées hostiles : {COMPTEUR['hostiles']} requêtes hostiles envoyées "
            f"({COMPTEUR['toutes']} requêtes en tout, pages relues comprises) ; réponses aux requêtes hostiles : "
            + ", ".join(f"{statut} × {nombre}" for statut, nombre in sorted(COMPTEUR["statuts"].items()))
        )


@pytest.fixture
def autre_charte(db):
    """A second charter with a member of every role, whose objects the first charter's people must never reach."""
    charte = CharteFactory()
    for role in [role.value for role in Membre.Role][1:]:
        MembreFactory(charte=charte, **{role: True})
    return charte
