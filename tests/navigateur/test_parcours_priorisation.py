"""The prioritisation journey, in a real browser: the coordinator creates a session on the charter's
three needs and opens it; a partner votes with their account, a parent votes on a phone with the
session's code, without an account; the coordinator's results, projected in the room, update by
themselves (no reload) and rank the needs.

Each step leaves a full-page screenshot in captures/ (50-priorisation-sans-seance.png … 56-…png).
"""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from charte.services import creer_charte
from diagnostic.models import Besoin
from priorisation.models import CRITERES_PAR_DEFAUT, Note, Participant, Seance
from tests.factories import MembreFactory, TerritoireFactory, UtilisateurFactory
from tests.navigateur.test_parcours_diagnostic import assert_pas_de_defilement_horizontal
from tests.navigateur.test_parcours_socle import onglet, se_connecter, texte

pytestmark = pytest.mark.navigateur

EPCI = "CC du Pays de Revigny"
GARDE = "Garde d'enfants le mercredi"
TRANSPORT = "Transport vers le collège"
MEDECIN = "Accès à un médecin traitant"
RAFRAICHISSEMENT_MS = 15_000  # the results refresh every 5 s


@pytest.fixture
def charte(transactional_db):
    territoire = TerritoireFactory(nom=EPCI)
    charte = creer_charte(
        territoire=territoire,
        nom=f"Charte territoriale « Avec les familles » — {EPCI}",
        date_debut=timezone.localdate() - datetime.timedelta(days=200),
        par=UtilisateurFactory(agent_msa=True, first_name="Claire", last_name="Lemoine"),
    )
    for domaine, titre in [("enfance_jeunesse", GARDE), ("enfance_jeunesse", TRANSPORT), ("sante", MEDECIN)]:
        Besoin.objects.create(charte=charte, domaine=domaine, titre=titre)
    return charte


def noter(page, notes):
    """{need: score}: the same score on every criterion of the need."""
    for besoin, note in notes.items():
        for critere in CRITERES_PAR_DEFAUT:
            page.get_by_label(f"{critere} — {besoin}", exact=True).select_option(str(note))


