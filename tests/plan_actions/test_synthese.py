"""The whole plan at a glance: Gantt calendar, budget tables, spreadsheet export, and their query counts."""

import datetime
import io
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from plan_actions.graphiques import (
    JALON_A_VENIR,
    JALON_ATTEINT,
    JALON_EN_RETARD,
    LIBELLE_MAX,
    Groupe,
    gantt_plan_svg,
    tronquer,
)
from plan_actions.models import FicheAction, Financement, Jalon, LigneBudget
from tests.conftest import compter_requetes
from tests.factories import (
    CharteFactory,
    FicheActionFactory,
    FinancementFactory,
    LigneBudgetFactory,
    MembreFactory,
    OrganisationFactory,
    PrioriteFactory,
    UtilisateurFactory,
)

pytestmark = pytest.mark.django_db

AUJOURD_HUI = datetime.date(2026, 3, 15)
MAX_REQUETES = 15
SVG = "{http://www.w3.org/2000/svg}"


def url(nom, charte, requete=""):
    return reverse(f"plan_actions:{nom}", args=[charte.slug]) + requete


# --- Gantt ---------------------------------------------------------------------------------------------


def jalons_dessines(svg):
    """(tooltip, fill) of every milestone diamond of the chart."""
    racine = ET.fromstring(svg)  # also proves the SVG is well-formed XML, as WeasyPrint needs
    return [
        (g.find(f"{SVG}title").text, g.find(f"{SVG}path").get("fill"))
        for g in racine.iter(f"{SVG}g")
        if (g.get("class") or "").startswith("jalon")
    ]


def test_gantt_dessine_chaque_fiche_ses_etapes_cles_et_aujourd_hui(charte):
    longue = FicheActionFactory(
        charte=charte, titre="Créer un relais petite enfance itinérant dans les villages du nord"
    )
    Jalon.objects.create(fiche=longue, libelle="Local trouvé", date_prevue=datetime.date(2025, 12, 1))
    Jalon.objects.create(
        fiche=longue,
        libelle="Premier atelier",
        date_prevue=datetime.date(2026, 1, 10),
        date_reelle=datetime.date(2026, 1, 20),
    )
    Jalon.objects.create(fiche=longue, libelle="Bilan", date_prevue=datetime.date(2026, 9, 1))
    courte = FicheActionFactory(charte=charte, titre="Ouvrir un café des parents", statut="en_cours", avancement=40)
    etape = charte.etapes.get(numero=3)
    groupes = [Groupe("1. Garde d'enfants", [longue, courte]), Groupe("2. Santé", vide="Aucune action.")]

    svg = gantt_plan_svg(groupes, etape.date_debut, etape.date_fin, AUJOURD_HUI)

    assert "1. Garde d&#x27;enfants" in svg and "Aucune action." in svg
    assert f"{courte.numero}. Ouvrir un café des parents" in svg
    complet = f"{longue.numero}. Créer un relais petite enfance itinérant dans les villages du nord"
    coupe = tronquer(complet, LIBELLE_MAX)
    assert coupe.endswith("…") and f">{coupe}</text>" in svg  # cut in the label column…
    assert f"<title>{complet} —" in svg  # …whole in the tooltip
    assert jalons_dessines(svg) == [
        ("Étape clé « Local trouvé » prévue le 01/12/2025 : en retard", JALON_EN_RETARD),
        ("Étape clé « Premier atelier » prévue le 10/01/2026 : atteinte le 20/01/2026", JALON_ATTEINT),
        ("Étape clé « Bilan » prévue le 01/09/2026 : à venir", JALON_A_VENIR),
    ]
    assert "Aujourd'hui (15/03/2026)" in svg
    for annee in (2025, 2026, 2027, 2028):
        assert f">{annee}</text>" in svg


def test_gantt_sans_repere_aujourd_hui_hors_periode_et_elargi_aux_dates_des_fiches(charte):
    tardive = FicheActionFactory(
        charte=charte, date_debut=datetime.date(2028, 1, 1), date_fin=datetime.date(2029, 6, 30)
    )
    etape = charte.etapes.get(numero=3)
    svg = gantt_plan_svg(
        [Groupe("Petite enfance", [tardive])], etape.date_debut, etape.date_fin, datetime.date(2031, 1, 1)
    )
    assert "Aujourd'hui (" not in svg
    assert ">2029</text>" in svg  # the chart reaches the fiche's end, past the implementation period


