"""Who may do what in the evaluation.

Measurements are entered only by the members of the organisation responsible for the indicator
(the coordinator, for an indicator with no responsible organisation); everyone else reads.
"""

import rules

from charte.models import Membre
from charte.rules import est_coordinateur, est_membre, membre_de, voit_toutes_les_chartes

SAISIE = (Membre.Role.COORDINATEUR, Membre.Role.REFERENT, Membre.Role.PARTENAIRE)


@rules.predicate
def renseigne(user, indicateur):
    membre = membre_de(user, indicateur.charte)
    if membre is None or membre.role not in SAISIE or indicateur.calcul:
        return False
    if indicateur.responsable_id is None:
        return membre.role == Membre.Role.COORDINATEUR
    return membre.organisation_id == indicateur.responsable_id


@rules.predicate
def definit(user, indicateur):
    """An action's indicators are written with the fiche (its pilot, the coordinator); the charter's by the coordinator."""
    if indicateur.fiche_id is not None:
        return user.has_perm("plan_actions.modifier_fiche", indicateur.fiche)
    membre = membre_de(user, indicateur.charte)
    return membre is not None and membre.role == Membre.Role.COORDINATEUR


rules.add_perm("evaluation.voir", est_membre | voit_toutes_les_chartes)
rules.add_perm("evaluation.gerer", est_coordinateur)
rules.add_perm("evaluation.mesurer", renseigne)
rules.add_perm("evaluation.definir", definit)
