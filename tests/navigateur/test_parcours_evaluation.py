"""The evaluation journey, in a real browser: the partner whose organisation is responsible for an
indicator enters a measurement; the chart gains a point and the attainment moves; an observer sees
the same chart but no entry form.

Screenshots: captures/70-indicateur-avant.png, 71-indicateur-apres.png, 72-indicateurs.png.
"""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from charte.services import creer_charte
from evaluation.models import Indicateur, Mesure
from tests.factories import (
    FicheActionFactory,
    MembreFactory,
    OrganisationFactory,
    TerritoireFactory,
    UtilisateurFactory,
)
from tests.navigateur.test_parcours_socle import se_connecter, texte

pytestmark = pytest.mark.navigateur


@pytest.fixture
def charte(transactional_db):
    return creer_charte(
        territoire=TerritoireFactory(nom="CC du Pays de Revigny"),
        nom="Charte territoriale « Avec les familles » — CC du Pays de Revigny",
        date_debut=timezone.localdate() - datetime.timedelta(days=500),
        par=UtilisateurFactory(agent_msa=True, first_name="Claire", last_name="Lemoine"),
    )


def test_parcours_evaluation_une_mesure_fait_bouger_le_graphique(personne, capturer, charte):
    caf = OrganisationFactory(nom="CAF de la Meuse")
    partenaire = MembreFactory(charte=charte, partenaire=True, organisation=caf, utilisateur__first_name="Camille")
    observateur = MembreFactory(charte=charte, observateur=True).utilisateur
    fiche = FicheActionFactory(charte=charte, titre="Organiser des cafés des parents", statut="en_cours", pilote=caf)
    indicateur = Indicateur.objects.create(
        charte=charte,
        fiche=fiche,
        libelle="Parents participant aux rencontres",
        unite="parents",
        valeur_reference=0,
        date_reference=timezone.localdate() - datetime.timedelta(days=300),
        cible=80,
        echeance=timezone.localdate() + datetime.timedelta(days=700),
        frequence="trimestrielle",
        responsable=caf,
    )
    Mesure.objects.create(indicateur=indicateur, date=timezone.localdate() - datetime.timedelta(days=200), valeur=20)

    page = personne("partenaire")
    se_connecter(page, partenaire.utilisateur.username)
    page.goto(f"/chartes/{charte.slug}/evaluation/")
    expect(page.get_by_text("1 mesure attendue")).to_be_visible()  # the quarter after the last one has passed
    page.get_by_role("link", name="Parents participant aux rencontres").first.click()
    graphique = page.locator("svg[aria-labelledby='serie-titre serie-desc']")
    expect(graphique.locator("circle")).to_have_count(2)  # the baseline and one measurement
    expect(page.get_by_text("Atteinte : 25 %")).to_be_visible()
    capturer(page, "70-indicateur-avant")

    page.get_by_label("Valeur (parents)").fill("52")
    page.get_by_label("Commentaire").fill("Deux nouveaux cafés à Vaubecourt")
    page.get_by_role("button", name="Enregistrer la mesure").click()
    expect(page.locator(".alert-success")).to_contain_text("Mesure enregistrée.")
    expect(graphique.locator("circle")).to_have_count(3)
    expect(page.get_by_text("Atteinte : 65 %")).to_be_visible()  # 52 of the way from 0 to 80
    assert "Deux nouveaux cafés à Vaubecourt" in texte(page.locator("table"))
    capturer(page, "71-indicateur-apres")

    lecteur = personne("observateur")
    se_connecter(lecteur, observateur.username)
    lecteur.goto(f"/chartes/{charte.slug}/evaluation/indicateurs/{indicateur.pk}/")
    expect(lecteur.locator("svg[aria-labelledby='serie-titre serie-desc'] circle")).to_have_count(3)
    expect(lecteur.get_by_role("button", name="Enregistrer la mesure")).to_have_count(0)
    lecteur.goto(f"/chartes/{charte.slug}/evaluation/")
    capturer(lecteur, "72-indicateurs")
