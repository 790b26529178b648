"""What the four reports say: the charter's own figures in the PDF text and in the HTML preview,
and a COPIL context built in a fixed number of queries whatever the size of the plan."""

import datetime
import html
import io
import re
import secrets
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from diagnostic.models import PreuveQuestion, Reponse
from diagnostic.services import creer_enquete, enregistrer_reponse
from evaluation.models import Mesure
from plan_actions.graphiques import Groupe
from plan_actions.instantanes import instantane_du_plan
from plan_actions.models import FicheAction, Jalon, Suivi, VersionPlan
from rapports.contextes import LIGNES_PAR_GANTT, contexte_du_rapport, decouper_en_pages
from rapports.models import Decision, Rapport, SeanceCopil
from rapports.pdfs import pdf_du_rapport
from tests.factories import (
    QUESTIONNAIRE_MINIMAL,
    BesoinFactory,
    FicheActionFactory,
    FinancementFactory,
    IndicateurFactory,
    LigneBudgetFactory,
    OrganisationFactory,
    PrioriteFactory,
)

pytestmark = pytest.mark.django_db
Statut = FicheAction.Statut

# Hand-computed from the plan below: the relais (12 500 + 7 250,50) and the guide (4 000) are in the
# adopted plan; the draft's 9 999 € are not counted.
BUDGET_DU_PLAN = "23 750,50 €"
BUDGET_DU_RELAIS = "19 750,50 €"
FINANCE_DU_PLAN = "15 000 €"


def normaliser(texte):
    """One plain space for every gap: PDFs and pages carry no-break spaces (thousands, « ») and line breaks."""
    return re.sub(r"\s+", " ", html.unescape(texte).replace("\xa0", " ").replace("\u202f", " "))


def lire_pdf(contenu):
    pages = PdfReader(io.BytesIO(contenu)).pages
    return normaliser(" ".join(page.extract_text() for page in pages)), len(pages)


def repondre(enquete, option, texte=""):
    question = enquete.questions.get()
    valeur = {"question": question, "option": question.options.get(libelle=option), "texte": texte}
    profil = {"nombre_adultes": 2, "monoparentale": option == "Autre", "etape_vie": "petite_enfance"}
    enregistrer_reponse(
        enquete, profil=profil, valeurs=[valeur], canal=Reponse.Canal.EN_LIGNE, jeton=secrets.token_hex(8)
    )


