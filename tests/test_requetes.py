"""Query discipline: every list and detail page costs the same number of queries at 1 and 50 rows."""

import pytest
from django.urls import reverse

from charte.audit import au_nom_de
from charte.models import Charte, Journal
from diagnostic.models import Besoin
from tests.conftest import compter_requetes
from tests.factories import (
    CharteFactory,
    CommuneFactory,
    FicheActionFactory,
    LigneBudgetFactory,
    MembreFactory,
    OrganisationFactory,
    UtilisateurFactory,
)

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


def remplir_audit(charte, n):
    """n people each create, change and delete objects of the charter; the system adds a need each time."""
    for _ in range(n):
        with au_nom_de(UtilisateurFactory()):
            fiche = FicheActionFactory(charte=charte)
            fiche.titre = "Renommée"
            fiche.save()
            LigneBudgetFactory(fiche=fiche).delete()
        Besoin.objects.create(charte=charte, domaine="sante", titre="Ajouté par une commande")


@pytest.mark.parametrize("national", [False, True])
def test_journal_d_audit(client, db, national):
    petite, grande = CharteFactory(), CharteFactory()
    remplir_audit(petite, 1)
    remplir_audit(grande, 50)
    lecteur = UtilisateurFactory(est_national=national)
    if not national:
        MembreFactory(charte=petite, utilisateur=lecteur, coordinateur=True)
        MembreFactory(charte=grande, utilisateur=lecteur, coordinateur=True)
    client.force_login(lecteur)
    nombres = [compter_requetes(client, reverse("charte:audit", args=[c.slug])) for c in (petite, grande)]
    assert nombres[0] == nombres[1] <= MAX_REQUETES, nombres
