"""Expected access to these pages (merged into tests/permissions.py's table).

Territory figures and interviews: everyone who may open the charter reads them. Figures are added by
the coordinator and by partners (for their own organisation); interviews by the coordinator, the
referent and partners.

The pages that address one object answer according to who owns it, so `arguments()` builds that object
on purpose: the figure is provided by the organisation of the charter's partner (so the partner may
correct and delete it, as well as the coordinator), and the interview is written by the referent (so
the referent, its author, may change it, as well as the coordinator; the partner may not).
"""

import datetime

from charte.models import Membre
from diagnostic.models import Domaine, DonneeTerritoriale, Entretien

TOUS = {"coordinateur", "referent", "partenaire", "observateur", "national"}
POST_SEULEMENT = None  # GET answers 405 to whoever may reach the charter

FOURNISSEURS_DE_DONNEES = {"coordinateur", "partenaire"}
CONTRIBUTEURS = {"coordinateur", "referent", "partenaire"}
# The figure of arguments() is provided by the partner's organisation.
PEUVENT_CORRIGER_LA_DONNEE = {"coordinateur", "partenaire"}
# The interview of arguments() is written by the referent.
PEUVENT_CORRIGER_L_ENTRETIEN = {"coordinateur", "referent"}

ATTENDU = {
    "diagnostic:donnees": {"GET": TOUS, "POST": TOUS},
    "diagnostic:nouvelle_donnee": {"GET": FOURNISSEURS_DE_DONNEES, "POST": FOURNISSEURS_DE_DONNEES},
    "diagnostic:modifier_donnee": {"GET": PEUVENT_CORRIGER_LA_DONNEE, "POST": PEUVENT_CORRIGER_LA_DONNEE},
    "diagnostic:supprimer_donnee": {"GET": POST_SEULEMENT, "POST": PEUVENT_CORRIGER_LA_DONNEE},
    "diagnostic:entretiens": {"GET": TOUS, "POST": TOUS},
    "diagnostic:nouvel_entretien": {"GET": CONTRIBUTEURS, "POST": CONTRIBUTEURS},
    "diagnostic:modifier_entretien": {"GET": PEUVENT_CORRIGER_L_ENTRETIEN, "POST": PEUVENT_CORRIGER_L_ENTRETIEN},
    "diagnostic:supprimer_entretien": {"GET": POST_SEULEMENT, "POST": PEUVENT_CORRIGER_L_ENTRETIEN},
}

PAGES_D_UNE_DONNEE = {"diagnostic:modifier_donnee", "diagnostic:supprimer_donnee"}
PAGES_D_UN_ENTRETIEN = {"diagnostic:modifier_entretien", "diagnostic:supprimer_entretien"}


def donnee_du_partenaire(charte):
    """A figure provided by the organisation of the charter's partner member."""
    partenaire = charte.membres.get(role=Membre.Role.PARTENAIRE)
    return DonneeTerritoriale.objects.create(
        charte=charte,
        domaine=Domaine.PETITE_ENFANCE,
        libelle="Places d'accueil du jeune enfant",
        valeur=42,
        unite="places",
        date=datetime.date(2025, 1, 1),
        source="Fichier des EAJE",
        organisation=partenaire.organisation,
        saisie_par=partenaire.utilisateur,
    )


def entretien_du_referent(charte):
    """An interview written by the charter's referent member."""
    return Entretien.objects.create(
        charte=charte,
        date=datetime.date(2025, 2, 1),
        type=Entretien.Type.ACTEUR,
        personnes="directrice du multi-accueil",
        domaines=[Domaine.PETITE_ENFANCE],
        constats="Liste d'attente de six mois.",
        auteur=charte.membres.get(role=Membre.Role.REFERENT).utilisateur,
    )


def arguments(page, charte):
    """URL arguments (besides charte_slug) for `page`, creating the objects it needs in `charte`."""
    if page in PAGES_D_UNE_DONNEE:
        return {"pk": donnee_du_partenaire(charte).pk}
    if page in PAGES_D_UN_ENTRETIEN:
        return {"pk": entretien_du_referent(charte).pk}
    return {}
