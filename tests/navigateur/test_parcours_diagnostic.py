"""The diagnostic journey, in a real browser: a coordinator builds a questionnaire from scratch (a
required choice question with an « autre » option, a conditional multiple choice, a scale), reorders
it and publishes it; families answer on their phones through the public link, anonymously; the
coordinator reads the results, as bar charts, filtered by commune.

Each step leaves a full-page screenshot in captures/ (30-diagnostic-sans-questionnaire.png … 44-…png).
The order of the questions on the builder's page is its own (expected-to-fail) test, so that its known
bug does not hide the rest of the journey.
"""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from charte.services import creer_charte
from diagnostic.models import Enquete, Question, Reponse, Valeur
from diagnostic.services import creer_enquete
from tests.factories import CommuneFactory, TerritoireFactory, UtilisateurFactory
from tests.navigateur.test_parcours_socle import onglet, se_connecter, texte

pytestmark = pytest.mark.navigateur

EPCI = "CC du Pays de Revigny"
COMMUNES = ["Beausite", "Seuil-d'Argonne", "Triaucourt"]
DEPARTEMENT = "55"  # communes are shown as « Beausite (55) »
GARDE = "Qui garde votre enfant ?"
DIFFICULTES = "Quelles difficultés ?"
SATISFACTION = "Êtes-vous satisfait de l'accueil de votre enfant ?"
ECHELLE = "Échelle de 1 à 5"


@pytest.fixture
def charte(transactional_db):
    """A charter on a three-commune EPCI, created by an MSA agent who coordinates it."""
    territoire = TerritoireFactory(nom=EPCI)
    for nom in COMMUNES:
        CommuneFactory(nom=nom, territoire=territoire, departement=DEPARTEMENT)
    return creer_charte(
        territoire=territoire,
        nom=f"Charte territoriale « Avec les familles » — {EPCI}",
        date_debut=timezone.localdate() - datetime.timedelta(days=30),
        par=UtilisateurFactory(agent_msa=True, first_name="Claire", last_name="Lemoine"),
    )


def coordinateur(charte):
    return charte.membres.get().utilisateur


def largeur_de_page(page):
    return page.evaluate("document.documentElement.scrollWidth")


# --- the coordinator's side -------------------------------------------------------------------


def champ(page, libelle):
    """A form field by its exact label, crispy's « * » of required fields allowed."""
    return page.get_by_label(re.compile(rf"^\s*{re.escape(libelle)}\s*\*?\s*$"))


def section_questions(page):
    """The « Questions » section of the questionnaire page (a region named by its heading)."""
    return page.get_by_role("region", name="Questions")


def titres_des_questions(page):
    """The question texts as listed in the section, in order (each followed by « * » if required)."""
    return section_questions(page).locator("li .me-auto > div:first-child")


def ligne_de_question(page, texte_question):
    return section_questions(page).get_by_role("listitem").filter(has_text=texte_question)


def ajouter_question(page, texte_question, type_, options=(), autre="", obligatoire=False, condition=None):
    section_questions(page).get_by_role("link", name="Ajouter une question").click()
    expect(page.get_by_role("heading", name="Nouvelle question — Questions")).to_be_visible()
    champ(page, "Question").fill(texte_question)
    champ(page, "Type").select_option(label=type_)
    if options:
        page.get_by_label("Options (ou lignes de la grille), une par ligne").fill("\n".join(options))
    if autre:
        page.get_by_label("Option « autre, précisez » (facultatif)").fill(autre)
    if obligatoire:
        page.get_by_label("Obligatoire").check()
    if condition:
        page.get_by_label("Afficher seulement si cette réponse est cochée").select_option(label=condition)


def deplacer(page, texte_question, fleche):
    """Click ↑ (« Monter la question ») or ↓ (« Descendre la question ») and wait for the page to come back."""
    with page.expect_navigation():
        ligne_de_question(page, texte_question).get_by_role("button", name=fleche).click()
    expect(titres_des_questions(page)).to_have_count(3)


def ordre_des_questions(enquete):
    return list(enquete.questions.values_list("texte", flat=True))


def enregistrer_question(page):
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator(".alert-success")).to_contain_text("La question est enregistrée.")


# --- the family's side ------------------------------------------------------------------------