@pytest.fixture
def plan(charte):
    """A small charter: a survey of 3 families, one need made priority, three fiches, a baseline, a COPIL."""
    caf, msa = OrganisationFactory(nom="CAF de la Meuse"), OrganisationFactory(nom="MSA Lorraine")
    besoin = BesoinFactory(charte=charte, titre="Trouver un mode de garde aux horaires agricoles")
    priorite = PrioriteFactory(
        charte=charte, besoin=besoin, rang=1, intitule="Garder les enfants aux heures de la traite"
    )
    enquete = creer_enquete(charte, QUESTIONNAIRE_MINIMAL, par=None)
    enquete.questions.update(resultats_publies=True)
    for option, texte in [("Crèche", ""), ("Crèche", ""), ("Autre", "Ma voisine Josette")]:
        repondre(enquete, option, texte)
    PreuveQuestion.objects.create(
        besoin=besoin, question=enquete.questions.get(), constat="Deux familles sur trois ont recours à la crèche"
    )

    relais = FicheActionFactory(
        charte=charte,
        titre="Créer un relais petite enfance itinérant",
        statut=Statut.VALIDEE,
        pilote=caf,
        priorites=[priorite],
    )
    LigneBudgetFactory(fiche=relais, annee=2026, montant_prevu=Decimal("12500"), montant_realise=Decimal("3000"))
    LigneBudgetFactory(fiche=relais, annee=2027, montant_prevu=Decimal("7250.50"))
    FinancementFactory(fiche=relais, financeur=msa, annee=2026, montant=Decimal("10000"), statut="verse")
    FinancementFactory(fiche=relais, financeur=caf, annee=2027, montant=Decimal("5000"), statut="sollicite")
    Jalon.objects.create(
        fiche=relais, libelle="Première tournée dans quatre communes", date_prevue=datetime.date(2025, 11, 15)
    )
    guide = FicheActionFactory(
        charte=charte,
        titre="Éditer un guide des solutions de garde",
        statut=Statut.REALISEE,
        avancement=100,
        pilote=msa,
        priorites=[priorite],
    )
    LigneBudgetFactory(fiche=guide, annee=2026, montant_prevu=Decimal("4000"), montant_realise=Decimal("3800"))
    brouillon = FicheActionFactory(charte=charte, titre="Diffuser une lettre aux familles", priorites=[priorite])
    LigneBudgetFactory(fiche=brouillon, annee=2027, montant_prevu=Decimal("9999"))

    # The plan as signed; then the relais starts: the COPIL report shows validée → en cours.
    version = VersionPlan.objects.create(
        charte=charte, libelle="Plan signé en juillet", contenu=instantane_du_plan(charte)
    )
    FicheAction.objects.filter(pk=relais.pk).update(statut=Statut.EN_COURS, avancement=40)
    Suivi.objects.create(
        fiche=relais,
        date=datetime.date(2025, 12, 1),
        texte="Animatrice recrutée, tournée arrêtée avec les mairies.",
        avancement=40,
        statut_avant=Statut.VALIDEE,
        statut_apres=Statut.EN_COURS,
    )
    SeanceCopil.objects.create(charte=charte, date=datetime.date(2025, 7, 10), version_plan=version)
    seance = SeanceCopil.objects.create(
        charte=charte, date=datetime.date(2026, 12, 4), lieu="Salle des fêtes de Triaucourt"
    )
    Decision.objects.create(seance=seance, texte="Étendre la tournée du relais à huit communes.", fiche=relais)
    Decision.objects.create(
        seance=seance, texte="Prendre acte de la diffusion du guide.", fiche=guide, statut="adoptee"
    )
    return {"charte": charte, "seance": seance, "relais": relais, "priorite": priorite, "besoin": besoin}


def rendre(plan, type, **kwargs):
    rapport = Rapport.objects.create(charte=plan["charte"], type=type, **kwargs)
    contenu, nb_pages = pdf_du_rapport(rapport)
    texte, pages_lues = lire_pdf(contenu)
    assert contenu.startswith(b"%PDF") and nb_pages == pages_lues
    return texte, nb_pages


def test_rapport_du_copil(plan):
    texte, n = rendre(plan, "copil", seance=plan["seance"])
    charte = plan["charte"]
    attendus = [
        charte.nom,
        "Comité de pilotage du 4 décembre 2026",
        "Salle des fêtes de Triaucourt",
        "Garder les enfants aux heures de la traite",  # the priority
        "Trouver un mode de garde aux horaires agricoles",  # its need
        "Créer un relais petite enfance itinérant",
        "Éditer un guide des solutions de garde",
        "CAF de la Meuse",  # a pilot
        BUDGET_DU_PLAN,
        FINANCE_DU_PLAN,
        "3 familles ont répondu",
        "Deux familles sur trois ont recours à la crèche",  # the evidence behind the priority
        "Première tournée dans quatre communes",  # a late milestone
        "Indicateurs d'évaluation : pas encore saisis",
        "1 action réalisée sur 2 adoptées",
        "« Plan signé en juillet »",  # the previous COPIL's baseline
        "Animatrice recrutée",  # a progress entry since that COPIL
        "Étendre la tournée du relais à huit communes.",
        "Prendre acte de la diffusion du guide.",
        f"Page 2 / {n}",
        f"Page {n} / {n}",
    ]
    assert [a for a in attendus if a not in texte] == []
    assert "Validée En cours" in texte  # the baseline said validée, the plan now says en cours
    assert "Ma voisine Josette" not in texte  # families' free text stays out of printed reports (RGPD)