# --- calendar page ---------------------------------------------------------------------------------


@pytest.fixture
def plan(charte):
    """Two priorities (the second one unanswered) and three fiches, one of them without dates."""
    garde, sante, vide = (PrioriteFactory(charte=charte, intitule=i) for i in ("Garde", "Santé", "Mobilité"))
    deux = FicheActionFactory(charte=charte, titre="Ouvrir une maison des familles", priorites=[garde, sante])
    une = FicheActionFactory(charte=charte, titre="Former les assistantes maternelles", priorites=[garde])
    sans = FicheActionFactory(
        charte=charte,
        titre="Organiser un forum santé",
        domaine="sante",
        priorites=[sante],
        date_debut=None,
        date_fin=None,
    )
    return {"deux": deux, "une": une, "sans": sans, "vide": vide}


def gantt_de(reponse):
    return reponse.context["gantt"]


def test_calendrier_par_priorite(client_de, personnes, charte, plan):
    reponse = client_de(personnes["observateur"]).get(url("calendrier", charte))
    svg = gantt_de(reponse)
    assert svg.count(f"{plan['deux'].numero}. Ouvrir une maison des familles</text>") == 2  # under each priority
    assert svg.count(f"{plan['une'].numero}. Former les assistantes maternelles</text>") == 1
    assert f"{plan['vide'].rang}. Mobilité" in svg and "Aucune action ne répond encore à cette priorité." in svg
    assert "figure sous chacune" in svg  # the legend says so
    assert "Organiser un forum santé" not in svg  # no dates: listed under the chart instead
    contenu = reponse.content.decode()
    assert "sans date de début ou de fin" in contenu and "Organiser un forum santé" in contenu


def test_calendrier_par_domaine(client_de, personnes, charte, plan):
    svg = gantt_de(client_de(personnes["observateur"]).get(url("calendrier", charte, "?groupe=domaine")))
    assert "Petite enfance" in svg and "Prévention et promotion de la santé" in svg
    assert svg.count(f"{plan['deux'].numero}. Ouvrir une maison des familles</text>") == 1
    assert "Mobilité" not in svg and "figure sous chacune" not in svg


def test_calendrier_sans_fiche(client_de, personnes, charte):
    reponse = client_de(personnes["observateur"]).get(url("calendrier", charte))
    assert reponse.status_code == 200 and "Aucune fiche action pour l'instant" in reponse.content.decode()


# --- budget ----------------------------------------------------------------------------------------


@pytest.fixture
def budget(charte):
    """Two fiches in two domains, three funders, two years, every status; an abandoned fiche; another charter."""
    caf, cd, msa = (
        OrganisationFactory(nom=nom) for nom in ("CAF de la Meuse", "Conseil départemental", "MSA Lorraine")
    )
    creche = FicheActionFactory(charte=charte, domaine="petite_enfance", statut="validee")
    LigneBudgetFactory(fiche=creche, annee=2025, montant_prevu=1000, montant_realise=800)
    LigneBudgetFactory(fiche=creche, annee=2026, nature="investissement", montant_prevu=2000)
    FinancementFactory(fiche=creche, financeur=caf, annee=2025, montant=600, statut="verse")
    FinancementFactory(fiche=creche, financeur=cd, annee=2026, montant=1500, statut="accorde")
    sante = FicheActionFactory(charte=charte, domaine="sante", statut="en_cours")
    LigneBudgetFactory(fiche=sante, annee=2026, montant_prevu=500, montant_realise=200)
    FinancementFactory(fiche=sante, financeur=caf, annee=2026, montant=300, statut="sollicite")
    FinancementFactory(fiche=sante, financeur=msa, annee=2026, montant=200, statut="verse")
    abandonnee = FicheActionFactory(charte=charte, domaine="petite_enfance", statut="abandonnee")
    LigneBudgetFactory(fiche=abandonnee, annee=2026, montant_prevu=10000)
    FinancementFactory(fiche=abandonnee, financeur=caf, annee=2026, montant=9000, statut="accorde")
    brouillon = FicheActionFactory(charte=charte, domaine="sante", statut="brouillon")  # not adopted yet
    LigneBudgetFactory(fiche=brouillon, annee=2026, montant_prevu=4444)
    FinancementFactory(fiche=brouillon, financeur=msa, annee=2027, montant=4444)
    ailleurs = FicheActionFactory(charte=CharteFactory())
    LigneBudgetFactory(fiche=ailleurs, annee=2026, montant_prevu=7777)
    FinancementFactory(fiche=ailleurs, financeur=caf, annee=2026, montant=7777, statut="verse")


