"""What each report shows: one context per report kind, shared by the HTML preview and the PDF.

Every section reads the stages' own functions (survey results, ranking, budget synthesis, plan
baselines, Gantt charts): a report says exactly what the pages say. Each section costs a fixed
number of queries whatever the size of the plan — the figures are summed by the database and the
fiches come with their milestones and priorities prefetched.

What is printed is read by every member of the charter (observers and partners too): only the
published results of closed questions appear, never families' free text (RGPD, see DESIGN.md).
"""

import re
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from charte.graphiques import barres_svg, gantt_svg
from charte.models import Avancement, Etape
from diagnostic.models import DonneeTerritoriale, Entretien, Option, PreuveQuestion, Question, Reponse
from diagnostic.resultats import Barre, resultats
from diagnostic.views_besoins import besoins_par_domaine
from diagnostic.views_territoire import par_domaine, population_des_communes
from evaluation.suivi import Groupe as GroupeIndicateurs
from evaluation.suivi import etats, indicateurs_suivis, par_priorite
from plan_actions.bilans import BilanDesActions, bilans_par_priorite
from plan_actions.graphiques import (
    Groupe,
    a_des_dates,
    barres_groupees_svg,
    colonnes_annuelles_svg,
    financeurs_svg,
    gantt_plan_svg,
    periode_du_graphique,
)
from plan_actions.instantanes import ESSENTIEL, comparer_plans, instantane_du_plan
from plan_actions.models import FicheAction, Nature, Suivi, taux
from plan_actions.views import contexte_fiche, fiches_detaillees
from plan_actions.views_synthese import synthese_budget
from priorisation.services import classement
from rapports.models import Decision, Rapport
from territoires.models import Famille

# Beyond these, a table would run over several pages: the report says where the full list is.
JALONS_EN_RETARD_AFFICHES = 40
FICHES_PAR_TABLEAU = 30
CHANGEMENTS_AFFICHES = 30
DONNEES_AFFICHEES = 60
ENTRETIENS_AFFICHES = 30
SUIVIS_AFFICHES = 25
INDICATEURS_AFFICHES = 40
# Fiche rows of one Gantt chart: scaled to the page width, that many rows fill an A4 portrait page.
LIGNES_PAR_GANTT = 40
LIBELLES_COURTS = {"Budget total prévu": "Budget prévu", "Financement total": "Financement"}
ABANDONNEE = FicheAction.Statut.ABANDONNEE
NOTE_GANTT = "Une action qui répond à plusieurs priorités figure sous chacune d'elles."


def contexte_du_rapport(rapport):
    """Everything the report's template reads; `rapport` need not be saved (the preview is not)."""
    aujourd_hui = timezone.localdate()
    contexte = {
        "rapport": rapport,
        "charte": rapport.charte,
        "seance": rapport.seance,
        "fiche": rapport.fiche,
        "le": aujourd_hui,
        "aujourd_hui": aujourd_hui,
    }
    return contexte | CONTENUS[rapport.type](rapport, aujourd_hui)


# --- the four reports -------------------------------------------------------------------------------


def contenu_copil(rapport, aujourd_hui):
    """The steering committee's report: timeline, diagnostic, priorities, plan, money, changes, decisions."""
    charte = rapport.charte
    calendrier = calendrier_de_la_charte(charte, aujourd_hui)
    priorites = priorites_classees(charte)
    fiches = fiches_du_plan(charte, aujourd_hui)
    bilans = bilans_du_plan(fiches, priorites)
    enquete = chiffres_de_l_enquete(charte)
    changements = changements_depuis_la_reference(charte, rapport.seance, aujourd_hui)
    return {
        "calendrier": calendrier,
        "enquete": enquete,
        # The families' answers behind the retained priorities: the chain of evidence, in short.
        "resultats": resultats_cites(charte, besoins=[p.besoin_id for p in priorites]),
        "domaines": besoins_des_domaines(charte),
        "priorites": priorites,
        "bilans": bilans,
        "ensemble": Bilan("Ensemble du plan", fiches=fiches),
        "gantts": gantts_du_plan(bilans, calendrier["etape_plan"], aujourd_hui),
        "sans_dates": [f for f in fiches if not a_des_dates(f)],
        "budget": budget_du_plan(charte),
        "indicateurs": indicateurs_disponibles(fiches, enquete, aujourd_hui),
        "evaluation": indicateurs_d_evaluation(charte, priorites, aujourd_hui),
        "changements": changements,
        "suivis": points_d_avancement(charte, changements["depuis"] if changements else None),
        "decisions": decisions_du_copil(charte, rapport.seance),
        "retards": jalons_en_retard(fiches, aujourd_hui),
    }


