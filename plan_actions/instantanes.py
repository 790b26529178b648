"""A fiche as a flat "label → displayed value" picture: the history and the plan baselines compare two of them.

One picture for both keeps a single rule for what counts as a change (dates, budget, financing, partners,
milestones, status) and writes it the way users read it.
"""

from dataclasses import dataclass, field

from django.db.models import Prefetch

from charte.templatetags.francais import euros
from plan_actions.models import Contribution, FicheAction, Financement, Public
from priorisation.models import Priorite

SANS_VALEUR = "—"


def fiches_pour_instantane(queryset):
    """Everything a picture reads, in a fixed number of queries whatever the number of fiches."""
    return queryset.select_related("pilote", "responsable").prefetch_related(
        Prefetch("priorites", queryset=Priorite.objects.select_related("besoin")),
        "communes",
        Prefetch("contributions", queryset=Contribution.objects.select_related("organisation")),
        "jalons",
        "lignes_budget",
        Prefetch("financements", queryset=Financement.objects.select_related("financeur")),
    )


def _date(valeur):
    return f"{valeur:%d/%m/%Y}" if valeur else SANS_VALEUR


def _texte(valeur):
    # Browsers send text areas with CRLF line ends: the same text typed again is not a change.
    return str(valeur).replace("\r\n", "\n").strip() if valeur not in (None, "") else SANS_VALEUR


def valeurs(fiche: FicheAction) -> dict[str, str]:
    """The fiche as shown to people, one entry per field, partner, milestone, budget line and financing."""
    publics = dict(Public.choices)
    lignes = list(fiche.lignes_budget.all())
    financements = list(fiche.financements.all())
    v = {
        "Intitulé": fiche.titre,
        "Axe ou enjeu": _texte(fiche.axe),
        "Domaine": fiche.get_domaine_display(),
        "Priorités": " ; ".join(str(p) for p in sorted(fiche.priorites.all(), key=lambda p: p.rang)) or SANS_VALEUR,
        "Type d'action": fiche.get_type_action_display(),
        "Objectif général": _texte(fiche.objectif_general),
        "Objectifs opérationnels": _texte(fiche.objectifs_operationnels),
        "Publics visés": ", ".join(publics.get(p, p) for p in fiche.publics) or SANS_VALEUR,
        "Communes": ", ".join(sorted(c.nom for c in fiche.communes.all())) or "Tout le territoire",
        "Pilote": str(fiche.pilote),
        "Personne référente": _texte(fiche.responsable),
        "Description": _texte(fiche.description),
        "Moyens humains": _texte(fiche.moyens_humains),
        "Moyens matériels": _texte(fiche.moyens_materiels),
        "Début": _date(fiche.date_debut),
        "Fin": _date(fiche.date_fin),
        "Statut": fiche.get_statut_display(),
        "Avancement": f"{fiche.avancement} %",
    }
    for contribution in fiche.contributions.all():
        v[f"Partenaire {contribution.organisation}"] = _texte(contribution.engagement)
    for jalon in fiche.jalons.all():
        atteint = f", atteinte le {_date(jalon.date_reelle)}" if jalon.date_reelle else ""
        v[_unique(v, f"Étape clé « {jalon.libelle} »")] = f"prévue le {_date(jalon.date_prevue)}{atteint}"
    for ligne in lignes:
        cle = _unique(v, f"Budget {ligne.annee} {ligne.get_nature_display().lower()} « {ligne.libelle} »")
        realise = f" · réalisé {euros(ligne.montant_realise, 2)}" if ligne.montant_realise is not None else ""
        v[cle] = f"prévu {euros(ligne.montant_prevu, 2)}{realise}"
    for financement in financements:
        cle = f"Financement {financement.financeur} {financement.annee}"
        v[cle] = f"{euros(financement.montant, 2)} ({financement.get_statut_display().lower()})"
    v["Budget total prévu"] = euros(sum(ligne.montant_prevu for ligne in lignes), 2)
    v["Financement total"] = euros(sum(f.montant for f in financements), 2)
    return v


def _unique(deja, cle):
    """Two milestones or budget lines may share a label: number the second one."""
    if cle not in deja:
        return cle
    rang = 2
    while f"{cle} ({rang})" in deja:
        rang += 1
    return f"{cle} ({rang})"


@dataclass
class Changement:
    champ: str
    avant: str
    apres: str


def differences(avant: dict, apres: dict) -> list[Changement]:
    """What changed between two pictures of a fiche: changed, added (avant "—") and removed (après "—") entries."""
    changements = [
        Changement(cle, avant.get(cle, SANS_VALEUR), valeur)
        for cle, valeur in apres.items()
        if avant.get(cle) != valeur
    ]
    changements += [Changement(cle, valeur, SANS_VALEUR) for cle, valeur in avant.items() if cle not in apres]
    return changements


def instantane_du_plan(charte):
    """Every fiche of the charter, as stored in a baseline: {pk: {numero, titre, valeurs}}."""
    return {
        str(fiche.pk): {"numero": fiche.numero, "titre": fiche.titre, "valeurs": valeurs(fiche)}
        for fiche in fiches_pour_instantane(FicheAction.objects.de(charte))
    }


# What a steering committee reads first about each action: where it stands, when, and the money.
ESSENTIEL = ["Statut", "Début", "Fin", "Avancement", "Budget total prévu", "Financement total"]


@dataclass
class FicheComparee:
    numero: int
    titre: str
    etat: str  # "nouvelle", "retirée" or "modifiée"
    changements: list = field(default_factory=list)
    essentiel: list = field(default_factory=list)  # Changement for each ESSENTIEL entry, changed or not

    @classmethod
    def entre(cls, fiche, etat, avant, apres):
        essentiel = [Changement(cle, avant.get(cle, SANS_VALEUR), apres.get(cle, SANS_VALEUR)) for cle in ESSENTIEL]
        changements = differences(avant, apres) if etat == "modifiée" else []
        return cls(fiche["numero"], fiche["titre"], etat, changements, essentiel)


def comparer_plans(reference: dict, actuel: dict) -> list[FicheComparee]:
    """Fiches added, removed or changed since the baseline, in number order (unchanged ones are left out)."""
    resultat = []
    for pk, fiche in actuel.items():
        if pk not in reference:
            resultat.append(FicheComparee.entre(fiche, "nouvelle", {}, fiche["valeurs"]))
        elif reference[pk]["valeurs"] != fiche["valeurs"]:
            resultat.append(FicheComparee.entre(fiche, "modifiée", reference[pk]["valeurs"], fiche["valeurs"]))
    for pk, fiche in reference.items():
        if pk not in actuel:
            resultat.append(FicheComparee.entre(fiche, "retirée", fiche["valeurs"], {}))
    return sorted(resultat, key=lambda f: f.numero)
