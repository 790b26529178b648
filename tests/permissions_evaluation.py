"""Expected access to the evaluation pages (merged into tests/permissions.py's table).

Every member (and the national staff) reads indicators, grids and the final assessment. The
coordinator defines the charter's own indicators and writes the final assessment; an action's
indicators are defined with its fiche (pilot or coordinator — the fiche used here is piloted by
an organisation none of the test people belongs to). Measurements are entered by the indicator's
responsible organisation: the indicator used here has none, so the coordinator enters them.
"""

from evaluation.models import Indicateur
from tests.factories import FicheActionFactory

TOUS = {"coordinateur", "referent", "partenaire", "observateur", "national"}
COORDINATEUR = {"coordinateur"}
POST_SEULEMENT = None

ATTENDU = {
    "evaluation:indicateurs": {"GET": TOUS, "POST": TOUS},
    "evaluation:nouvel_indicateur": {"GET": COORDINATEUR, "POST": COORDINATEUR},
    "evaluation:indicateur": {"GET": TOUS, "POST": TOUS},
    "evaluation:modifier_indicateur": {"GET": COORDINATEUR, "POST": COORDINATEUR},
    "evaluation:mesurer": {"GET": COORDINATEUR, "POST": COORDINATEUR},
    "evaluation:grille": {"GET": TOUS, "POST": COORDINATEUR},
    "evaluation:bilan": {"GET": TOUS, "POST": TOUS},
    "evaluation:modifier_bilan": {"GET": COORDINATEUR, "POST": COORDINATEUR},
    "evaluation:adopter_bilan": {"GET": POST_SEULEMENT, "POST": COORDINATEUR},
    "evaluation:comparaison": {"GET": TOUS, "POST": TOUS},
}

SANS_ARGUMENT = {
    "evaluation:indicateurs",
    "evaluation:nouvel_indicateur",
    "evaluation:bilan",
    "evaluation:modifier_bilan",
    "evaluation:adopter_bilan",
    "evaluation:comparaison",
}


def arguments(page, charte):
    """URL arguments (besides charte_slug) for `page`, creating the objects it needs in `charte`."""
    if page in SANS_ARGUMENT:
        return {}
    fiche = FicheActionFactory(charte=charte, statut="en_cours")
    if page == "evaluation:grille":
        return {"pk": fiche.pk}
    indicateur = Indicateur.objects.create(charte=charte, fiche=fiche, libelle="Familles accueillies", cible=40)
    return {"pk": indicateur.pk}
