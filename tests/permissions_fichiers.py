"""Expected access to these pages (merged into tests/permissions.py's table)."""

from diagnostic.services import creer_enquete
from tests.factories import QUESTIONNAIRE_MINIMAL

TOUS = {"coordinateur", "referent", "partenaire", "observateur", "national"}
COORDINATEUR = {"coordinateur"}
# Raw answers hold the families' own words: only the MSA agents who run the charter read them.
LECTEURS_DES_REPONSES = {"coordinateur", "referent"}

ATTENDU = {
    "diagnostic:export_reponses": {"GET": LECTEURS_DES_REPONSES, "POST": LECTEURS_DES_REPONSES},
    "diagnostic:export_resultats": {"GET": TOUS, "POST": TOUS},
    "diagnostic:importer": {"GET": COORDINATEUR, "POST": COORDINATEUR},
    "diagnostic:modele_import": {"GET": COORDINATEUR, "POST": COORDINATEUR},
    "diagnostic:qr_code": {"GET": TOUS, "POST": TOUS},
}

FORMATS = {"diagnostic:qr_code": "png"}


def arguments(page, charte):
    """URL arguments (besides charte_slug) for `page`, creating the objects it needs in `charte`."""
    enquete = creer_enquete(charte, QUESTIONNAIRE_MINIMAL, par=None)
    if page == "diagnostic:importer":
        return {"pk": enquete.pk}
    return {"pk": enquete.pk, "format": FORMATS.get(page, "xlsx")}
