"""Who may do what with the COPIL meetings and the reports."""

import rules

from charte.models import Membre
from charte.rules import a_le_role, est_coordinateur, est_membre, voit_toutes_les_chartes

rules.add_perm("rapports.voir", est_membre | voit_toutes_les_chartes)
rules.add_perm("rapports.demander", a_le_role(Membre.Role.COORDINATEUR, Membre.Role.REFERENT))
rules.add_perm("rapports.gerer_copil", est_coordinateur)
# The whole charter in one file (backup, move): its coordinator, and the national staff.
rules.add_perm("rapports.sauvegarder", est_coordinateur | voit_toutes_les_chartes)
