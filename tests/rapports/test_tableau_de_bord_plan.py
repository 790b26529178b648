"""The dashboard's action-plan card: fiches per status, budget against funding, milestones running late."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from plan_actions.models import FicheAction, Jalon
from rapports.views import JALONS_EN_RETARD_AFFICHES
from tests.conftest import compter_requetes
from tests.factories import CharteFactory, FicheActionFactory, FinancementFactory, LigneBudgetFactory
from tests.test_requetes import MAX_REQUETES

Statut = FicheAction.Statut


def url(charte):
    return reverse("rapports:tableau_de_bord", args=[charte.slug])


def il_y_a(jours):
    return timezone.localdate() - datetime.timedelta(days=jours)


def fiche_en_retard(charte, statut=Statut.EN_COURS, jours=10, **kwargs):
    fiche = FicheActionFactory(charte=charte, statut=statut, **kwargs)
    Jalon.objects.create(fiche=fiche, libelle=f"Étape de la fiche {fiche.numero}", date_prevue=il_y_a(jours))
    return fiche


def test_sans_fiche_la_carte_invite_a_ouvrir_le_plan(client_de, personnes, charte):
    reponse = client_de(personnes["observateur"]).get(url(charte))
    assert reponse.context["plan"]["nb_fiches"] == 0
    assert "Aucune fiche action pour l'instant." in reponse.text
    assert reverse("plan_actions:plan", args=[charte.slug]) in reponse.text


def test_fiches_par_statut_et_budget_des_fiches_validees(client_de, personnes, charte):
    en_cours = FicheActionFactory(charte=charte, statut=Statut.EN_COURS)
    LigneBudgetFactory(fiche=en_cours, annee=2025, montant_prevu=Decimal("1000"), montant_realise=Decimal("900"))
    LigneBudgetFactory(fiche=en_cours, annee=2026, montant_prevu=Decimal("500.50"), nature="investissement")
    FinancementFactory(fiche=en_cours, annee=2025, montant=Decimal("600"), statut="verse")
    FinancementFactory(fiche=en_cours, annee=2026, montant=Decimal("300"), statut="sollicite")
    validee = FicheActionFactory(charte=charte, statut=Statut.VALIDEE)
    LigneBudgetFactory(fiche=validee, annee=2026, montant_prevu=Decimal("2000"))
    FinancementFactory(fiche=validee, annee=2026, montant=Decimal("2000"), statut="accorde")
    abandonnee = FicheActionFactory(charte=charte, statut=Statut.ABANDONNEE)
    LigneBudgetFactory(fiche=abandonnee, annee=2026, montant_prevu=Decimal("10000"))
    FinancementFactory(fiche=abandonnee, annee=2026, montant=Decimal("4000"), statut="accorde")
    brouillon = FicheActionFactory(charte=charte, statut=Statut.BROUILLON)  # not adopted yet
    LigneBudgetFactory(fiche=brouillon, annee=2026, montant_prevu=Decimal("7000"))
    FicheActionFactory(statut=Statut.EN_COURS)  # in another charter

    plan = client_de(personnes["partenaire"]).get(url(charte)).context["plan"]

    assert plan["nb_fiches"] == 4
    assert plan["statuts"] == [
        ("brouillon", "Brouillon", 1),
        ("validee", "Validée", 1),
        ("en_cours", "En cours", 1),
        ("abandonnee", "Abandonnée", 1),
    ]
    assert plan["totaux"] == {
        "budget_prevu": Decimal("3500.50"),
        "budget_realise": Decimal("900"),
        "finance": Decimal("2900"),
        "finance_acquis": Decimal("2600"),
    }
    assert plan["couverture"] == 83  # 2 900 / 3 500,50
    assert plan["reste_a_financer"] == Decimal("600.50")


def test_totaux_a_zero_sans_budget(client_de, personnes, charte):
    FicheActionFactory(charte=charte, statut=Statut.BROUILLON)
    reponse = client_de(personnes["coordinateur"]).get(url(charte))
    plan = reponse.context["plan"]
    assert plan["totaux"]["budget_prevu"] == 0 and plan["couverture"] is None and plan["reste_a_financer"] == 0
    assert 'Financements prévus : <span class="text-nowrap">0 €</span>, dont' in reponse.text.replace("\xa0", " ")


def test_etapes_cles_en_retard_des_fiches_vivantes_seulement(client_de, personnes, charte):
    retard = fiche_en_retard(charte, titre="Créer un relais petite enfance itinérant")
    fiche_en_retard(charte, statut=Statut.ABANDONNEE)
    fiche_en_retard(charte, statut=Statut.REALISEE)
    Jalon.objects.create(fiche=retard, libelle="Atteinte", date_prevue=il_y_a(30), date_reelle=il_y_a(31))
    Jalon.objects.create(fiche=retard, libelle="À venir", date_prevue=il_y_a(-5))
    Jalon.objects.create(fiche=retard, libelle="Aujourd'hui", date_prevue=il_y_a(0))
    fiche_en_retard(CharteFactory())  # another charter's

    reponse = client_de(personnes["observateur"]).get(url(charte))

    plan = reponse.context["plan"]
    assert [j.libelle for j in plan["jalons_en_retard"]] == [f"Étape de la fiche {retard.numero}"]
    assert plan["nb_jalons_en_retard"] == 1 and plan["autres_jalons_en_retard"] == 0
    assert reverse("plan_actions:fiche", args=[charte.slug, retard.pk]) in reponse.text
    texte = reponse.text.replace("&nbsp;", " ")
    assert f"fiche n° {retard.numero} « Créer un relais petite enfance itinérant »" in texte
    assert f"{il_y_a(10):%d/%m/%Y}</span> — « Étape de la fiche {retard.numero} »" in texte
    assert "1 étape clé en retard" in reponse.text


def test_les_plus_anciennes_d_abord_et_le_compte_des_autres(client_de, personnes, charte):
    fiches = [fiche_en_retard(charte, jours=jours) for jours in range(1, JALONS_EN_RETARD_AFFICHES + 3)]

    reponse = client_de(personnes["coordinateur"]).get(url(charte))

    plan = reponse.context["plan"]
    assert [j.fiche for j in plan["jalons_en_retard"]] == fiches[::-1][:JALONS_EN_RETARD_AFFICHES]
    assert plan["nb_jalons_en_retard"] == JALONS_EN_RETARD_AFFICHES + 2
    assert "et 2 autres" in reponse.text


def test_l_exterieur_ne_voit_rien(client_de, personnes, charte):
    fiche_en_retard(charte)
    assert client_de(personnes["exterieur"]).get(url(charte)).status_code == 404


@pytest.mark.parametrize("role", ["coordinateur", "observateur"])
def test_requetes_constantes_a_1_et_50_fiches(client_de, personnes, charte, role):
    """Counting fiches, summing money and listing late milestones cost the same at 1 and 50 fiches."""

    def ajouter_fiche():
        fiche = fiche_en_retard(charte)
        LigneBudgetFactory(fiche=fiche)
        FinancementFactory(fiche=fiche)

    client = client_de(personnes[role])
    ajouter_fiche()
    une = compter_requetes(client, url(charte))
    for _ in range(49):
        ajouter_fiche()
    cinquante = compter_requetes(client, url(charte))
    assert une == cinquante <= MAX_REQUETES, (une, cinquante)


def test_une_visite_de_plus_ne_recalcule_rien(client_de, personnes, charte):
    """The plan and evaluation cards are computed once, then read from the cache until the charter changes."""
    fiche_en_retard(charte)
    client = client_de(personnes["observateur"])
    froide = compter_requetes(client, url(charte))
    with CaptureQueriesContext(connection) as chaude:
        assert client.get(url(charte)).status_code == 200
    assert len(chaude) <= froide - 5, (len(chaude), froide)


def test_un_changement_fait_dans_les_pages_se_voit_aussitot(client_de, personnes, charte):
    proposee = FicheActionFactory(charte=charte, statut=Statut.PROPOSEE)
    observateur = client_de(personnes["observateur"])
    assert observateur.get(url(charte)).context["plan"]["statuts"] == [("proposee", "Proposée", 1)]

    reponse = client_de(personnes["coordinateur"]).post(
        reverse("plan_actions:valider", args=[charte.slug, proposee.pk])
    )

    assert reponse.status_code == 302
    assert observateur.get(url(charte)).context["plan"]["statuts"] == [("validee", "Validée", 1)]
