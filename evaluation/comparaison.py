"""The families' voice before and after: the diagnostic survey against the satisfaction survey.

Two questions compare when they carry the same code and the same type in both surveys (the
satisfaction survey is built from the diagnostic's questions, codes included). The counts come from
diagnostic.resultats, so a figure here is the figure of each survey's own results page.
"""

import hashlib
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Max, Prefetch
from django.template.loader import render_to_string

from charte.graphiques import LARGEUR_BARRES, LARGEUR_LIBELLE, LIBELLE_MAX
from charte.models import Journal
from diagnostic.models import Enquete, Option, Question
from diagnostic.resultats import Barre, resultats
from diagnostic.services import creer_enquete, structure
from evaluation.models import BilanFinal
from plan_actions.models import FicheAction

# Free text does not compare as a distribution; numbers are compared by their mean (the two
# surveys' histograms would not share their classes).
TYPES_COMPARES = {Question.Type.CHOIX_UNIQUE, Question.Type.CHOIX_MULTIPLE, Question.Type.ECHELLE, Question.Type.GRILLE}
TYPES_MOYENNE = {Question.Type.NOMBRE}
DUREE_CACHE = 60 * 60
# Below this many respondents in either survey, a share moves by chance: left out of the summary.
SEUIL_REPONDANTS = 20
EVOLUTIONS_RESUMEES = 5
COULEUR_AVANT, COULEUR_APRES = "#6c757d", "#198754"


@dataclass
class Categorie:
    """One answer (an option, a level, a grid row) with its figures in each survey (None: not asked there)."""

    libelle: str
    avant: Barre | None
    apres: Barre | None

    @property
    def ecart(self):
        """Change in percentage points (None when one side is missing)."""
        if self.avant is None or self.apres is None or not self.avant.total or not self.apres.total:
            return None  # not asked, or nobody answered: nothing to compare
        return self.apres.pourcentage - self.avant.pourcentage

    @property
    def ecart_texte(self):
        ecart = self.ecart
        if ecart is None:
            return "—"
        if ecart == 0:
            return "stable"
        return f"{'+' if ecart > 0 else '−'}{abs(ecart)} point{'s' if abs(ecart) > 1 else ''}"


@dataclass
class Comparaison:
    code: str
    texte: str
    type: str
    section: str
    repondants_avant: int = 0
    repondants_apres: int = 0
    categories: list = field(default_factory=list)
    moyenne_avant: float | None = None
    moyenne_apres: float | None = None
    note: str = ""  # how to read the figures, when it is not plain « share of respondents »
    graphique: str = ""


def enquetes_de(charte):
    """The charter's surveys, oldest first, with their answer counts (one query)."""
    return list(
        Enquete.objects.de(charte)
        .annotate(nb_reponses=Count("reponses"), derniere=Max("reponses"))
        .order_by("creee_le", "pk")
    )


def enquetes_par_defaut(enquetes, bilan):
    """(avant, après): those stored on the final assessment, else the oldest survey and the newest other one."""
    par_pk = {e.pk: e for e in enquetes}
    avant = par_pk.get(bilan.enquete_avant_id) if bilan else None
    apres = par_pk.get(bilan.enquete_apres_id) if bilan else None
    if avant is None and enquetes:
        avant = enquetes[0]
    if apres is None:
        autres = [e for e in enquetes if e != avant]
        apres = autres[-1] if autres else None
    return avant, apres


def questions_comparables(avant, apres, publiees_seulement):
    """Pairs (question avant, question après) sharing code and type, in the diagnostic's order."""
    questions = (
        Question.objects.filter(enquete__in=[avant, apres], type__in=TYPES_COMPARES | TYPES_MOYENNE)
        .select_related("section")
        .prefetch_related(Prefetch("options", queryset=Option.objects.order_by("ordre", "id")))
        .order_by("section__ordre", "section_id", "ordre", "id")
    )
    if publiees_seulement:  # results not yet published stay with coordinators and referents
        questions = questions.filter(resultats_publies=True)
    questions = list(questions)
    apres_par_code = {q.code: q for q in questions if q.enquete_id == apres.pk}
    return [
        (q, apres_par_code[q.code])
        for q in questions
        if q.enquete_id == avant.pk and q.code in apres_par_code and apres_par_code[q.code].type == q.type
    ]