def remplir_le_foyer(page, commune, ages="2"):
    page.get_by_label("Votre commune").select_option(label=f"{commune} ({DEPARTEMENT})")
    page.get_by_label("Nombre d'adultes dans le foyer").fill("2")
    page.get_by_label("Nombre d'enfants dans le foyer").fill(str(len(ages.split(","))))
    page.get_by_label("Âge de chaque enfant").fill(ages)
    page.get_by_label("Votre situation familiale aujourd'hui").select_option(
        label="Parents de jeunes enfants (0-3 ans)"
    )


def bloc_question(page, texte_question):
    """A question of the public form: its text and its answers."""
    return page.locator(".question").filter(has=page.locator(".fw-semibold", has_text=texte_question))


def envoyer(page):
    page.get_by_role("button", name="Envoyer mes réponses").click()


def assert_pas_de_defilement_horizontal(page):
    largeur = largeur_de_page(page)
    assert largeur <= 390, f"La page défile horizontalement sur un téléphone ({largeur} px pour 390 px) : {page.url}"


def test_parcours_diagnostic_du_questionnaire_aux_resultats(personne, capturer, live_server, charte):
    beausite, seuil, triaucourt = (charte.communes.get(nom=nom) for nom in COMMUNES)

    # 1. The coordinator creates an empty questionnaire from the Diagnostic tab.
    page = personne("coordinateur")
    se_connecter(page, coordinateur(charte).username)
    page.get_by_role("link", name=charte.nom).click()
    onglet(page, "Diagnostic").click()
    expect(page).to_have_url(f"{live_server.url}/chartes/{charte.slug}/diagnostic/")
    expect(onglet(page, "Diagnostic")).to_have_class(re.compile(r"\bactive\b"))
    expect(page.get_by_role("heading", name="Questionnaires aux familles")).to_be_visible()
    expect(page.get_by_text("Aucun questionnaire pour l'instant.")).to_be_visible()
    capturer(page, "30-diagnostic-sans-questionnaire")

    page.get_by_role("link", name="Nouveau questionnaire").click()
    expect(page.get_by_role("heading", name="Nouveau questionnaire")).to_be_visible()
    champ(page, "Titre").fill("La garde des jeunes enfants")
    page.get_by_label("Un questionnaire vide").check()
    capturer(page, "31-nouveau-questionnaire")
    page.get_by_role("button", name="Créer le questionnaire").click()

    enquete = Enquete.objects.get(charte=charte)
    url_enquete = f"{live_server.url}/chartes/{charte.slug}/diagnostic/enquetes/{enquete.pk}/"
    expect(page).to_have_url(url_enquete)
    expect(page.locator(".alert-success")).to_contain_text("Le questionnaire est créé (brouillon)")
    expect(page.get_by_role("heading", name="La garde des jeunes enfants")).to_be_visible()
    expect(page.locator(".badge").filter(has_text="Brouillon")).to_be_visible()
    expect(section_questions(page)).to_contain_text("Aucune question dans cette section.")

    # 2. Three questions: a required single choice with « autre », a conditional multiple choice, a scale.
    ajouter_question(
        page,
        GARDE,
        "Choix unique",
        options=["Crèche", "Assistante maternelle"],
        autre="Autre (précisez)",
        obligatoire=True,
    )
    capturer(page, "32-question-choix-unique")
    enregistrer_question(page)
    expect(page).to_have_url(url_enquete)

    ajouter_question(page, DIFFICULTES, "Choix multiple", options=["Horaires", "Coût"])
    condition = page.get_by_label("Afficher seulement si cette réponse est cochée")
    # Only the options of the choice questions already written are offered as conditions.
    expect(condition.locator("option")).to_have_text(
        [
            "Toujours afficher (pas de condition)",
            f"{GARDE} → Crèche",
            f"{GARDE} → Assistante maternelle",
            f"{GARDE} → Autre (précisez)",
        ]
    )
    condition.select_option(label=f"{GARDE} → Crèche")
    capturer(page, "33-question-conditionnelle")
    enregistrer_question(page)

    ajouter_question(page, SATISFACTION, ECHELLE)
    enregistrer_question(page)

    # Listed in the order written (checked in the database: the page's own order is unreliable, see
    # test_les_fleches_reordonnent_la_liste; the family's form below shows the order that counts).
    expect(titres_des_questions(page)).to_have_count(3)
    assert ordre_des_questions(enquete) == [GARDE, DIFFICULTES, SATISFACTION]
    garde = ligne_de_question(page, GARDE)
    expect(garde).to_contain_text("Choix unique")
    expect(garde).to_contain_text("Crèche · Assistante maternelle · Autre (précisez) ✎")
    difficultes = ligne_de_question(page, DIFFICULTES)
    expect(difficultes).to_contain_text("Choix multiple")
    expect(difficultes).to_contain_text("Horaires · Coût")
    expect(difficultes).to_contain_text("Affichée seulement si « Crèche » est coché.")
    expect(ligne_de_question(page, SATISFACTION)).to_contain_text(ECHELLE)

    # 3. Reorder with the arrows; the condition keeps coming before the question it shows.
    deplacer(page, SATISFACTION, "Monter la question")
    assert ordre_des_questions(enquete) == [GARDE, SATISFACTION, DIFFICULTES]
    deplacer(page, GARDE, "Descendre la question")
    assert ordre_des_questions(enquete) == [SATISFACTION, GARDE, DIFFICULTES]
    deplacer(page, SATISFACTION, "Monter la question")  # already first: nothing moves
    assert ordre_des_questions(enquete) == [SATISFACTION, GARDE, DIFFICULTES]
    capturer(page, "34-questions-reordonnees")
    question_garde = enquete.questions.get(texte=GARDE)
    assert question_garde.type == Question.Type.CHOIX_UNIQUE and question_garde.obligatoire
    assert [(o.libelle, o.autre) for o in question_garde.options.all()] == [
        ("Crèche", False),
        ("Assistante maternelle", False),
        ("Autre (précisez)", True),
    ]
    assert enquete.questions.get(texte=DIFFICULTES).condition_option.libelle == "Crèche"

    # 4. Published, the questionnaire shows its public link.
    page.get_by_role("button", name="Publier").click()
    expect(page.locator(".alert-success").first).to_contain_text(
        "Questionnaire publié : le lien public accepte les réponses."
    )
    expect(page.locator(".badge").filter(has_text="Publiée")).to_be_visible()
    expect(page.get_by_role("button", name="Clore")).to_be_visible()
    alerte_lien = page.locator(".alert").filter(has_text="Lien public à diffuser aux familles")
    lien_public = alerte_lien.locator("a[href*='/e/']")
    expect(lien_public).to_have_text(f"{live_server.url}/e/{enquete.jeton}/")
    lien = lien_public.get_attribute("href")
    assert lien == f"{live_server.url}/e/{enquete.jeton}/"
    capturer(page, "35-questionnaire-publie")

    # 5. A family opens the link on a phone, without an account, and is told its answers are anonymous.
    famille = personne("famille", telephone=True)
    famille.goto(lien)
    expect(famille.get_by_role("heading", level=1)).to_have_text("La garde des jeunes enfants")
    expect(famille.get_by_role("note")).to_contain_text("Vos réponses sont anonymes.")
    expect(famille.get_by_role("note")).to_contain_text("On ne vous demande ni votre nom, ni votre adresse")
    expect(famille.get_by_role("button", name="Se déconnecter")).to_have_count(0)
    expect(famille.get_by_label("Votre commune").locator("option")).to_have_text(
        ["Choisissez votre commune", *(f"{nom} ({DEPARTEMENT})" for nom in COMMUNES)]
    )
    # The questions come in the order the coordinator set with the arrows.
    expect(famille.locator(".question > .fw-semibold")).to_have_text([SATISFACTION, f"{GARDE} *", DIFFICULTES])
    remplir_le_foyer(famille, "Beausite")
    # The question on the difficulties waits for « Crèche ».
    expect(bloc_question(famille, DIFFICULTES)).to_be_hidden()
    expect(famille.get_by_label("Horaires")).to_be_hidden()
    capturer(famille, "36-famille-questionnaire-telephone")
    assert_pas_de_defilement_horizontal(famille)

    # Sent without the required answer: told so, nothing lost.
    envoyer(famille)
    expect(famille.get_by_role("alert")).to_contain_text("Certaines réponses sont à compléter ou à corriger")
    expect(bloc_question(famille, GARDE)).to_contain_text("Cette question est obligatoire.")
    expect(famille.get_by_text("Cette question est obligatoire.")).to_have_count(1)
    expect(famille).to_have_url(lien)
    expect(famille.get_by_label("Votre commune")).to_have_value(str(beausite.pk))
    expect(famille.get_by_label("Nombre d'adultes dans le foyer")).to_have_value("2")
    expect(famille.get_by_label("Nombre d'enfants dans le foyer")).to_have_value("1")
    expect(famille.get_by_label("Âge de chaque enfant")).to_have_value("2")
    expect(famille.get_by_label("Votre situation familiale aujourd'hui")).to_have_value("petite_enfance")
    expect(famille.get_by_role("button", name="Envoyer mes réponses")).to_be_enabled()
    expect(bloc_question(famille, DIFFICULTES)).to_be_hidden()
    capturer(famille, "37-famille-reponse-obligatoire")
    assert_pas_de_defilement_horizontal(famille)
    assert not Reponse.objects.exists()

    # Ticking « Crèche » shows the question on the difficulties; another choice hides it again.
    famille.get_by_label("Assistante maternelle").check()
    expect(bloc_question(famille, DIFFICULTES)).to_be_hidden()
    famille.get_by_label("Crèche").check()
    expect(bloc_question(famille, DIFFICULTES)).to_be_visible()
    famille.get_by_label("Horaires").check()
    famille.get_by_label("4 — Satisfait").check()
    capturer(famille, "38-famille-question-conditionnelle")
    assert_pas_de_defilement_horizontal(famille)
    envoyer(famille)
    expect(famille).to_have_url(f"{lien}merci/")
    expect(famille.get_by_role("heading", name="Merci pour vos réponses !")).to_be_visible()
    expect(famille.locator("main")).to_contain_text(EPCI)
    capturer(famille, "39-famille-merci")
    assert_pas_de_defilement_horizontal(famille)

    reponse = Reponse.objects.get()
    assert reponse.canal == Reponse.Canal.EN_LIGNE and reponse.saisie_par is None
    assert (reponse.famille.commune, reponse.famille.nombre_enfants, reponse.famille.ages_enfants) == (
        beausite,
        1,
        [2],
    )
    assert {(v.question.texte, v.option.libelle if v.option else None, v.nombre) for v in Valeur.objects.all()} == {
        (GARDE, "Crèche", None),
        (DIFFICULTES, "Horaires", None),
        (SATISFACTION, None, 4),
    }

    # 6. The coordinator reads the results: one answer, all of it at the crèche.
    page.reload()
    expect(page.locator("main")).to_contain_text("1 réponse")
    page.get_by_role("link", name="Résultats").click()
    expect(page).to_have_url(f"{url_enquete}resultats/")
    expect(page.get_by_text("1 réponse", exact=True)).to_be_visible()
    graphique = page.get_by_role("img", name=GARDE)
    expect(graphique).to_be_visible()
    assert graphique.evaluate("e => e.tagName") == "svg"
    expect(graphique.locator("g").filter(has_text="Crèche")).to_contain_text("1 · 100 %")
    expect(graphique.locator("g").filter(has_text="Assistante maternelle")).to_contain_text("0 · 0 %")
    expect(page.get_by_role("img", name=DIFFICULTES).locator("g").filter(has_text="Horaires")).to_contain_text(
        "1 · 100 %"
    )
    resultat_satisfaction = page.get_by_role("region", name=SATISFACTION)
    expect(resultat_satisfaction).to_contain_text("1 répondant · moyenne 4")
    capturer(page, "40-resultats-une-reponse")

    # 7. A second family, from another commune, uses the childminder.
    seconde = personne("seconde-famille", telephone=True)
    seconde.goto(lien)
    remplir_le_foyer(seconde, "Triaucourt", ages="1, 4")
    seconde.get_by_label("Assistante maternelle").check()
    expect(bloc_question(seconde, DIFFICULTES)).to_be_hidden()
    envoyer(seconde)
    expect(seconde.get_by_role("heading", name="Merci pour vos réponses !")).to_be_visible()
    assert Reponse.objects.count() == 2
    assert Reponse.objects.filter(famille__commune=triaucourt, famille__ages_enfants=[1, 4]).exists()

    page.reload()
    expect(page.get_by_text("2 réponses", exact=True)).to_be_visible()
    expect(graphique.locator("g").filter(has_text="Crèche")).to_contain_text("1 · 50 %")
    expect(graphique.locator("g").filter(has_text="Assistante maternelle")).to_contain_text("1 · 50 %")
    expect(graphique.locator("g").filter(has_text="Autre (précisez)")).to_contain_text("0 · 0 %")
    capturer(page, "41-resultats-deux-reponses")

    # 8. Filtered by commune: Beausite's family only, then a commune nobody answered from.
    filtre_commune = page.get_by_label("Commune", exact=True)
    filtre_commune.select_option(label=f"Beausite ({DEPARTEMENT})")
    page.get_by_role("button", name="Filtrer").click()
    expect(page).to_have_url(re.compile(rf"resultats/\?.*commune={beausite.pk}"))
    expect(page.get_by_text("1 réponse sur 2 (filtre appliqué)")).to_be_visible()
    expect(graphique.locator("g").filter(has_text="Crèche")).to_contain_text("1 · 100 %")

    filtre_commune.select_option(label=f"Seuil-d'Argonne ({DEPARTEMENT})")
    page.get_by_role("button", name="Filtrer").click()
    expect(page).to_have_url(re.compile(rf"resultats/\?.*commune={seuil.pk}"))
    expect(page.get_by_text("0 réponse sur 2 (filtre appliqué)")).to_be_visible()
    expect(filtre_commune).to_have_value(str(seuil.pk))
    expect(graphique.locator("g").filter(has_text="Crèche")).to_contain_text("0 · 0 %")
    assert "0 répondant" in texte(page.get_by_role("region", name=GARDE))
    capturer(page, "42-resultats-filtre-commune-sans-reponse")

    page.get_by_role("link", name="Tout", exact=True).click()
    expect(page.get_by_text("2 réponses", exact=True)).to_be_visible()