def contenu_diagnostic(rapport, aujourd_hui):
    """The diagnostic report: territory, survey and its key results, interviews, needs with their evidence."""
    charte = rapport.charte
    enquete = chiffres_de_l_enquete(charte)
    return {
        "calendrier": calendrier_de_la_charte(charte, aujourd_hui),
        "enquete": enquete,
        "profil": profil_des_repondants(charte, enquete["avec_profil"]),
        "resultats": resultats_cites(charte),
        "territoire": donnees_du_territoire(charte),
        "entretiens": entretiens(charte),
        "domaines": besoins_des_domaines(charte),
    }


def contenu_fiche(rapport, aujourd_hui):
    """One fiche action, as its page shows it, with its progress entries and the COPIL's decisions about it."""
    charte = rapport.charte
    fiche = fiches_detaillees().filter(charte=charte).get(pk=rapport.fiche_id)
    fiche.charte = charte  # already loaded: contexte_fiche reads it
    contexte = contexte_fiche(fiche)
    contexte["decisions"] = list(fiche.decisions.select_related("seance").order_by("-seance__date", "ordre", "id"))
    return contexte


def contenu_evaluation(rapport, aujourd_hui):
    """The final evaluation as far as the data go today, and what the evaluation stage will add."""
    charte = rapport.charte
    calendrier = calendrier_de_la_charte(charte, aujourd_hui)
    fiches = fiches_du_plan(charte, aujourd_hui)
    enquete = chiffres_de_l_enquete(charte)
    priorites = priorites_classees(charte)
    return {
        "calendrier": calendrier,
        "etape_evaluation": calendrier["par_numero"].get(Etape.Numero.EVALUATION),
        "bilans": bilans_du_plan(fiches, priorites),
        "evaluation": indicateurs_d_evaluation(charte, priorites, aujourd_hui),
        "ensemble": Bilan("Ensemble du plan", fiches=fiches),
        "budget": budget_du_plan(charte),
        "indicateurs": indicateurs_disponibles(fiches, enquete, aujourd_hui),
        "enquete": enquete,
        "profil": profil_des_repondants(charte, enquete["avec_profil"]),
        "echelles": moyennes_des_echelles(charte),
    }


CONTENUS = {
    Rapport.Type.COPIL: contenu_copil,
    Rapport.Type.DIAGNOSTIC: contenu_diagnostic,
    Rapport.Type.FICHE: contenu_fiche,
    Rapport.Type.EVALUATION: contenu_evaluation,
}


# --- the charter's timeline ---------------------------------------------------------------------------


def calendrier_de_la_charte(charte, aujourd_hui):
    """The four stages with their gates, where the charter stands, and the timeline as a picture."""
    etapes = list(charte.etapes.all())
    par_numero = {etape.numero: etape for etape in etapes}
    return {
        "etapes": [(etape, etape.statut(aujourd_hui)) for etape in etapes],
        "avancement": Avancement.de(etapes, aujourd_hui),
        "gantt": gantt_svg(etapes, aujourd_hui) if etapes else "",
        "debut": min((e.date_debut for e in etapes), default=None),
        "fin": max((e.date_fin for e in etapes), default=None),
        "par_numero": par_numero,
        "etape_plan": par_numero.get(Etape.Numero.PLAN),
        "etape_diagnostic": par_numero.get(Etape.Numero.DIAGNOSTIC),
    }


# --- diagnostic -----------------------------------------------------------------------------------------