def comparer(avant, apres, publiees_seulement=False):
    """One Comparaison per question both surveys ask, with its chart; cached until an answer or a question changes."""
    paires = questions_comparables(avant, apres, publiees_seulement)
    cle = _cle_du_cache(avant, apres, paires)
    comparaisons = cache.get(cle) if cle else None
    if comparaisons is None:
        comparaisons = _calculer(avant, apres, paires)
        if cle:
            cache.set(cle, comparaisons, DUREE_CACHE)
    return comparaisons


def _cle_du_cache(avant, apres, paires):
    """What changes the figures: the answers (count, last id), the structure, the questions shown.

    None for surveys read without their answer counts (see enquetes_de): then nothing is cached.
    """
    if not all(hasattr(e, "nb_reponses") and hasattr(e, "derniere") for e in (avant, apres)):
        return None
    etat = [(e.pk, e.titre, e.nb_reponses, e.derniere, e.version_structure) for e in (avant, apres)]
    questions = [(q.pk, p.pk) for q, p in paires]
    return "comparaison:" + hashlib.sha256(repr((etat, questions)).encode()).hexdigest()


def _calculer(avant, apres, paires):
    if not paires:
        return []
    # From each survey's running counts: the same figures, still there once its answers are anonymised.
    liste = [
        resultat
        for enquete, questions in ((avant, [q for q, _p in paires]), (apres, [p for _q, p in paires]))
        for resultat in resultats(questions, enquete=enquete, avec_textes=False)
    ]
    par_pk = {r.question.pk: r for r in liste}
    comparaisons = []
    for question_avant, question_apres in paires:
        comparaison = comparer_question(par_pk[question_avant.pk], par_pk[question_apres.pk])
        if comparaison.categories:
            comparaison.graphique = avant_apres_svg(comparaison, avant.titre, apres.titre)
        comparaisons.append(comparaison)
    return comparaisons


def comparer_question(resultat_avant, resultat_apres):
    """The figures of one question in both surveys, answer by answer."""
    question = resultat_avant.question
    comparaison = Comparaison(
        code=question.code,
        texte=resultat_apres.question.texte,
        type=question.type,
        section=question.section.titre,
        repondants_avant=resultat_avant.repondants,
        repondants_apres=resultat_apres.repondants,
        moyenne_avant=resultat_avant.moyenne,
        moyenne_apres=resultat_apres.moyenne,
        note=_note(question),
    )
    if question.type in TYPES_MOYENNE:
        return comparaison
    avant, apres = _par_reponse(resultat_avant), _par_reponse(resultat_apres)
    # The diagnostic's order, then what only the new survey offers.
    cles = list(avant) + [cle for cle in apres if cle not in avant]
    comparaison.categories = [
        Categorie((avant.get(cle) or apres[cle]).libelle, avant.get(cle), apres.get(cle)) for cle in cles
    ]
    return comparaison


def plus_fortes_evolutions(comparaisons, nombre=EVOLUTIONS_RESUMEES):
    """(Comparaison, Categorie) pairs whose share moved most, among questions enough families answered twice."""
    paires = [
        (comparaison, categorie)
        for comparaison in comparaisons
        if min(comparaison.repondants_avant, comparaison.repondants_apres) >= SEUIL_REPONDANTS
        for categorie in comparaison.categories
        if categorie.ecart
    ]
    return sorted(paires, key=lambda paire: -abs(paire[1].ecart))[:nombre]


def _note(question):
    if question.est_grille:
        haut = f"« {question.libelle_echelle(4)} » ou « {question.libelle_echelle(5)} »"
        return f"Pour chaque ligne : part des répondants qui la jugent {haut}."
    if question.type == Question.Type.CHOIX_MULTIPLE:
        return "Plusieurs réponses possibles : les parts ne s'additionnent pas à 100 %."
    if question.type in TYPES_MOYENNE:
        return "Question chiffrée : comparée par sa moyenne."
    return ""


