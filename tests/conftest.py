import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from charte.celery import app as celery_app
from charte.models import Membre
from diagnostic.views import formulaire_en_cache, structure_en_cache
from tests.factories import CharteFactory, MembreFactory, UtilisateurFactory

ROLES = [role.value for role in Membre.Role]


@pytest.fixture(autouse=True)
def taches_en_processus(request):
    """Tasks run in-process, except in tests marked `celery` that start a real worker."""
    en_processus = "celery" not in request.keywords
    ancien = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = en_processus
    yield
    celery_app.conf.task_always_eager = ancien


@pytest.fixture(autouse=True)
def caches_vides():
    """Each test starts with empty caches (survey structures, results)."""
    structure_en_cache.cache_clear()
    formulaire_en_cache.cache_clear()
    cache.clear()


@pytest.fixture
def charte(db):
    return CharteFactory()


@pytest.fixture
def personnes(charte):
    """One person per role in `charte`, plus a national staff member and a member of another charter."""
    personnes = {"coordinateur": charte.membres.get(role=Membre.Role.COORDINATEUR).utilisateur}
    for role in ROLES[1:]:
        personnes[role] = MembreFactory(charte=charte, **{role: True}).utilisateur
    personnes["national"] = UtilisateurFactory(national=True)
    personnes["exterieur"] = CharteFactory().membres.get().utilisateur
    return personnes


@pytest.fixture
def client_de(client):
    """client_de(user): the test client logged in as that person."""

    def connecter(utilisateur):
        client.force_login(utilisateur)
        return client

    return connecter


def compter_requetes(client, url):
    """Queries of one GET with cold caches: the count that must not grow with the data."""
    cache.clear()
    with CaptureQueriesContext(connection) as requetes:
        reponse = client.get(url)
    assert reponse.status_code == 200, reponse.status_code
    return len(requetes)
