"""Who may do what in the action plan.

Charter-wide rules take (user, charte); rules about one fiche take (user, fiche): a partner edits
the fiches its own organisation pilots, not the others'.
"""

import rules

from charte.models import Membre
from charte.rules import a_le_role, est_coordinateur, est_membre, membre_de, voit_toutes_les_chartes

CONTRIBUTEURS = (Membre.Role.COORDINATEUR, Membre.Role.REFERENT, Membre.Role.PARTENAIRE)


@rules.predicate
def coordonne_la_charte_de(user, fiche):
    membre = membre_de(user, fiche.charte)
    return membre is not None and membre.role == Membre.Role.COORDINATEUR


@rules.predicate
def pilote(user, fiche):
    """The person belongs to the fiche's pilot organisation (and is not a mere observer)."""
    membre = membre_de(user, fiche.charte)
    return (
        membre is not None
        and membre.role in (Membre.Role.REFERENT, Membre.Role.PARTENAIRE)
        and membre.organisation_id == fiche.pilote_id
    )


@rules.predicate
def valide_les_fiches_de(user, fiche):
    membre = membre_de(user, fiche.charte)
    return membre is not None and membre.role in (Membre.Role.COORDINATEUR, Membre.Role.REFERENT)


@rules.predicate
def contribue_a(user, fiche):
    membre = membre_de(user, fiche.charte)
    return membre is not None and membre.role in CONTRIBUTEURS


@rules.predicate
def finance_au_nom_d_une_organisation(user, charte):
    """A contributing member who speaks for an organisation: they keep its financings up to date."""
    membre = membre_de(user, charte)
    return membre is not None and membre.role in CONTRIBUTEURS and membre.organisation_id is not None


rules.add_perm("plan_actions.voir", est_membre | voit_toutes_les_chartes)
rules.add_perm("plan_actions.financer", finance_au_nom_d_une_organisation)
rules.add_perm("plan_actions.proposer", a_le_role(*CONTRIBUTEURS))
rules.add_perm("plan_actions.gerer", est_coordinateur)
rules.add_perm("plan_actions.valider", a_le_role(Membre.Role.COORDINATEUR, Membre.Role.REFERENT))
# On one fiche:
rules.add_perm("plan_actions.modifier_fiche", coordonne_la_charte_de | pilote)
rules.add_perm("plan_actions.suivre_fiche", coordonne_la_charte_de | pilote)
rules.add_perm("plan_actions.valider_fiche", valide_les_fiches_de)
rules.add_perm("plan_actions.commenter_fiche", contribue_a)
