"""Expected access to the action plan's pages (merged into tests/permissions.py's table).

Every member (and the national staff) reads the plan. Coordinator, référent and partners propose
fiches and comment on them. A fiche is edited and followed by the coordinator and by the members of
its pilot organisation: the fiche used here is piloted by an organisation none of the test people
belongs to, so only the coordinator may edit it (tests/plan_actions checks the pilot's partner).
The coordinator and the référent review fiches; the coordinator freezes baselines and records the signature.
"""

from plan_actions import services
from plan_actions.models import FicheAction
from tests.factories import FicheActionFactory

TOUS = {"coordinateur", "referent", "partenaire", "observateur", "national"}
COORDINATEUR = {"coordinateur"}
CONTRIBUTEURS = {"coordinateur", "referent", "partenaire"}
RELECTEURS = {"coordinateur", "referent"}
POST_SEULEMENT = None

ATTENDU = {
    "plan_actions:plan": {"GET": TOUS, "POST": TOUS},
    "plan_actions:nouvelle_fiche": {"GET": CONTRIBUTEURS, "POST": CONTRIBUTEURS},
    "plan_actions:fiche": {"GET": TOUS, "POST": TOUS},
    "plan_actions:modifier_fiche": {"GET": COORDINATEUR, "POST": COORDINATEUR},
    "plan_actions:proposer": {"GET": POST_SEULEMENT, "POST": COORDINATEUR},
    "plan_actions:valider": {"GET": POST_SEULEMENT, "POST": RELECTEURS},
    "plan_actions:renvoyer": {"GET": RELECTEURS, "POST": RELECTEURS},
    "plan_actions:suivi": {"GET": COORDINATEUR, "POST": COORDINATEUR},
    "plan_actions:commenter": {"GET": CONTRIBUTEURS, "POST": CONTRIBUTEURS},
    "plan_actions:impression_fiche": {"GET": TOUS, "POST": TOUS},
    "plan_actions:historique_fiche": {"GET": TOUS, "POST": TOUS},
    # A funder's own financings: members who speak for an organisation (here, only the partner has one).
    "plan_actions:financements": {"GET": {"partenaire"}, "POST": {"partenaire"}},
    "plan_actions:versions": {"GET": TOUS, "POST": COORDINATEUR},
    "plan_actions:comparer": {"GET": TOUS, "POST": TOUS},
    "plan_actions:signer": {"GET": COORDINATEUR, "POST": COORDINATEUR},
    "plan_actions:calendrier": {"GET": TOUS, "POST": TOUS},
    "plan_actions:budget": {"GET": TOUS, "POST": TOUS},
    "plan_actions:export": {"GET": TOUS, "POST": TOUS},
}

SANS_ARGUMENT = {
    "plan_actions:plan",
    "plan_actions:nouvelle_fiche",
    "plan_actions:versions",
    "plan_actions:financements",
    "plan_actions:signer",
    "plan_actions:calendrier",
    "plan_actions:budget",
    "plan_actions:export",
}
STATUT_NECESSAIRE = {
    "plan_actions:valider": FicheAction.Statut.PROPOSEE,
    "plan_actions:renvoyer": FicheAction.Statut.PROPOSEE,
    "plan_actions:suivi": FicheAction.Statut.VALIDEE,
}


def arguments(page, charte):
    """URL arguments (besides charte_slug) for `page`, creating the objects it needs in `charte`."""
    if page in SANS_ARGUMENT:
        return {}
    if page == "plan_actions:comparer":
        return {"pk": services.figer_version(charte, None, "Plan signé").pk}
    fiche = FicheActionFactory(charte=charte, statut=STATUT_NECESSAIRE.get(page, FicheAction.Statut.BROUILLON))
    return {"pk": fiche.pk}