def test_parcours_priorisation_de_la_seance_aux_resultats_en_direct(personne, capturer, live_server, charte):
    coordinatrice = charte.membres.get().utilisateur
    partenaire = MembreFactory(charte=charte, partenaire=True, utilisateur__first_name="Camille").utilisateur

    # 1. The coordinator finds the Priorisation tab, right after the Diagnostic one.
    page = personne("coordinatrice")
    se_connecter(page, coordinatrice.username)
    page.get_by_role("link", name=charte.nom).click()
    onglets = page.locator(".nav-tabs .nav-link")
    noms = [texte(o) for o in onglets.all()]
    assert noms[noms.index("Diagnostic") + 1] == "Priorisation"
    onglet(page, "Priorisation").click()
    expect(page).to_have_url(f"{live_server.url}/chartes/{charte.slug}/priorisation/")
    expect(onglet(page, "Priorisation")).to_have_class(re.compile(r"\bactive\b"))
    expect(page.get_by_text("Aucune séance de priorisation pour l'instant.")).to_be_visible()
    capturer(page, "50-priorisation-sans-seance")

    # 2. A multi-criteria session on the three needs.
    page.get_by_role("link", name="Nouvelle séance").click()
    expect(page.get_by_text("Les 3 besoins du diagnostic seront soumis au vote")).to_be_visible()
    page.get_by_label(re.compile(r"^\s*Titre")).fill("COPIL de priorisation")
    capturer(page, "51-nouvelle-seance")
    page.get_by_role("button", name="Créer la séance").click()
    seance = Seance.objects.get()
    expect(page).to_have_url(f"{live_server.url}/chartes/{charte.slug}/priorisation/seances/{seance.pk}/")
    expect(page.locator(".alert-success")).to_contain_text("La séance est créée (en préparation)")
    expect(page.locator(".badge").filter(has_text="En préparation")).to_be_visible()

    # 3. Opened: the code is shown big, for the projector.
    page.get_by_role("button", name="Ouvrir le vote").click()
    expect(page.locator(".alert-success")).to_contain_text("La séance est ouverte au vote.")
    expect(page.locator(".code-seance")).to_have_text(seance.code)
    expect(page.get_by_text("Personne n'a encore voté")).to_be_visible()
    capturer(page, "52-seance-ouverte")
    page.evaluate("window.sansRechargement = true")

    # 4. The partner votes with their account.
    camille = personne("partenaire")
    se_connecter(camille, partenaire.username)
    camille.goto(f"/chartes/{charte.slug}/priorisation/seances/{seance.pk}/")
    camille.get_by_role("link", name="Voter").click()
    camille.get_by_label("Institutions et partenaires", exact=True).check()
    camille.get_by_role("button", name="Rejoindre la séance").click()
    noter(camille, {GARDE: 5, TRANSPORT: 2, MEDECIN: 3})
    camille.get_by_role("button", name="Enregistrer mes notes").click()
    expect(camille.locator(".alert-success")).to_contain_text("Vos notes sont enregistrées.")
    expect(camille.get_by_label(f"Urgence — {GARDE}", exact=True)).to_have_value("5")
    capturer(camille, "53-partenaire-a-vote")

    # 5. A parent joins on a phone with the code (typed in lower case), without an account.
    parent = personne("parent", telephone=True)
    parent.goto("/s/")
    parent.get_by_label(re.compile(r"^\s*Code de la séance")).fill(seance.code.lower())
    parent.get_by_role("button", name="Rejoindre", exact=True).click()
    expect(parent).to_have_url(f"{live_server.url}/s/{seance.code}/")
    expect(parent.get_by_role("heading", name="COPIL de priorisation")).to_be_visible()
    parent.get_by_label("Familles", exact=True).check()
    parent.get_by_label(re.compile(r"^\s*Comment vous présenter")).fill("Parent de Triaucourt")
    parent.get_by_role("button", name="Rejoindre la séance").click()
    noter(parent, {GARDE: 5, TRANSPORT: 1, MEDECIN: 5})
    capturer(parent, "54-parent-vote-telephone")
    assert_pas_de_defilement_horizontal(parent)
    parent.get_by_role("button", name="Enregistrer mes notes").click()
    expect(parent.locator(".alert-success")).to_contain_text("Vos notes sont enregistrées.")
    assert_pas_de_defilement_horizontal(parent)
    capturer(parent, "55-parent-notes-enregistrees")

    invite = Participant.objects.get(utilisateur__isnull=True)
    assert (invite.college, invite.pseudonyme) == ("familles", "Parent de Triaucourt")
    assert Note.objects.filter(participant=invite).count() == 9

    # 6. Without a reload, the coordinator's results rank the needs.
    resultats = page.locator("#resultats")
    lignes = resultats.locator("tbody tr")
    expect(lignes).to_have_count(3, timeout=RAFRAICHISSEMENT_MS)
    expect(lignes.locator("td:nth-child(2)")).to_have_text(
        [GARDE, re.compile(rf"^{MEDECIN}"), re.compile(rf"^{TRANSPORT}")], timeout=RAFRAICHISSEMENT_MS
    )
    expect(lignes.nth(0)).to_contain_text("5,0")
    expect(lignes.nth(1)).to_contain_text("4,0")
    expect(lignes.nth(2)).to_contain_text("1,5")
    # Two collèges of one person each: below the threshold of 3, their detail stays hidden.
    expect(resultats).to_contain_text("moins de 3 participants dans le collège : détail masqué")
    expect(lignes.nth(1)).to_contain_text("à discuter en priorité")
    expect(lignes.nth(0)).not_to_contain_text("à discuter en priorité")  # everyone agrees on it
    expect(resultats.get_by_role("img", name="Score moyen des besoins (sur 5)")).to_be_visible()
    assert page.evaluate("window.sansRechargement === true"), "la page a été rechargée"
    expect(resultats).to_contain_text("2 participants : Familles 1 · Institutions et partenaires 1")
    capturer(page, "56-resultats-en-direct")