def chiffres_de_l_enquete(charte):
    """The surveys, and who answered: households, communes reached, channel, in two queries."""
    reponses = Reponse.objects.filter(enquete__charte=charte)
    chiffres = reponses.aggregate(
        repondants=Count("pk"),
        # Shares are taken over the answers that still have their household: after the retention delay the
        # profiles are deleted (diagnostic/retention.py) and a share over every answer would fall to 0 %.
        avec_profil=Count("famille"),
        communes=Count("famille__commune", distinct=True),
        papier=Count("pk", filter=Q(canal=Reponse.Canal.PAPIER)),
        monoparentales=Count("pk", filter=Q(famille__monoparentale=True)),
        affilies_msa=Count("pk", filter=Q(famille__affiliation_msa=Famille.AffiliationMsa.OUI)),
    )
    population = population_des_communes(charte)
    return chiffres | {
        "enquetes": list(charte.enquetes.annotate(nb_reponses=Count("reponses")).order_by("creee_le")),
        "communes_charte": population["nombre"],
        "habitants": population["habitants"],
        "part_communes": taux(chiffres["communes"], population["nombre"]),
        "part_monoparentales": taux(chiffres["monoparentales"], chiffres["avec_profil"]),
        "part_msa": taux(chiffres["affilies_msa"], chiffres["avec_profil"]),
    }


def profil_des_repondants(charte, repondants):
    """Respondents with a household profile by stage of family life, as a bar chart (empty when none)."""
    if not repondants:
        return ""
    effectifs = dict(
        Reponse.objects.filter(enquete__charte=charte, famille__isnull=False)
        .values_list("famille__etape_vie")
        .annotate(n=Count("pk"))
        .order_by()
    )
    barres = [Barre(libelle, effectifs.get(valeur, 0), repondants) for valeur, libelle in Famille.EtapeVie.choices]
    if effectifs.get(""):
        barres.append(Barre("Non précisée", effectifs[""], repondants))
    return barres_svg(barres, "Répondants selon l'étape de vie de la famille")


def questions_publiees(charte):
    """Closed questions whose results the charter has published (what every member may read)."""
    return (
        Question.objects.filter(enquete__charte=charte, resultats_publies=True)
        .exclude(type__in=Question.TYPES_TEXTE)
        .select_related("enquete", "section")
        .prefetch_related(Prefetch("options", queryset=Option.objects.order_by("ordre", "id")))
        .order_by("enquete__creee_le", "section__ordre", "section_id", "ordre", "id")
    )


def resultats_des_questions(questions):
    """The results of these questions (all answers, from the running counts), survey by survey."""
    par_enquete = {}
    for question in questions:
        par_enquete.setdefault(question.enquete_id, []).append(question)
    sortie = []
    for liste in par_enquete.values():
        # Without the « autre, précisez » texts: never in what every member reads.
        sortie += resultats(liste, enquete=liste[0].enquete, avec_textes=False)
    return sortie


def resultats_cites(charte, besoins=None):
    """The published questions cited as evidence of the needs (of `besoins` only, if given), with their
    chart and what each need says they show."""
    preuves = PreuveQuestion.objects.filter(besoin__charte=charte)
    if besoins is not None:
        preuves = preuves.filter(besoin__in=besoins)
    questions = (
        questions_publiees(charte)
        .filter(pk__in=preuves.values("question"))
        .prefetch_related(
            Prefetch("preuves", queryset=preuves.select_related("besoin").order_by("besoin__titre"), to_attr="constats")
        )
    )
    liste = resultats_des_questions(questions)
    for resultat in liste:
        resultat.graphique = barres_svg(resultat.barres, resultat.question.texte) if resultat.barres else ""
    return liste


def moyennes_des_echelles(charte):
    """The 1-to-5 questions' means: the starting point against which the evaluation measures change."""
    return resultats_des_questions(questions_publiees(charte).filter(type=Question.Type.ECHELLE))


def donnees_du_territoire(charte):
    """Partners' figures grouped by domain (the first DONNEES_AFFICHEES; the rest are on the site)."""
    donnees = DonneeTerritoriale.objects.filter(charte=charte).select_related("commune", "organisation")
    nombre = donnees.count()
    return {
        "groupes": par_domaine(donnees[:DONNEES_AFFICHEES]),
        "nombre": nombre,
        "affichees": min(nombre, DONNEES_AFFICHEES),
    }