def test_les_fleches_reordonnent_la_liste(personne, capturer, live_server, charte):
    enquete = creer_enquete(charte, QUESTIONNAIRE_TROIS_QUESTIONS, par=coordinateur(charte))
    page = personne("coordinateur")
    se_connecter(page, coordinateur(charte).username)
    page.goto(f"/chartes/{charte.slug}/diagnostic/enquetes/{enquete.pk}/")
    expect(titres_des_questions(page)).to_have_text([f"{GARDE} *", DIFFICULTES, SATISFACTION])

    deplacer(page, SATISFACTION, "Monter la question")
    assert ordre_des_questions(enquete) == [GARDE, SATISFACTION, DIFFICULTES]
    capturer(page, "44-fleches-liste-des-questions")
    expect(titres_des_questions(page)).to_have_text([f"{GARDE} *", SATISFACTION, DIFFICULTES])
    deplacer(page, GARDE, "Descendre la question")
    expect(titres_des_questions(page)).to_have_text([SATISFACTION, f"{GARDE} *", DIFFICULTES])


QUESTION_GARDE = {
    "code": "garde",
    "texte": GARDE,
    "type": "choix_unique",
    "obligatoire": True,
    "options": [{"libelle": "Crèche"}, {"libelle": "Assistante maternelle"}],
}
QUESTIONNAIRE_TROIS_QUESTIONS = {
    "titre": "La garde des jeunes enfants",
    "sections": [
        {
            "titre": "Questions",
            "questions": [
                QUESTION_GARDE,
                {
                    "code": "difficultes",
                    "texte": DIFFICULTES,
                    "type": "choix_multiple",
                    "options": [{"libelle": "Horaires"}, {"libelle": "Coût"}],
                    "condition": {"question": "garde", "option": "Crèche"},
                },
                {"code": "satisfaction", "texte": SATISFACTION, "type": "echelle"},
            ],
        }
    ],
}
QUESTIONNAIRE_COURT = {
    "titre": "Questionnaire court",
    "sections": [
        {
            "titre": "Petite enfance",
            "questions": [QUESTION_GARDE],
        }
    ],
}


def test_un_double_clic_sur_envoyer_n_enregistre_qu_une_reponse(personne, capturer, live_server, charte):
    enquete = creer_enquete(charte, QUESTIONNAIRE_COURT, par=coordinateur(charte))
    Enquete.objects.filter(pk=enquete.pk).update(statut=Enquete.Statut.PUBLIEE)

    famille = personne("famille", telephone=True)
    famille.goto(f"/e/{enquete.jeton}/")
    remplir_le_foyer(famille, "Triaucourt")
    famille.get_by_label("Crèche").check()
    famille.get_by_role("button", name="Envoyer mes réponses").dblclick()
    expect(famille).to_have_url(f"{live_server.url}/e/{enquete.jeton}/merci/")
    expect(famille.get_by_role("heading", name="Merci pour vos réponses !")).to_be_visible()
    capturer(famille, "43-double-clic-merci")

    assert Reponse.objects.count() == 1
    assert Valeur.objects.count() == 1
