"""The action-plan journey, in a real browser: a CAF partner proposes a fiche answering a priority,
with its budget and financing (rows added with the "Ajouter une ligne" button); the codecom's
référent reviews and validates it; the validated action appears in the plan's Gantt chart.

Each step leaves a full-page screenshot in captures/ (60-plan-vide.png … 66-calendrier.png).
"""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from charte.services import creer_charte
from plan_actions.models import FicheAction
from tests.factories import MembreFactory, OrganisationFactory, PrioriteFactory, TerritoireFactory, UtilisateurFactory
from tests.navigateur.test_parcours_socle import onglet, se_connecter, texte

pytestmark = pytest.mark.navigateur

EPCI = "CC du Pays de Revigny"
TITRE = "Organiser des cafés des parents"


@pytest.fixture
def charte(transactional_db):
    charte = creer_charte(
        territoire=TerritoireFactory(nom=EPCI),
        nom=f"Charte territoriale « Avec les familles » — {EPCI}",
        date_debut=timezone.localdate() - datetime.timedelta(days=300),
        par=UtilisateurFactory(agent_msa=True, first_name="Claire", last_name="Lemoine"),
    )
    PrioriteFactory(charte=charte, rang=1, intitule="Soutenir les parents isolés", besoin__domaine="parentalite")
    return charte


def test_parcours_plan_de_la_proposition_au_calendrier(personne, capturer, live_server, charte):
    caf = OrganisationFactory(nom="CAF de la Meuse", departement="")
    partenaire = MembreFactory(
        charte=charte,
        partenaire=True,
        organisation=caf,
        utilisateur__first_name="Camille",
        utilisateur__last_name="Roy",
    ).utilisateur
    referent = MembreFactory(
        charte=charte, referent=True, utilisateur__first_name="Paul", utilisateur__last_name="Henry"
    ).utilisateur

    # 1. The partner finds the plan tab, empty for now.
    page = personne("partenaire")
    se_connecter(page, partenaire.username)
    page.get_by_role("link", name=charte.nom).click()
    onglet(page, "Plan d'actions").click()
    expect(page).to_have_url(f"{live_server.url}/chartes/{charte.slug}/plan/")
    expect(page.get_by_text("Aucune fiche action pour l'instant.")).to_be_visible()
    capturer(page, "60-plan-vide")

    # 2. A new fiche: piloted by the partner's own organisation by default, answering the priority.
    page.get_by_role("link", name="Proposer une fiche").click()
    expect(page.get_by_label("Organisation pilote")).to_have_value(str(caf.pk))
    page.get_by_label(re.compile(r"^\s*Intitulé de l'action")).fill(TITRE)
    page.get_by_label(re.compile(r"^\s*Domaine")).select_option("parentalite")
    page.get_by_label("1. Soutenir les parents isolés").check()
    page.get_by_label(re.compile(r"^\s*Objectif général")).fill("Rompre l'isolement des parents")
    page.get_by_role("textbox", name="Début", exact=True).fill("2025-09-01")
    page.get_by_role("textbox", name="Fin", exact=True).fill("2027-06-30")
    budget = page.locator("[data-tableau=budget]")
    for _ in range(1):  # two empty rows are offered; one more with the button
        budget.get_by_role("button", name="Ajouter une ligne").click()
    expect(budget.locator("tbody tr")).to_have_count(3)
    ligne = budget.locator("tbody tr").nth(2)
    ligne.get_by_label("Année").fill("2026")
    ligne.get_by_label("Poste de dépense").fill("Animatrice")
    ligne.get_by_label("Prévu (€)").fill("8000")
    financement = page.locator("[data-tableau=financements] tbody tr").first
    financement.get_by_label("Financeur").select_option(label="CAF de la Meuse")
    financement.get_by_label("Année").fill("2026")
    financement.get_by_label("Montant (€)").fill("6000")
    capturer(page, "61-nouvelle-fiche")
    page.get_by_role("button", name="Enregistrer").click()
    fiche = FicheAction.objects.get()
    expect(page).to_have_url(f"{live_server.url}/chartes/{charte.slug}/plan/{fiche.pk}/")
    expect(page.locator(".alert-success")).to_contain_text("Fiche n° 1 créée en brouillon")
    assert "couvre 75 % du budget : il manque 2 000 €" in texte(page.locator("#titre-budget").locator(".."))
    capturer(page, "62-fiche-brouillon")

    # 3. The partner proposes it for review.
    page.get_by_role("button", name="Proposer à la validation").click()
    expect(page.locator(".badge").filter(has_text="Proposée").first).to_be_visible()
    capturer(page, "63-fiche-proposee")

    # 4. The référent sees it in the plan, opens it and validates it.
    relecteur = personne("referent")
    se_connecter(relecteur, referent.username)
    relecteur.goto(f"/chartes/{charte.slug}/plan/")
    ligne = relecteur.locator("tbody tr").filter(has_text=TITRE)
    expect(ligne).to_contain_text("Proposée")
    expect(ligne).to_contain_text("8 000 €")
    capturer(relecteur, "64-plan-a-valider")
    ligne.get_by_role("link", name=TITRE).click()
    relecteur.get_by_role("button", name="Valider la fiche").click()
    expect(relecteur.locator(".alert-success")).to_contain_text("Fiche validée.")
    expect(relecteur.get_by_text(re.compile(r"le \d\d/\d\d/\d{4} par Paul Henry"))).to_be_visible()
    capturer(relecteur, "65-fiche-validee")

    # 5. The validated action is in the Gantt of the plan.
    relecteur.get_by_role("link", name="Calendrier", exact=True).click()
    expect(relecteur).to_have_url(f"{live_server.url}/chartes/{charte.slug}/plan/calendrier/")
    gantt = relecteur.locator("svg").filter(has_text=TITRE[:20])
    expect(gantt).to_have_count(1)
    capturer(relecteur, "66-calendrier")