def entretiens(charte):
    """Interviews: how many with families and with local actors, and the latest ones."""
    liste = Entretien.objects.filter(charte=charte).order_by("-date", "-id")
    par_type = dict(liste.order_by().values_list("type").annotate(n=Count("pk")))
    return {
        "nombre": sum(par_type.values()),
        "familles": par_type.get(Entretien.Type.FAMILLE, 0),
        "acteurs": par_type.get(Entretien.Type.ACTEUR, 0),
        "liste": list(liste[:ENTRETIENS_AFFICHES]),
    }


def besoins_des_domaines(charte):
    """The domains that have needs (the page lists every domain; a report only those with content)."""
    return [groupe for groupe in besoins_par_domaine(charte) if groupe[1]]


# --- priorities and plan --------------------------------------------------------------------------------


def priorites_classees(charte):
    """The priorities in rank order, each with the score its need got in the prioritisation session."""
    priorites = list(charte.priorites.select_related("besoin", "seance"))
    seances = {p.seance_id: p.seance for p in priorites if p.seance_id}
    scores = {}
    for seance in seances.values():
        for ligne in classement(seance):
            scores[(seance.pk, ligne.besoin.pk)] = (ligne.score, ligne.votants)
    for priorite in priorites:
        priorite.score, priorite.votants = scores.get((priorite.seance_id, priorite.besoin_id), (None, 0))
    return priorites


def fiches_du_plan(charte, aujourd_hui):
    """Every fiche with its totals, late milestones, pilot, priorities and milestones, in four queries."""
    return list(
        FicheAction.objects.de(charte)
        .avec_totaux()
        .avec_retards(aujourd_hui)
        .select_related("pilote")
        .prefetch_related("priorites", "jalons")
    )


class Bilan(BilanDesActions):
    """A priority's (or the plan's) actions in a report: the listing is cut, the totals still count every fiche."""

    @property
    def fiches_affichees(self):
        return self.fiches[:FICHES_PAR_TABLEAU]

    @property
    def fiches_non_affichees(self):
        return max(len(self.fiches) - FICHES_PAR_TABLEAU, 0)


def bilans_du_plan(fiches, priorites):
    """One Bilan per priority in rank order (the Gantt's grouping), plus the fiches answering none."""
    bilans = bilans_par_priorite(fiches, priorites, Bilan)
    for bilan in bilans:
        if bilan.priorite is not None:  # the priorities' table shows how many actions answer each
            bilan.priorite.nb_actions = len(bilan.fiches)
    return bilans


def gantts_du_plan(groupes, etape_plan, aujourd_hui):
    """The plan's Gantt chart, cut between groups into charts that each fit an A4 portrait page."""
    if etape_plan is None or not any(a_des_dates(f) for g in groupes for f in g.fiches):
        return []
    debut, fin = etape_plan.date_debut, etape_plan.date_fin
    morceaux = decouper_en_pages(groupes)
    periode = periode_du_graphique(groupes, debut, fin)
    graphiques = []
    for rang, morceau in enumerate(morceaux):
        # Every page on the same time scale, even when a fiche runs outside the implementation period.
        debut_m, fin_m = (debut, fin) if periode_du_graphique(morceau, debut, fin) == periode else periode
        note = NOTE_GANTT if rang == len(morceaux) - 1 else ""
        graphiques.append(ids_propres(gantt_plan_svg(morceau, debut_m, fin_m, aujourd_hui, note=note), rang))
    return graphiques


def ids_propres(svg, rang):
    """One document, several charts: each chart's title and description ids (and their references) differ."""
    return re.sub(r"\bgantt-plan-(titre|desc)\b", rf"gantt-plan-{rang}-\1", svg)


