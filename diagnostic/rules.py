"""Who may do what in the diagnostic (predicates take the user and the charter)."""

import rules

from charte.models import Membre
from charte.rules import a_le_role, est_coordinateur, est_membre, voit_toutes_les_chartes

est_coordinateur_ou_referent = a_le_role(Membre.Role.COORDINATEUR, Membre.Role.REFERENT)

rules.add_perm("diagnostic.voir", est_membre | voit_toutes_les_chartes)
rules.add_perm("diagnostic.gerer", est_coordinateur)
# Paper questionnaires are typed in by the MSA agents, the codecom and the partners.
rules.add_perm("diagnostic.saisir", a_le_role(Membre.Role.COORDINATEUR, Membre.Role.REFERENT, Membre.Role.PARTENAIRE))
# RGPD: families' free text, and results not yet published, stay with coordinators and referents.
rules.add_perm("diagnostic.voir_tout", est_coordinateur_ou_referent)