def _par_reponse(resultat):
    """Each answer's Barre under the key that pairs it across surveys: the level for a scale (its labels
    may have been reworded), the label for an option or a grid row."""
    question = resultat.question
    if question.est_grille:
        # A grid row: the respondents rating it 4 or 5, over the question's respondents.
        return {
            ligne: Barre(ligne, sum(b.effectif for b in barres[3:]), resultat.repondants)
            for ligne, barres, _moyenne in resultat.grille
        }
    if question.type == Question.Type.ECHELLE:
        return dict(enumerate(resultat.barres, start=1))
    return {barre.libelle: barre for barre in resultat.barres}


# --- chart ---------------------------------------------------------------------------------------------

HAUTEUR_BARRE, ECART_BARRES, ECART_CATEGORIES, HAUTEUR_LEGENDE = 12, 2, 12, 44


def _tronquer(texte, longueur=LIBELLE_MAX):
    return texte if len(texte) <= longueur else texte[: longueur - 1] + "…"


def _texte_barre(barre):
    if barre is None:
        return "non proposée"
    return f"{barre.pourcentage} %" if barre.total else "aucune réponse"


def avant_apres_svg(comparaison, titre_avant, titre_apres):
    """Grouped horizontal bars: for each answer, the share of respondents before (grey) and after (green)."""
    maximum = max(
        (b.pourcentage for c in comparaison.categories for b in (c.avant, c.apres) if b is not None), default=0
    )
    maximum = maximum or 1
    pas = 2 * (HAUTEUR_BARRE + ECART_BARRES) + ECART_CATEGORIES
    series = [
        ("avant", "Avant", titre_avant, comparaison.repondants_avant, COULEUR_AVANT),
        ("apres", "Après", titre_apres, comparaison.repondants_apres, COULEUR_APRES),
    ]
    lignes = []
    for i, categorie in enumerate(comparaison.categories):
        y = i * pas
        barres = []
        for j, (attribut, libelle_serie, _titre, _n, couleur) in enumerate(series):
            barre = getattr(categorie, attribut)
            y_barre = y + j * (HAUTEUR_BARRE + ECART_BARRES)
            largeur = round(LARGEUR_BARRES * barre.pourcentage / maximum, 1) if barre else 0
            barres.append(
                {
                    "y": y_barre,
                    "y_texte": y_barre + HAUTEUR_BARRE - 2,
                    "largeur": largeur,
                    "x_texte": round(LARGEUR_LIBELLE + largeur + 5, 1),
                    "couleur": couleur,
                    "texte": _texte_barre(barre),
                    "infobulle": f"{categorie.libelle}, {libelle_serie.lower()} : "
                    + (
                        f"{barre.pourcentage} % ({barre.effectif}/{barre.total})"
                        if barre and barre.total
                        else _texte_barre(barre)
                    ),
                }
            )
        lignes.append(
            {
                "libelle": _tronquer(categorie.libelle),
                "infobulle": categorie.libelle,
                "y_libelle": y + HAUTEUR_BARRE + 3,
                "barres": barres,
            }
        )
    hauteur_barres = max(len(lignes), 1) * pas
    legende = [
        {
            "x": 10,  # the survey titles are long: the legend uses the labels' column too
            "y": hauteur_barres + 12 + rang * 18,
            "couleur": couleur,
            "libelle": f"{libelle} — {_tronquer(titre, 60)} ({n} répondant{'s' if n > 1 else ''})",
        }
        for rang, (_attribut, libelle, titre, n, couleur) in enumerate(series)
    ]
    contexte = {
        "titre": f"{comparaison.texte} — avant / après",
        "lignes": lignes,
        "largeur": LARGEUR_LIBELLE + LARGEUR_BARRES + 110,
        "hauteur": hauteur_barres + HAUTEUR_LEGENDE,
        "x_barres": LARGEUR_LIBELLE,
        "bas_axe": hauteur_barres - ECART_CATEGORIES // 2,
        "hauteur_barre": HAUTEUR_BARRE,
        "legende": legende,
    }
    return render_to_string("components/avant_apres.svg", contexte)


# --- the satisfaction survey --------------------------------------------------------------------------

SERVICES_MAX = 12  # options of the « which services do you know » questions
SERVICES_GENERIQUES = [
    "Un lieu d'accueil ou d'écoute pour les parents",
    "Un relais petite enfance ou un nouveau mode de garde",
    "Des activités pour les enfants et les jeunes",
    "Une permanence d'accès aux droits ou aux soins",
]
INTRODUCTION_SATISFACTION = (
    "Il y a quelques années, vous avez été nombreux à nous dire ce dont votre famille avait besoin. "
    "Des actions ont été menées depuis avec la MSA, la CAF, le Département, l'ARS et les communes. "
    "Ce questionnaire nous aide à savoir ce qui a changé pour vous. Il est anonyme : nous ne vous demandons "
    "ni votre nom, ni votre adresse. Il prend environ 8 minutes."
)