def decouper_en_pages(groupes):
    """Groups packed into pages of about LIGNES_PAR_GANTT rows; a group longer than a page is cut in parts."""
    pages, page, lignes = [], [], 0
    for groupe in (morceau for g in groupes for morceau in parties_du_groupe(g)):
        hauteur = 1.5 + max(sum(1 for f in groupe.fiches if a_des_dates(f)), 1)  # header row + fiche rows
        if page and lignes + hauteur > LIGNES_PAR_GANTT:
            pages.append(page)
            page, lignes = [], 0
        page.append(groupe)
        lignes += hauteur
    return pages + [page] if page else pages


def parties_du_groupe(groupe):
    """The group itself, or its dated fiches cut into parts that each fit a page (« (suite) » after the first)."""
    datees = [f for f in groupe.fiches if a_des_dates(f)]
    taille = LIGNES_PAR_GANTT - 2
    if len(datees) <= taille:
        return [groupe]
    return [
        Groupe(groupe.libelle if debut == 0 else f"{groupe.libelle} (suite)", datees[debut : debut + taille])
        for debut in range(0, len(datees), taille)
    ]


def budget_du_plan(charte):
    """The budget page's tables (funder × year, domain, year) and its three charts."""
    synthese = synthese_budget(charte)
    synthese["natures"] = Nature.choices
    synthese["graphiques"] = {
        "financeurs": financeurs_svg(synthese["financeurs"]) if synthese["financeurs"] else "",
        "domaines": barres_groupees_svg(synthese["domaines"]) if synthese["domaines"] else "",
        "annees": colonnes_annuelles_svg(synthese["annees"]) if synthese["annees"] else "",
    }
    return synthese


def jalons_en_retard(fiches, aujourd_hui):
    """Milestones past their date and not reached, from the fiches' prefetched milestones."""
    retards = sorted(
        (jalon for fiche in fiches for jalon in fiche.jalons.all() if jalon.en_retard(aujourd_hui)),
        key=lambda jalon: (jalon.date_prevue, jalon.fiche.numero),
    )
    return {
        "liste": retards[:JALONS_EN_RETARD_AFFICHES],
        "nombre": len(retards),
        "autres": max(len(retards) - JALONS_EN_RETARD_AFFICHES, 0),
    }


def indicateurs_disponibles(fiches, enquete, aujourd_hui):
    """What can be measured before the evaluation stage exists: realisation, money, milestones, families."""
    ensemble = Bilan("Ensemble du plan", fiches=fiches)
    jalons = [j for f in ensemble.du_plan for j in f.jalons.all()]
    echus = [j for j in jalons if j.date_prevue <= aujourd_hui]
    atteints = sum(1 for j in echus if j.date_reelle)
    return {
        "nb_adoptees": len(ensemble.adoptees),
        "nb_abandonnees": len(ensemble.adoptees) - len(ensemble.du_plan),
        "nb_realisees": ensemble.nb_realisees,
        "taux_realisation": ensemble.taux_realisation,
        "avancement_moyen": ensemble.avancement_moyen,
        "jalons_echus": len(echus),
        "jalons_atteints": atteints,
        "taux_jalons": taux(atteints, len(echus)),
        "budget_prevu": ensemble.budget_prevu,
        "budget_realise": ensemble.budget_realise,
        "taux_budget_realise": taux(ensemble.budget_realise, ensemble.budget_prevu),
        "finance": ensemble.finance,
        "finance_acquis": ensemble.finance_acquis,
        "couverture": ensemble.couverture,
        "couverture_acquise": ensemble.couverture_acquise,
        "repondants": enquete["repondants"],
        "communes": enquete["communes"],
        "communes_charte": enquete["communes_charte"],
    }


def indicateurs_d_evaluation(charte, priorites, aujourd_hui):
    """The evaluation stage's indicators with their latest value and attainment, per priority and one by
    one (None while none is defined: the reports then say they are still to be entered)."""
    indicateurs = list(indicateurs_suivis(charte.indicateurs.all()).prefetch_related("fiche__priorites"))
    if not indicateurs:
        return None
    suivis = etats(indicateurs, charte, aujourd_hui)
    return {
        "groupes": par_priorite(suivis, priorites),
        "ensemble": GroupeIndicateurs("Ensemble des indicateurs", suivis),
        "liste": suivis[:INDICATEURS_AFFICHES],
        "nombre": len(suivis),
        "nb_mesures": sum(len(e.mesures) for e in suivis),
    }


