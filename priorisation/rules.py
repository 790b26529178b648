"""Who may do what in the prioritisation (predicates take the user and the charter)."""

import rules

from charte.models import Membre
from charte.rules import a_le_role, est_coordinateur, est_membre, voit_toutes_les_chartes

rules.add_perm("priorisation.voir", est_membre | voit_toutes_les_chartes)
rules.add_perm("priorisation.gerer", est_coordinateur)
# Observers do not vote with their account; anyone (observers too) may join a session as a guest with its code.
rules.add_perm("priorisation.voter", a_le_role(Membre.Role.COORDINATEUR, Membre.Role.REFERENT, Membre.Role.PARTENAIRE))
