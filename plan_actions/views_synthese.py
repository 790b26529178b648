"""Views of the whole plan: Gantt calendar, budget tables and charts, spreadsheet export.

Every total is summed by PostgreSQL (values().annotate(Sum)): the number of queries does not grow
with the number of fiches, budget lines or financings.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, Sum
from django.shortcuts import render
from django.utils import timezone

from charte.decorators import permission_charte
from charte.models import Etape
from diagnostic import fichiers
from diagnostic.models import Domaine
from diagnostic.views_fichiers import TABLEURS, _telechargement
from plan_actions.filtres import FicheFilter
from plan_actions.graphiques import (
    Groupe,
    a_des_dates,
    barres_groupees_svg,
    colonnes_annuelles_svg,
    financeurs_svg,
    gantt_plan_svg,
)
from plan_actions.models import ZERO, Contribution, FicheAction, Financement, LigneBudget, Nature, taux

ABANDONNEE = FicheAction.Statut.ABANDONNEE
BROUILLON, PROPOSEE = FicheAction.Statut.BROUILLON, FicheAction.Statut.PROPOSEE
SOLLICITE = Financement.Statut.SOLLICITE
GROUPEMENTS = {"priorite": "par priorité", "domaine": "par domaine"}


# --- calendar ---------------------------------------------------------------------------------------


@permission_charte("plan_actions.voir")
def calendrier(request, charte_slug):
    charte = request.charte
    groupement = request.GET.get("groupe") if request.GET.get("groupe") in GROUPEMENTS else "priorite"
    aujourd_hui = timezone.localdate()
    etape = charte.etapes.get(numero=Etape.Numero.PLAN)
    fiches = FicheAction.objects.de(charte).select_related("pilote").prefetch_related("jalons")
    if groupement == "priorite":
        fiches = fiches.prefetch_related("priorites")
    fiches = list(fiches)
    if groupement == "priorite":
        groupes = groupes_par_priorite(fiches, charte.priorites.all())
        note = "Une action qui répond à plusieurs priorités figure sous chacune d'elles."
    else:
        groupes, note = groupes_par_domaine(fiches), ""
    gantt = gantt_plan_svg(groupes, etape.date_debut, etape.date_fin, aujourd_hui, note=note) if fiches else ""
    retards = {j.pk for f in fiches for j in f.jalons.all() if j.en_retard(aujourd_hui)}
    return render(
        request,
        "plan_actions/calendrier.html",
        {
            "charte": charte,
            "etape": etape,
            "groupement": groupement,
            "groupements": GROUPEMENTS,
            "libelle_groupement": GROUPEMENTS[groupement],
            "groupes": groupes,
            "gantt": gantt,
            "sans_dates": [f for f in fiches if not a_des_dates(f)],
            "jalons_en_retard": retards,
            "nb_fiches": len(fiches),
            "aujourd_hui": aujourd_hui,
        },
    )


def groupes_par_priorite(fiches, priorites):
    """One group per retained priority, in rank order (empty ones too: a priority nobody answers shows)."""
    groupes = {p.pk: Groupe(str(p), vide="Aucune action ne répond encore à cette priorité.") for p in priorites}
    sans_priorite = Groupe("Sans priorité rattachée")
    for fiche in fiches:
        rattachees = [groupes[p.pk] for p in fiche.priorites.all() if p.pk in groupes]
        for groupe in rattachees or [sans_priorite]:
            groupe.fiches.append(fiche)
    return list(groupes.values()) + ([sans_priorite] if sans_priorite.fiches else [])


def groupes_par_domaine(fiches):
    groupes = [Groupe(libelle, [f for f in fiches if f.domaine == valeur]) for valeur, libelle in Domaine.choices]
    return [g for g in groupes if g.fiches]


# --- budget -----------------------------------------------------------------------------------------


@dataclass
class LigneFinanceur:
    libelle: str
    par_annee: dict = field(default_factory=dict)
    sollicite: Decimal = ZERO
    accorde: Decimal = ZERO
    verse: Decimal = ZERO
    montants: list = field(default_factory=list)  # par_annee in the table's column order

    @property
    def total(self):
        return self.sollicite + self.accorde + self.verse

    @property
    def acquis(self):
        return self.accorde + self.verse


@dataclass
class LigneMontants:
    """One row of the domain and year tables."""

    libelle: object
    nb_fiches: int = 0
    prevu: Decimal = ZERO
    realise: Decimal = ZERO
    finance: Decimal = ZERO
    acquis: Decimal = ZERO
    # Per year only: the split by nature {nature: (prévu, réalisé)}.
    natures: dict = field(default_factory=dict)

    @property
    def taux_realisation(self):
        return taux(self.realise, self.prevu)

    @property
    def couverture(self):
        return taux(self.finance, self.prevu)

    def par_nature(self):
        return [self.natures.get(nature, (ZERO, ZERO)) for nature in Nature.values]


def additionner(lignes, libelle):
    """The total row of a table of LigneMontants."""
    total = LigneMontants(libelle)
    for ligne in lignes:
        total.nb_fiches += ligne.nb_fiches
        total.prevu += ligne.prevu
        total.realise += ligne.realise
        total.finance += ligne.finance
        total.acquis += ligne.acquis
        for nature, (prevu, realise) in ligne.natures.items():
            deja = total.natures.get(nature, (ZERO, ZERO))
            total.natures[nature] = (deja[0] + prevu, deja[1] + realise)
    return total


def synthese_budget(charte):
    """The budget tables of the plan as adopted (FicheAction.STATUTS_DU_PLAN): per funder × year, domain, year."""
    fiches = FicheAction.objects.de(charte).filter(statut__in=FicheAction.STATUTS_DU_PLAN)
    lignes_budget = LigneBudget.objects.filter(fiche__in=fiches).order_by()
    financements = Financement.objects.filter(fiche__in=fiches).order_by()
    par_financement = list(
        financements.values("financeur_id", "financeur__nom", "annee", "statut").annotate(montant=Sum("montant"))
    )
    financeurs, annees_financees = tableau_financeurs(par_financement)
    annees = tableau_annees(
        lignes_budget.values("annee", "nature").annotate(prevu=Sum("montant_prevu"), realise=Sum("montant_realise")),
        par_financement,
    )
    domaines = tableau_domaines(
        fiches.values("domaine").annotate(n=Count("pk")).order_by(),
        lignes_budget.values("fiche__domaine").annotate(prevu=Sum("montant_prevu"), realise=Sum("montant_realise")),
        financements.values("fiche__domaine").annotate(
            finance=Sum("montant"), acquis=Sum("montant", filter=~Q(statut=SOLLICITE))
        ),
    )
    hors_plan = FicheAction.objects.de(charte).exclude(statut__in=FicheAction.STATUTS_DU_PLAN)
    nb_hors_plan = hors_plan.aggregate(
        en_redaction=Count("pk", filter=Q(statut__in=[BROUILLON, PROPOSEE])),
        abandonnees=Count("pk", filter=Q(statut=ABANDONNEE)),
    )
    return {
        "financeurs": financeurs,
        "annees_financees": annees_financees,
        "total_financeurs": total_financeurs(financeurs, annees_financees),
        "domaines": domaines,
        "total_domaines": additionner(domaines, "Total"),
        "annees": annees,
        "total_annees": additionner(annees, "Total"),
        "nb_en_redaction": nb_hors_plan["en_redaction"],
        "nb_abandonnees": nb_hors_plan["abandonnees"],
    }


def tableau_financeurs(rangees):
    """Funders (largest first) with their amounts per year and per status; and the years present."""
    financeurs, annees = {}, set()
    for r in rangees:
        ligne = financeurs.setdefault(r["financeur_id"], LigneFinanceur(r["financeur__nom"]))
        ligne.par_annee[r["annee"]] = ligne.par_annee.get(r["annee"], ZERO) + r["montant"]
        # The status codes (sollicite, accorde, verse) are the row's attribute names.
        setattr(ligne, r["statut"], getattr(ligne, r["statut"]) + r["montant"])
        annees.add(r["annee"])
    annees = sorted(annees)
    for ligne in financeurs.values():
        ligne.montants = [ligne.par_annee.get(annee, ZERO) for annee in annees]
    return sorted(financeurs.values(), key=lambda f: (-f.total, f.libelle)), annees


def total_financeurs(financeurs, annees):
    total = LigneFinanceur("Total")
    for ligne in financeurs:
        for annee, montant in ligne.par_annee.items():
            total.par_annee[annee] = total.par_annee.get(annee, ZERO) + montant
        total.sollicite += ligne.sollicite
        total.accorde += ligne.accorde
        total.verse += ligne.verse
    total.montants = [total.par_annee.get(annee, ZERO) for annee in annees]
    return total


def tableau_annees(budget, financements):
    annees = {}
    for r in budget:
        ligne = annees.setdefault(r["annee"], LigneMontants(r["annee"]))
        prevu, realise = r["prevu"] or ZERO, r["realise"] or ZERO
        ligne.natures[r["nature"]] = (prevu, realise)
        ligne.prevu += prevu
        ligne.realise += realise
    for r in financements:
        ligne = annees.setdefault(r["annee"], LigneMontants(r["annee"]))
        ligne.finance += r["montant"]
        if r["statut"] != SOLLICITE:
            ligne.acquis += r["montant"]
    return [annees[annee] for annee in sorted(annees)]


def tableau_domaines(nb_fiches, budget, financements):
    """One row per domain that has a fiche (in the method's order)."""
    libelles = dict(Domaine.choices)
    lignes = {r["domaine"]: LigneMontants(libelles.get(r["domaine"], r["domaine"]), r["n"]) for r in nb_fiches}
    for r in budget:
        ligne = lignes[r["fiche__domaine"]]
        ligne.prevu, ligne.realise = r["prevu"] or ZERO, r["realise"] or ZERO
    for r in financements:
        ligne = lignes[r["fiche__domaine"]]
        ligne.finance, ligne.acquis = r["finance"] or ZERO, r["acquis"] or ZERO
    ordre = list(libelles)
    return [lignes[d] for d in sorted(lignes, key=lambda d: ordre.index(d) if d in ordre else len(ordre))]


@permission_charte("plan_actions.voir")
def budget(request, charte_slug):
    charte = request.charte
    synthese = synthese_budget(charte)
    graphiques = {
        "financeurs": financeurs_svg(synthese["financeurs"]) if synthese["financeurs"] else "",
        "domaines": barres_groupees_svg(synthese["domaines"]) if synthese["domaines"] else "",
        "annees": colonnes_annuelles_svg(synthese["annees"]) if synthese["annees"] else "",
    }
    return render(
        request,
        "plan_actions/budget.html",
        {"charte": charte, "natures": Nature.choices, "graphiques": graphiques, **synthese},
    )


# --- export -----------------------------------------------------------------------------------------

ENTETES_FICHES = [
    "n°",
    "intitulé",
    "axe",
    "domaine",
    "priorités",
    "type",
    "pilote",
    "personne référente",
    "partenaires",
    "communes",
    "début",
    "fin",
    "statut",
    "avancement (%)",
    "budget prévu (€)",
    "budget réalisé (€)",
    "financé (€)",
    "financement acquis (€)",
    "taux de couverture (%)",
]
ENTETES_BUDGET = ["n° fiche", "intitulé de l'action", "année", "nature", "poste de dépense", "prévu (€)", "réalisé (€)"]
ENTETES_FINANCEMENTS = ["n° fiche", "intitulé de l'action", "financeur", "année", "montant (€)", "statut"]


@permission_charte("plan_actions.voir")
def export(request, charte_slug):
    """The plan as a workbook — the fiches the list's filter keeps, their budget lines and financings."""
    charte = request.charte
    fiches = (
        FicheAction.objects.de(charte)
        .avec_totaux()
        .select_related("pilote", "responsable")
        .prefetch_related(
            "priorites",
            "communes",
            Prefetch("contributions", queryset=Contribution.objects.select_related("organisation")),
            "lignes_budget",
            Prefetch("financements", queryset=Financement.objects.select_related("financeur")),
        )
    )
    fiches = list(FicheFilter(request.GET or None, queryset=fiches, charte=charte).qs)
    contenu = fichiers.ecrire_classeur(
        [
            ("Fiches", ENTETES_FICHES, [ligne_fiche(f) for f in fiches]),
            ("Budget", ENTETES_BUDGET, [ligne_budget(f, ligne) for f in fiches for ligne in f.lignes_budget.all()]),
            (
                "Financements",
                ENTETES_FINANCEMENTS,
                [ligne_financement(f, fi) for f in fiches for fi in f.financements.all()],
            ),
        ]
    )
    return _telechargement(contenu, TABLEURS["xlsx"], f"plan-d-actions-{charte.slug}.xlsx")


def ligne_fiche(fiche):
    responsable = fiche.responsable
    return [
        fiche.numero,
        fiche.titre,
        fiche.axe,
        fiche.get_domaine_display(),
        " ; ".join(str(p) for p in fiche.priorites.all()),
        fiche.get_type_action_display(),
        str(fiche.pilote),
        (responsable.get_full_name() or responsable.get_username()) if responsable else "",
        " ; ".join(str(c.organisation) for c in fiche.contributions.all()),
        " ; ".join(c.nom for c in fiche.communes.all()) or "tout le territoire",
        fiche.date_debut,
        fiche.date_fin,
        fiche.get_statut_display(),
        fiche.avancement,
        fiche.budget_prevu,
        fiche.budget_realise,
        fiche.finance,
        fiche.finance_acquis,
        fiche.couverture,
    ]


def ligne_budget(fiche, ligne):
    return [
        fiche.numero,
        fiche.titre,
        ligne.annee,
        ligne.get_nature_display(),
        ligne.libelle,
        ligne.montant_prevu,
        ligne.montant_realise,
    ]


def ligne_financement(fiche, financement):
    return [
        fiche.numero,
        fiche.titre,
        str(financement.financeur),
        financement.annee,
        financement.montant,
        financement.get_statut_display(),
    ]
