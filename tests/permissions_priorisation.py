"""Expected access to the prioritisation pages (merged into tests/permissions.py's table).

Every member (and the national staff) follows the sessions and their live results; the coordinator
sets them up and opens or closes the vote; the coordinator, the referent and partners vote with their
account (observers may only join as guests, with the session's code, on the public /s/ pages).
"""

import datetime

from diagnostic.models import Besoin
from priorisation.models import Seance
from priorisation.services import creer_seance

TOUS = {"coordinateur", "referent", "partenaire", "observateur", "national"}
COORDINATEUR = {"coordinateur"}
VOTANTS = {"coordinateur", "referent", "partenaire"}
POST_SEULEMENT = None  # GET answers 405 to whoever may reach the charter

ATTENDU = {
    "priorisation:seances": {"GET": TOUS, "POST": TOUS},
    "priorisation:nouvelle_seance": {"GET": COORDINATEUR, "POST": COORDINATEUR},
    "priorisation:seance": {"GET": TOUS, "POST": TOUS},
    "priorisation:statut_seance": {"GET": POST_SEULEMENT, "POST": COORDINATEUR},
    "priorisation:poids": {"GET": POST_SEULEMENT, "POST": COORDINATEUR},
    "priorisation:voter": {"GET": VOTANTS, "POST": VOTANTS},
    "priorisation:resultats": {"GET": TOUS, "POST": TOUS},
    "priorisation:decision": {"GET": COORDINATEUR, "POST": COORDINATEUR},
    "priorisation:export": {"GET": TOUS, "POST": TOUS},
    "priorisation:comparer": {"GET": TOUS, "POST": TOUS},
    "priorisation:impression": {"GET": TOUS, "POST": TOUS},
}

SANS_ARGUMENT = {"priorisation:seances", "priorisation:nouvelle_seance", "priorisation:comparer"}


def seance_ouverte(charte):
    """An open session on one need of the charter (voting needs it open)."""
    Besoin.objects.create(charte=charte, domaine="petite_enfance", titre="Places d'accueil du jeune enfant")
    seance = creer_seance(
        charte,
        titre="Séance d'essai",
        date=datetime.date(2025, 6, 1),
        mode="multicritere",
        points=10,
        seuil=3,
        par=None,
    )
    Seance.objects.filter(pk=seance.pk).update(statut=Seance.Statut.OUVERTE)
    return seance


def arguments(page, charte):
    """URL arguments (besides charte_slug) for `page`, creating the objects it needs in `charte`."""
    if page in SANS_ARGUMENT:
        return {}
    arguments = {"pk": seance_ouverte(charte).pk}
    if page == "priorisation:export":
        arguments["format"] = "csv"
    return arguments