def euros(*montants):
    return [Decimal(m) for m in montants]


def test_budget_par_financeur_et_par_annee(client_de, personnes, charte, budget):
    contexte = client_de(personnes["observateur"]).get(url("budget", charte)).context
    assert contexte["annees_financees"] == [2025, 2026]
    lignes = [(f.libelle, f.montants, f.total, f.sollicite, f.accorde, f.verse) for f in contexte["financeurs"]]
    assert lignes == [  # largest funder first; the abandoned fiche's 9 000 € and the other charter's are left out
        ("Conseil départemental", euros(0, 1500), 1500, 0, 1500, 0),
        ("CAF de la Meuse", euros(600, 300), 900, 300, 0, 600),
        ("MSA Lorraine", euros(0, 200), 200, 0, 0, 200),
    ]
    total = contexte["total_financeurs"]
    assert (total.montants, total.total, total.sollicite, total.accorde, total.verse, total.acquis) == (
        euros(600, 2000),
        2600,
        300,
        1500,
        800,
        2300,
    )


def test_budget_par_domaine_et_par_annee(client_de, personnes, charte, budget):
    reponse = client_de(personnes["observateur"]).get(url("budget", charte))
    contexte = reponse.context
    domaines = [(d.libelle, d.nb_fiches, d.prevu, d.realise, d.finance, d.acquis) for d in contexte["domaines"]]
    assert domaines == [
        ("Petite enfance", 1, 3000, 800, 2100, 2100),
        ("Prévention et promotion de la santé", 1, 500, 200, 500, 200),
    ]
    total = contexte["total_domaines"]
    assert (total.nb_fiches, total.prevu, total.realise, total.finance, total.acquis) == (2, 3500, 1000, 2600, 2300)
    assert total.couverture == 74  # 2 600 / 3 500
    annees = [(a.libelle, a.par_nature(), a.prevu, a.realise, a.finance, a.acquis) for a in contexte["annees"]]
    assert annees == [
        (2025, [(1000, 800), (0, 0)], 1000, 800, 600, 600),
        (2026, [(500, 200), (2000, 0)], 2500, 200, 2000, 1700),
    ]
    total = contexte["total_annees"]
    assert (total.par_nature(), total.prevu, total.realise, total.finance) == (
        [(1500, 1000), (2000, 0)],
        3500,
        1000,
        2600,
    )
    contenu = reponse.content.decode()
    assert "Ne sont pas comptées : 1 fiche en rédaction (brouillon ou proposée) et 1 action abandonnée" in contenu
    assert "3\xa0500 €" in contenu and "2\xa0600 €" in contenu
    for graphique in contexte["graphiques"].values():
        ET.fromstring(graphique)  # three well-formed SVG charts


def test_budget_vide(client_de, personnes, charte):
    reponse = client_de(personnes["observateur"]).get(url("budget", charte))
    assert reponse.status_code == 200 and "Aucun financement" in reponse.content.decode()


# --- export ----------------------------------------------------------------------------------------