def section_satisfaction(services, codes_pris):
    """The questions only a satisfaction survey asks (codes « sat… », skipped if the source already has them)."""
    options = [{"libelle": s} for s in services] + [{"libelle": "Aucun de ces services"}]
    questions = [
        {
            "code": "sat1",
            "texte": "Les actions menées ces dernières années ont-elles amélioré votre quotidien de famille ?",
            "type": "echelle",
            "obligatoire": True,
            "libelles_echelle": ["Pas du tout", "Un peu", "Moyennement", "Beaucoup", "Énormément"],
        },
        {
            "code": "sat2",
            "texte": "Parmi ces services ou actions, lesquels connaissez-vous ?",
            "type": "choix_multiple",
            "options": options,
        },
        {
            "code": "sat3",
            "texte": "Lesquels avez-vous utilisés ou fréquentés, vous ou vos enfants ?",
            "type": "choix_multiple",
            "options": options,
        },
        {
            "code": "sat4",
            "texte": "Avez-vous pu donner votre avis ou participer à la construction de ces actions ?",
            "type": "choix_unique",
            "options": [
                {"libelle": "Oui"},
                {"libelle": "Non"},
                {"libelle": "Je ne savais pas que c'était possible"},
            ],
        },
        {
            "code": "sat5",
            "texte": "Que faudrait-il continuer, améliorer ou arrêter ?",
            "type": "texte_long",
        },
    ]
    return {
        "titre": "Votre avis sur les actions menées",
        "domaine": None,
        "questions": [q for q in questions if q["code"] not in codes_pris],
    }


def services_du_plan(charte):
    """The plan's actions, as families may know them (the coordinator rewords them in the editor)."""
    titres = list(
        FicheAction.objects.de(charte)
        .filter(statut__in=FicheAction.STATUTS_DU_PLAN)
        .order_by("numero")
        .values_list("titre", flat=True)[:SERVICES_MAX]
    )
    return titres or SERVICES_GENERIQUES


def structure_satisfaction(charte, source):
    """The source survey's closed questions (same codes, so they compare) after a short satisfaction section."""
    donnees = structure(source)
    sections = []
    for section in donnees["sections"]:
        # Open questions are dropped: they do not compare and the new section has its own.
        questions = [q for q in section["questions"] if q["type"] not in Question.TYPES_TEXTE]
        if questions:
            sections.append(section | {"questions": questions})
    codes = {q["code"] for s in sections for q in s["questions"]}
    return {
        "titre": f"Enquête de satisfaction des familles — {charte.territoire}",
        "introduction": INTRODUCTION_SATISFACTION,
        "sections": [section_satisfaction(services_du_plan(charte), codes), *sections],
    }


@transaction.atomic
def creer_enquete_satisfaction(charte, source, par, titre=None):
    """A draft satisfaction survey from `source`, chosen as the final assessment's « après » survey."""
    enquete = creer_enquete(charte, structure_satisfaction(charte, source), par=par, titre=titre)
    bilan, _ = BilanFinal.objects.select_for_update().get_or_create(charte=charte)
    # Stored fields only, without touching `version`: the texts being edited elsewhere are not in conflict.
    BilanFinal.objects.filter(pk=bilan.pk).update(
        enquete_avant=bilan.enquete_avant_id or source.pk, enquete_apres=enquete
    )
    Journal.noter(charte, par, f"Enquête de satisfaction « {enquete.titre} » créée à partir de « {source.titre} »")
    return enquete


@transaction.atomic
def choisir_enquetes(charte, avant, apres, par):
    """Store which surveys the final assessment compares."""
    bilan, _ = BilanFinal.objects.get_or_create(charte=charte)
    BilanFinal.objects.filter(pk=bilan.pk).update(enquete_avant=avant, enquete_apres=apres)
    Journal.noter(charte, par, f"Parole des familles : « {avant.titre} » comparée à « {apres.titre} »")
