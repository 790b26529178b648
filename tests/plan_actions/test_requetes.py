"""The plan's pages cost the same number of queries with 1 fiche and with 200 (and a fiche with 1 or 50 rows)."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from evaluation.models import Indicateur, Mesure
from plan_actions import services
from plan_actions.models import (
    Commentaire,
    Contribution,
    FicheAction,
    Financement,
    Historique,
    Jalon,
    LigneBudget,
    Suivi,
)
from rapports.models import Decision, SeanceCopil
from tests.conftest import compter_requetes
from tests.factories import CharteFactory, MembreFactory, OrganisationFactory, PrioriteFactory

pytestmark = pytest.mark.django_db
MAX_REQUETES = 15


def remplir_plan(charte, n):
    """n fiches with their tables (bulk: 200 fiches stay fast), answering two priorities, and a baseline."""
    priorites = [PrioriteFactory(charte=charte), PrioriteFactory(charte=charte)]
    organisations = [OrganisationFactory() for _ in range(3)]
    fiches = FicheAction.objects.bulk_create(
        FicheAction(
            charte=charte,
            numero=i + 1,
            titre=f"Action {i}",
            domaine="sante",
            objectif_general="x",
            pilote=organisations[i % 3],
            date_debut=datetime.date(2025, 9, 1),
            date_fin=datetime.date(2027, 6, 30),
            statut="en_cours",
        )
        for i in range(n)
    )
    FicheAction.priorites.through.objects.bulk_create(
        FicheAction.priorites.through(ficheaction=f, priorite=p) for f in fiches for p in priorites
    )
    FicheAction.communes.through.objects.bulk_create(
        FicheAction.communes.through(ficheaction=f, commune=c) for f in fiches for c in charte.communes.all()
    )
    remplir_tableaux(fiches, 1)
    services.figer_version(charte, None, "Référence")


def remplir_tableaux(fiches, n):
    """n rows in every table of each fiche."""
    for modele, ligne in (
        (Contribution, lambda f, i: Contribution(fiche=f, organisation=OrganisationFactory(), engagement="x")),
        (Jalon, lambda f, i: Jalon(fiche=f, libelle=f"J{i}", date_prevue=datetime.date(2025, 10, 1))),
        (LigneBudget, lambda f, i: LigneBudget(fiche=f, annee=2025 + i % 4, libelle=f"L{i}", montant_prevu=100)),
        (
            Financement,
            lambda f, i: Financement(fiche=f, financeur=OrganisationFactory(), annee=2026, montant=Decimal(50)),
        ),
        (
            Suivi,
            lambda f, i: Suivi(
                fiche=f,
                date=datetime.date(2026, 1, 1),
                texte="x",
                avancement=10,
                statut_avant="validee",
                statut_apres="en_cours",
            ),
        ),  # fmt: skip
        (Commentaire, lambda f, i: Commentaire(fiche=f, texte="x")),
        (Historique, lambda f, i: Historique(fiche=f, champ="Intitulé", ancienne_valeur="a", nouvelle_valeur="b")),
    ):
        modele.objects.bulk_create(ligne(f, i) for f in fiches for i in range(n))
    remplir_etapes_suivantes(fiches, n)


def remplir_etapes_suivantes(fiches, n):
    """What the later stages attach to a fiche: COPIL decisions and indicators with their measurements."""
    for fiche in fiches:
        seance = SeanceCopil.objects.create(charte=fiche.charte, date=datetime.date(2026, 3, 9))
        Decision.objects.bulk_create(Decision(seance=seance, fiche=fiche, texte=f"Décision {i}") for i in range(n))
        indicateurs = Indicateur.objects.bulk_create(
            Indicateur(charte=fiche.charte, fiche=fiche, libelle=f"Indicateur {i}", cible=10) for i in range(n)
        )
        Mesure.objects.bulk_create(
            Mesure(indicateur=indicateur, date=datetime.date(2026, 1, 1), valeur=i)
            for i, indicateur in enumerate(indicateurs)
        )


def deux_chartes(n_petite, n_grande):
    petite, grande = CharteFactory(), CharteFactory()
    remplir_plan(petite, n_petite)
    remplir_plan(grande, n_grande)
    return petite, grande


PAGES_DU_PLAN = ["plan", "versions", "nouvelle_fiche", "signer"]


@pytest.mark.parametrize("page", PAGES_DU_PLAN)
def test_pages_du_plan(client_de, page):
    petite, grande = deux_chartes(1, 200)
    nombres = []
    for charte in (petite, grande):
        client = client_de(charte.membres.get().utilisateur)
        nombres.append(compter_requetes(client, reverse(f"plan_actions:{page}", args=[charte.slug])))
    assert nombres[0] == nombres[1] <= MAX_REQUETES, nombres


def test_liste_filtree(client_de):
    petite, grande = deux_chartes(1, 200)
    nombres = []
    for charte in (petite, grande):
        client = client_de(charte.membres.get().utilisateur)
        url = reverse("plan_actions:plan", args=[charte.slug]) + "?annee=2026&statut=en_cours&tri=-titre"
        nombres.append(compter_requetes(client, url))
    assert nombres[0] == nombres[1] <= MAX_REQUETES, nombres


def test_comparaison_avec_la_version_de_reference(client_de):
    petite, grande = deux_chartes(1, 200)
    nombres = []
    for charte in (petite, grande):
        client = client_de(charte.membres.get().utilisateur)
        version = charte.versions_plan.get()
        nombres.append(compter_requetes(client, reverse("plan_actions:comparer", args=[charte.slug, version.pk])))
    assert nombres[0] == nombres[1] <= MAX_REQUETES, nombres


@pytest.mark.parametrize("page", ["fiche", "modifier_fiche", "impression_fiche", "historique_fiche"])
def test_une_fiche_avec_1_ou_50_lignes_par_tableau(client_de, page):
    petite, grande = deux_chartes(1, 1)
    grosse = grande.fiches.get()
    remplir_tableaux([grosse], 49)
    nombres = []
    for charte in (petite, grande):
        client = client_de(charte.membres.get().utilisateur)
        fiche = charte.fiches.get()
        nombres.append(compter_requetes(client, reverse(f"plan_actions:{page}", args=[charte.slug, fiche.pk])))
    assert nombres[0] == nombres[1] <= MAX_REQUETES, nombres


def test_financements_d_un_financeur_1_ou_200_lignes(client_de):
    nombres = []
    for n in (1, 200):
        charte = CharteFactory()
        remplir_plan(charte, n)
        financeur = OrganisationFactory()
        Financement.objects.bulk_create(
            Financement(fiche=f, financeur=financeur, annee=2027, montant=Decimal(10)) for f in charte.fiches.all()
        )
        partenaire = MembreFactory(charte=charte, partenaire=True, organisation=financeur).utilisateur
        url = reverse("plan_actions:financements", args=[charte.slug])
        nombres.append(compter_requetes(client_de(partenaire), url))
    assert nombres[0] == nombres[1] <= MAX_REQUETES, nombres