def test_rapport_hors_seance(plan):
    texte, _n = rendre(plan, "copil")
    assert "Rapport hors séance" in texte
    # Outside a meeting: the decisions still open, not the adopted ones.
    assert "Étendre la tournée du relais à huit communes." in texte
    assert "Prendre acte de la diffusion du guide." not in texte


def test_rapport_de_diagnostic(plan):
    texte, n = rendre(plan, "diagnostic")
    attendus = [
        "RAPPORT DE DIAGNOSTIC",  # the cover writes the kind of report in capitals
        "Trouver un mode de garde aux horaires agricoles",
        "Qui garde votre enfant ?",
        "3 répondants",
        "Deux familles sur trois ont recours à la crèche",
        "priorité n° 1",
        f"Page {n} / {n}",
    ]
    assert [a for a in attendus if a not in texte] == []
    assert "Ma voisine Josette" not in texte


def test_fiche_action(plan):
    texte, n = rendre(plan, "fiche", fiche=plan["relais"])
    attendus = [
        f"{plan['relais'].numero}. Créer un relais petite enfance itinérant",
        "Priorité 1 — Garder les enfants aux heures de la traite",
        BUDGET_DU_RELAIS,
        "MSA Lorraine",
        "Versé",
        "Première tournée dans quatre communes",
        "Animatrice recrutée, tournée arrêtée avec les mairies.",
        "Étendre la tournée du relais à huit communes.",
        f"Page 1 / {n}",
    ]
    assert [a for a in attendus if a not in texte] == []
    assert "Éditer un guide" not in texte  # only this fiche


def test_rapport_d_evaluation(plan):
    texte, n = rendre(plan, "evaluation")
    attendus = [
        "RAPPORT D'ÉVALUATION FINALE",
        "pas encore saisis",
        "À compléter lors de l'évaluation",
        "Garder les enfants aux heures de la traite",
        "1 action réalisée sur 2 adoptées",
        BUDGET_DU_PLAN,
        "3 familles ont répondu",
        f"Page {n} / {n}",
    ]
    assert [a for a in attendus if a not in texte] == []


@pytest.mark.parametrize("type", ["copil", "evaluation"])
def test_les_indicateurs_d_evaluation_quand_il_y_en_a(plan, type):
    """Once the evaluation stage has indicators, the reports show them instead of « pas encore saisis »."""
    indicateur = IndicateurFactory(
        fiche=plan["relais"], libelle="Familles accueillies par le relais", valeur_reference=0, cible=60
    )
    Mesure.objects.create(indicateur=indicateur, date=datetime.date(2026, 9, 1), valeur=Decimal("45"))
    texte, _n = rendre(plan, type)
    assert "Familles accueillies par le relais" in texte
    assert "1 indicateur d'évaluation suivi, 1 mesure saisie ; atteinte moyenne des cibles : 75 %" in texte
    assert "pas encore saisis" not in texte


@pytest.mark.parametrize("type", ["copil", "diagnostic", "evaluation"])
def test_une_charte_qui_commence_a_ses_rapports(charte, type):
    """Nothing entered yet: every section says so instead of failing."""
    rapport = Rapport.objects.create(charte=charte, type=type)
    texte, _n = lire_pdf(pdf_du_rapport(rapport)[0])
    assert charte.nom in texte


def test_l_apercu_montre_les_memes_chiffres(plan, client_de, personnes):
    charte, seance = plan["charte"], plan["seance"]
    client = client_de(personnes["observateur"])
    url = reverse("rapports:apercu", args=[charte.slug, "copil"]) + f"?seance={seance.pk}"
    page = normaliser(client.get(url).content.decode())
    for attendu in [
        BUDGET_DU_PLAN,
        "Garder les enfants aux heures de la traite",
        "Étendre la tournée du relais à huit communes.",
    ]:
        assert attendu in page
    assert "/static/css/rapport.css" in page
    fiche = normaliser(
        client.get(
            reverse("rapports:apercu", args=[charte.slug, "fiche"]) + f"?fiche={plan['relais'].pk}"
        ).content.decode()
    )
    assert BUDGET_DU_RELAIS in fiche and "Animatrice recrutée" in fiche


