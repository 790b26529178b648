"""Query discipline: every list and detail page costs the same number of queries at 1 and 50 rows."""

import pytest
from django.urls import reverse

from charte.models import Charte, Journal
from tests.conftest import compter_requetes
from tests.factories import CharteFactory, CommuneFactory, MembreFactory, OrganisationFactory, UtilisateurFactory

MAX_REQUETES = 15


def remplir_charte(charte, n):
    """n members, n communes and n journal entries in the charter."""
    for _ in range(n):
        MembreFactory(charte=charte, partenaire=True, organisation=OrganisationFactory())
        charte.communes.add(CommuneFactory(territoire=charte.territoire))
        Journal.noter(charte, None, "entrée")


def remplir_liste(personne, n):
    for _ in range(n):
        MembreFactory(charte=CharteFactory(), utilisateur=personne)


PAGES_DE_CHARTE = [
    "rapports:tableau_de_bord",
    "charte:membres",
    "charte:territoire",
    "charte:journal",
    "charte:calendrier",
]


@pytest.mark.parametrize("page", PAGES_DE_CHARTE)
def test_pages_de_charte(client, db, page):
    petite, grande = CharteFactory(), CharteFactory()
    remplir_charte(petite, 1)
    remplir_charte(grande, 50)
    coordinateur = UtilisateurFactory()
    MembreFactory(charte=petite, utilisateur=coordinateur, coordinateur=True)
    MembreFactory(charte=grande, utilisateur=coordinateur, coordinateur=True)
    client.force_login(coordinateur)
    nombres = [compter_requetes(client, reverse(page, args=[c.slug])) for c in (petite, grande)]
    assert nombres[0] == nombres[1] <= MAX_REQUETES, nombres


@pytest.mark.parametrize("national", [False, True])
def test_liste_des_chartes(client, db, national):
    nombres = []
    for n in (1, 50):
        personne = UtilisateurFactory(est_national=national)
        if national:
            while Charte.objects.count() < n:
                CharteFactory()
        else:
            remplir_liste(personne, n)
        client.force_login(personne)
        nombres.append(compter_requetes(client, reverse("charte:liste")))
    assert nombres[0] == nombres[1] <= MAX_REQUETES, nombres


def test_recherche_de_territoire(client, db):
    agent = UtilisateurFactory(agent_msa=True)
    client.force_login(agent)
    CommuneFactory(territoire__nom="CC Alpha Un")
    un = compter_requetes(client, reverse("charte:nouvelle") + "?q=alpha")
    for _ in range(49):
        CommuneFactory(territoire__nom="CC Alpha Plusieurs")
    assert un == compter_requetes(client, reverse("charte:nouvelle") + "?q=alpha") <= MAX_REQUETES
