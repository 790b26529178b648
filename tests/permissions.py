"""Who may open each page of a charter: the expectations table, in one readable place.

Every URL pattern under /chartes/<charte_slug>/ must appear here (a test checks it), so a new
page cannot be added without saying who may use it. For each page and HTTP method, the set of
roles that may use it; any other member gets 403, a non-member 404, an anonymous visitor the
login page. "national" is the MSA national staff (reads every charter, changes nothing).
"""

TOUS = {"coordinateur", "referent", "partenaire", "observateur", "national"}
COORDINATEUR = {"coordinateur"}
SAISIE = {"coordinateur", "referent", "partenaire"}
POST_SEULEMENT = None  # GET answers 405 to whoever may reach the charter

ATTENDU = {
    # page: {"GET": roles allowed, "POST": roles allowed}
    "rapports:tableau_de_bord": {"GET": TOUS, "POST": TOUS},
    "charte:territoire": {"GET": TOUS, "POST": TOUS},
    "charte:membres": {"GET": TOUS, "POST": TOUS},
    "charte:journal": {
        "GET": {"coordinateur", "referent", "national"},
        "POST": {"coordinateur", "referent", "national"},
    },
    # The field-by-field audit trail: the coordinator and national staff only (not the référent).
    "charte:audit": {"GET": {"coordinateur", "national"}, "POST": {"coordinateur", "national"}},
    "charte:calendrier": {"GET": COORDINATEUR, "POST": COORDINATEUR},
    "charte:jalon": {"GET": COORDINATEUR, "POST": COORDINATEUR},
    "charte:annuler_jalon": {"GET": POST_SEULEMENT, "POST": COORDINATEUR},
    "charte:cosigner_jalon": {"GET": POST_SEULEMENT, "POST": {"referent"}},
    "charte:inviter": {"GET": COORDINATEUR, "POST": COORDINATEUR},
    "charte:modifier_membre": {"GET": COORDINATEUR, "POST": COORDINATEUR},
    "charte:retirer_membre": {"GET": POST_SEULEMENT, "POST": COORDINATEUR},
    "charte:annuler_invitation": {"GET": POST_SEULEMENT, "POST": COORDINATEUR},
    # Diagnostic: everyone reads; the coordinator builds; partners and the codecom type in paper forms.
    "diagnostic:enquetes": {"GET": TOUS, "POST": TOUS},
    "diagnostic:enquete": {"GET": TOUS, "POST": TOUS},
    "diagnostic:resultats": {"GET": TOUS, "POST": TOUS},
    "diagnostic:nouvelle_enquete": {"GET": COORDINATEUR, "POST": COORDINATEUR},
    "diagnostic:parametres": {"GET": COORDINATEUR, "POST": COORDINATEUR},
    "diagnostic:statut": {"GET": POST_SEULEMENT, "POST": COORDINATEUR},
    "diagnostic:nouvelle_section": {"GET": COORDINATEUR, "POST": COORDINATEUR},
    "diagnostic:nouvelle_question": {"GET": COORDINATEUR, "POST": COORDINATEUR},
    "diagnostic:modifier_question": {"GET": COORDINATEUR, "POST": COORDINATEUR},
    "diagnostic:supprimer_question": {"GET": POST_SEULEMENT, "POST": COORDINATEUR},
    "diagnostic:deplacer_question": {"GET": POST_SEULEMENT, "POST": COORDINATEUR},
    "diagnostic:publier_resultat": {"GET": POST_SEULEMENT, "POST": COORDINATEUR},
    "diagnostic:saisie": {"GET": SAISIE, "POST": SAISIE},
    "diagnostic:croisement": {"GET": TOUS, "POST": TOUS},
    "diagnostic:besoins": {"GET": TOUS, "POST": TOUS},
    "diagnostic:nouveau_besoin": {"GET": COORDINATEUR, "POST": COORDINATEUR},
    "diagnostic:modifier_besoin": {"GET": COORDINATEUR, "POST": COORDINATEUR},
    "diagnostic:supprimer_besoin": {"GET": POST_SEULEMENT, "POST": COORDINATEUR},
    "diagnostic:soumettre_diagnostic": {"GET": POST_SEULEMENT, "POST": COORDINATEUR},
}


# Pages of other modules declare their expectations in their own files (merged here, one table).
from tests.permissions_evaluation import ATTENDU as ATTENDU_EVALUATION  # noqa: E402
from tests.permissions_fichiers import ATTENDU as ATTENDU_FICHIERS  # noqa: E402
from tests.permissions_plan import ATTENDU as ATTENDU_PLAN  # noqa: E402
from tests.permissions_priorisation import ATTENDU as ATTENDU_PRIORISATION  # noqa: E402
from tests.permissions_rapports import ATTENDU as ATTENDU_RAPPORTS  # noqa: E402
from tests.permissions_territoire import ATTENDU as ATTENDU_TERRITOIRE  # noqa: E402

ATTENDU |= (
    ATTENDU_FICHIERS | ATTENDU_TERRITOIRE | ATTENDU_PRIORISATION | ATTENDU_PLAN | ATTENDU_RAPPORTS | ATTENDU_EVALUATION
)