def requetes_du_contexte(rapport):
    with CaptureQueriesContext(connection) as requetes:
        contexte_du_rapport(rapport)
    return len(requetes)


def fiche_complete(charte, seance, priorite, pilote):
    """A fiche with everything the COPIL report reads: budget, financing, milestone, progress, decision."""
    fiche = FicheActionFactory(charte=charte, statut=Statut.EN_COURS, pilote=pilote, priorites=[priorite])
    LigneBudgetFactory(fiche=fiche, montant_prevu=Decimal("1000"))
    FinancementFactory(fiche=fiche, financeur=pilote, montant=Decimal("800"))
    Jalon.objects.create(fiche=fiche, libelle="Lancement", date_prevue=datetime.date(2025, 10, 1))
    Suivi.objects.create(
        fiche=fiche,
        date=datetime.date(2026, 1, 5),
        texte="Lancée.",
        avancement=10,
        statut_avant=Statut.VALIDEE,
        statut_apres=Statut.EN_COURS,
    )
    Decision.objects.create(seance=seance, texte=f"Décision sur la fiche {fiche.numero}", fiche=fiche)
    indicateur = IndicateurFactory(fiche=fiche)
    Mesure.objects.create(indicateur=indicateur, date=datetime.date(2026, 3, 1), valeur=Decimal("20"))


def test_le_contexte_du_copil_coute_autant_de_requetes_pour_1_et_30_fiches(charte):
    seance = SeanceCopil.objects.create(charte=charte, date=datetime.date(2026, 12, 4))
    priorites = [PrioriteFactory(charte=charte, rang=rang) for rang in (1, 2)]
    pilotes = [OrganisationFactory() for _ in range(3)]
    fiche_complete(charte, seance, priorites[0], pilotes[0])
    SeanceCopil.objects.create(
        charte=charte,
        date=datetime.date(2025, 7, 10),
        version_plan=VersionPlan.objects.create(charte=charte, libelle="Signé", contenu=instantane_du_plan(charte)),
    )
    rapport = Rapport(charte=charte, type="copil", seance=seance)
    pour_une = requetes_du_contexte(rapport)
    for rang in range(29):
        fiche_complete(charte, seance, priorites[rang % 2], pilotes[rang % 3])
    assert FicheAction.objects.filter(charte=charte).count() == 30
    assert requetes_du_contexte(rapport) == pour_une, pour_une


def fiches_datees(nombre):
    debut, fin = datetime.date(2025, 9, 1), datetime.date(2028, 6, 30)
    return [SimpleNamespace(date_debut=debut, date_fin=fin) for _ in range(nombre)]


def test_le_gantt_d_un_grand_plan_tient_en_pages_a4():
    """Groups are packed page by page; a group longer than a page is cut, its next parts titled « (suite) »."""
    petits = [Groupe(f"Priorité {n}", fiches_datees(10)) for n in range(1, 6)]
    assert [[g.libelle for g in page] for page in decouper_en_pages(petits)] == [
        ["Priorité 1", "Priorité 2", "Priorité 3"],
        ["Priorité 4", "Priorité 5"],
    ]
    enorme = Groupe("Priorité 1", fiches_datees(2 * LIGNES_PAR_GANTT))
    pages = decouper_en_pages([enorme])
    assert [g.libelle for page in pages for g in page] == ["Priorité 1"] + ["Priorité 1 (suite)"] * (len(pages) - 1)
    assert sum(len(g.fiches) for page in pages for g in page) == 2 * LIGNES_PAR_GANTT
    assert all(sum(1.5 + len(g.fiches) for g in page) <= LIGNES_PAR_GANTT for page in pages)