def classeur(reponse):
    assert reponse["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    livre = load_workbook(io.BytesIO(reponse.content))  # not read-only: rows padded to the header's width
    return {onglet.title: list(onglet.iter_rows(values_only=True)) for onglet in livre.worksheets}


def test_export_en_trois_onglets(client_de, personnes, charte, budget):
    reponse = client_de(personnes["observateur"]).get(url("export", charte))
    assert f'filename="plan-d-actions-{charte.slug}.xlsx"' in reponse["Content-Disposition"]
    feuilles = classeur(reponse)
    assert list(feuilles) == ["Fiches", "Budget", "Financements"]
    fiches, lignes, financements = feuilles["Fiches"], feuilles["Budget"], feuilles["Financements"]
    assert fiches[0][:3] == ("n°", "intitulé", "axe") and fiches[0][-1] == "taux de couverture (%)"
    assert len(fiches) == 1 + 4 and len(lignes) == 1 + 5 and len(financements) == 1 + 6  # drafts and abandoned too
    creche = fiches[1]
    assert creche[12:] == ("Validée", 0, 3000, 800, 2100, 2100, 70)
    assert creche[9] == "tout le territoire" and creche[10].date() == datetime.date(2025, 9, 1)
    assert lignes[2][2:] == (2026, "Investissement", "Animation", 2000, None)
    assert financements[1][2:] == ("CAF de la Meuse", 2025, 600, "Versé")


def test_export_suit_le_filtre_de_la_liste(client_de, personnes, charte, budget):
    feuilles = classeur(client_de(personnes["observateur"]).get(url("export", charte, "?statut=validee")))
    assert [ligne[12] for ligne in feuilles["Fiches"][1:]] == ["Validée"]
    numero = feuilles["Fiches"][1][0]
    assert {ligne[0] for ligne in feuilles["Budget"][1:]} == {numero} and len(feuilles["Budget"]) == 1 + 2
    assert [ligne[4] for ligne in feuilles["Financements"][1:]] == [600, 1500]


# --- access and query counts -----------------------------------------------------------------------

PAGES = ["calendrier", "budget", "export"]


@pytest.mark.parametrize("page", PAGES)
def test_acces(client_de, personnes, charte, page):
    assert client_de(personnes["exterieur"]).get(url(page, charte)).status_code == 404
    assert client_de(personnes["observateur"]).get(url(page, charte)).status_code == 200


def remplir_plan(charte, n):
    """n fiches, each with a budget line, a financing and a milestone, created in bulk."""
    priorite = PrioriteFactory(charte=charte)
    pilote, financeur = OrganisationFactory(), OrganisationFactory()
    fiches = FicheAction.objects.bulk_create(
        FicheAction(
            charte=charte,
            numero=i + 1,
            titre=f"Action {i + 1}",
            domaine=["petite_enfance", "sante", "parentalite"][i % 3],
            objectif_general="—",
            pilote=pilote,
            statut="en_cours",
            avancement=i % 100,
            date_debut=datetime.date(2025, 9, 1) + datetime.timedelta(days=3 * i),
            date_fin=datetime.date(2027, 6, 30),
        )
        for i in range(n)
    )
    FicheAction.priorites.through.objects.bulk_create(
        FicheAction.priorites.through(ficheaction=f, priorite=priorite) for f in fiches
    )
    LigneBudget.objects.bulk_create(
        LigneBudget(fiche=f, annee=2026, libelle="Animation", montant_prevu=100) for f in fiches
    )
    Financement.objects.bulk_create(Financement(fiche=f, financeur=financeur, annee=2026, montant=50) for f in fiches)
    Jalon.objects.bulk_create(
        Jalon(fiche=f, libelle="Lancement", date_prevue=datetime.date(2026, 1, 5)) for f in fiches
    )


@pytest.mark.parametrize("page", ["calendrier", "calendrier?groupe=domaine", "budget", "export"])
def test_requetes_constantes(client, db, page):
    petite, grande = CharteFactory(), CharteFactory()
    remplir_plan(petite, 1)
    remplir_plan(grande, 200)
    coordinateur = UtilisateurFactory()
    for charte in (petite, grande):
        MembreFactory(charte=charte, utilisateur=coordinateur, coordinateur=True)
    client.force_login(coordinateur)
    nom, _, requete = page.partition("?")
    nombres = [compter_requetes(client, url(nom, c, f"?{requete}" if requete else "")) for c in (petite, grande)]
    assert nombres[0] == nombres[1] <= MAX_REQUETES, nombres
