"""The charters list at national scale: a page at a time, searchable by name, SIREN or department."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from charte.views import CHARTES_PAR_PAGE
from tests.factories import CharteFactory, TerritoireFactory, UtilisateurFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def national(client):
    client.force_login(UtilisateurFactory(est_national=True))
    return client


def noms(reponse):
    return [charte.nom for charte in reponse.context["chartes"]]


def test_la_vue_nationale_se_lit_page_par_page(national):
    chartes = sorted((CharteFactory() for _ in range(CHARTES_PAR_PAGE + 3)), key=lambda c: c.nom)

    premiere = national.get(reverse("charte:liste"))
    seconde = national.get(reverse("charte:liste") + "?page=2")

    assert noms(premiere) == [c.nom for c in chartes[:CHARTES_PAR_PAGE]]
    assert noms(seconde) == [c.nom for c in chartes[CHARTES_PAR_PAGE:]]
    assert f"{CHARTES_PAR_PAGE + 3} chartes · 1 à {CHARTES_PAR_PAGE}" in premiere.text
    assert "Page 2 sur 2" in seconde.text and "Précédentes" in seconde.text


def test_recherche_sans_accents_par_siren_ou_departement(national):
    ardennes = CharteFactory(territoire=TerritoireFactory(nom="CC des Crêtes Préardennaises", departements="08"))
    argonne = CharteFactory(territoire=TerritoireFactory(nom="CC de l'Argonne", departements="08,51,55"))
    CharteFactory(territoire=TerritoireFactory(nom="CC du Pays de Revigny", departements="55"))
    liste = reverse("charte:liste")

    assert noms(national.get(liste + "?q=cretes preardennaises")) == [ardennes.nom]
    assert noms(national.get(liste + f"?q={argonne.territoire.siren}")) == [argonne.nom]
    assert sorted(noms(national.get(liste + "?departement=08"))) == sorted([ardennes.nom, argonne.nom])
    assert noms(national.get(liste + "?departement=51")) == [argonne.nom]
    assert noms(national.get(liste + "?departement=5")) == []  # a whole code, not a prefix
    vide = national.get(liste + "?q=introuvable")
    assert "Aucune charte ne correspond à cette recherche." in vide.text


def test_les_filtres_restent_dans_les_liens_de_page(national):
    for _ in range(CHARTES_PAR_PAGE + 1):
        CharteFactory(territoire=TerritoireFactory(departements="2A"))
    reponse = national.get(reverse("charte:liste") + "?departement=2A")
    assert escape("?departement=2A&page=2") in reponse.text


def test_un_membre_ne_trouve_que_ses_chartes(client, personnes, charte):
    autre = CharteFactory()
    client.force_login(personnes["partenaire"])
    assert noms(client.get(reverse("charte:liste") + f"?q={autre.territoire.siren}")) == []