# --- changes and decisions --------------------------------------------------------------------------------


def version_de_reference(charte, seance, aujourd_hui):
    """The plan as presented to the previous COPIL (before this one's date), else the latest baseline.

    Returns (version, séance that saw it or None).
    """
    precedentes = charte.copils.filter(version_plan__isnull=False).select_related("version_plan")
    if seance is not None:
        precedentes = precedentes.filter(date__lt=seance.date).exclude(pk=seance.pk)
    else:
        precedentes = precedentes.filter(date__lte=aujourd_hui)
    precedente = precedentes.order_by("-date", "-id").first()
    if precedente is not None:
        return precedente.version_plan, precedente
    return charte.versions_plan.order_by("-creee_le", "-id").first(), None


@dataclass
class LigneChangement:
    """One changed fiche in the summary: the essentials before → after, and how many other changes."""

    numero: int
    titre: str
    etat: str
    cellules: list  # (avant, après, changé) for Statut, Début, Fin, Avancement, budget, financing
    autres: int


def changements_depuis_la_reference(charte, seance, aujourd_hui):
    """The summary of what changed in the plan since the reference baseline (None without one)."""
    version, precedente = version_de_reference(charte, seance, aujourd_hui)
    if version is None:
        return None
    fiches = comparer_plans(version.contenu, instantane_du_plan(charte))
    modifiees = [
        LigneChangement(
            f.numero,
            f.titre,
            f.etat,
            [(c.avant, c.apres, c.avant != c.apres) for c in f.essentiel],
            sum(1 for c in f.changements if c.champ not in ESSENTIEL),
        )
        for f in fiches
        if f.etat == "modifiée"
    ]
    return {
        "version": version,
        "seance": precedente,
        "depuis": precedente.date if precedente else timezone.localtime(version.creee_le).date(),
        "colonnes": [LIBELLES_COURTS.get(champ, champ) for champ in ESSENTIEL],
        "modifiees": modifiees[:CHANGEMENTS_AFFICHES],
        "nb_modifiees": len(modifiees),
        "autres_modifiees": max(len(modifiees) - CHANGEMENTS_AFFICHES, 0),
        "nouvelles": [(f, resume_essentiel(f)) for f in fiches if f.etat == "nouvelle"],
        "retirees": [f for f in fiches if f.etat == "retirée"],
    }


def points_d_avancement(charte, depuis):
    """The pilots' progress entries since `depuis` (the previous COPIL), latest first."""
    suivis = Suivi.objects.filter(fiche__charte=charte).select_related("fiche").order_by("-date", "-id")
    if depuis is not None:
        suivis = suivis.filter(date__gt=depuis)
    nombre = suivis.count()
    return {"depuis": depuis, "liste": list(suivis[:SUIVIS_AFFICHES]), "nombre": nombre}


def resume_essentiel(fiche):
    """« En cours, du 01/09/2025 au 30/06/2028, budget 12 000,00 € » for a new action."""
    e = {c.champ: c.apres for c in fiche.essentiel}
    return f"{e['Statut']}, du {e['Début']} au {e['Fin']}, budget {e['Budget total prévu']}"


def decisions_du_copil(charte, seance):
    """This meeting's decisions grouped by status; outside a meeting, those still open in any meeting."""
    if seance is not None:
        decisions = seance.decisions.all()
    else:
        ouvertes = [Decision.Statut.A_PRENDRE, Decision.Statut.AJOURNEE]
        decisions = Decision.objects.filter(seance__charte=charte, statut__in=ouvertes).order_by(
            "seance__date", "ordre", "id"
        )
    decisions = list(decisions.select_related("seance", "fiche", "priorite", "besoin", "etape"))
    groupes = [(libelle, [d for d in decisions if d.statut == statut]) for statut, libelle in Decision.Statut.choices]
    return {"groupes": [(libelle, liste) for libelle, liste in groupes if liste], "nombre": len(decisions)}
