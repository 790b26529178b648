"""Who may do what in the diagnostic (predicates take the user and the charter)."""

import rules

from charte.models import Membre
from charte.rules import a_le_role, est_coordinateur, est_membre, membre_de, voit_toutes_les_chartes

est_coordinateur_ou_referent = a_le_role(Membre.Role.COORDINATEUR, Membre.Role.REFERENT)

rules.add_perm("diagnostic.voir", est_membre | voit_toutes_les_chartes)
rules.add_perm("diagnostic.gerer", est_coordinateur)
# Paper questionnaires are typed in by the MSA agents, the codecom and the partners.
rules.add_perm("diagnostic.saisir", a_le_role(Membre.Role.COORDINATEUR, Membre.Role.REFERENT, Membre.Role.PARTENAIRE))
# RGPD: families' free text, and results not yet published, stay with coordinators and referents.
rules.add_perm("diagnostic.voir_tout", est_coordinateur_ou_referent)


def _membre(user, objet):
    return membre_de(user, objet.charte) if objet is not None else None


@rules.predicate
def fournit_la_donnee(user, donnee):
    """A partner answers for the figures of their own organisation."""
    membre = _membre(user, donnee)
    return (
        membre is not None and membre.organisation_id is not None and membre.organisation_id == donnee.organisation_id
    )


@rules.predicate
def coordonne_la_charte_de(user, objet):
    membre = _membre(user, objet)
    return membre is not None and membre.role == Membre.Role.COORDINATEUR


@rules.predicate
def a_ecrit_l_entretien(user, entretien):
    return entretien is not None and entretien.auteur_id == user.pk


contributeur = a_le_role(Membre.Role.COORDINATEUR, Membre.Role.REFERENT, Membre.Role.PARTENAIRE)
partenaire_avec_organisation = rules.predicate(
    lambda user, charte: (
        (m := membre_de(user, charte)) is not None
        and m.role == Membre.Role.PARTENAIRE
        and m.organisation_id is not None
    ),
    name="partenaire_avec_organisation",
)

# Territory data: the coordinator enters any figure; a partner enters and corrects its own organisation's.
rules.add_perm("diagnostic.ajouter_donnee", est_coordinateur | partenaire_avec_organisation)
rules.add_perm("diagnostic.modifier_donnee", coordonne_la_charte_de | fournit_la_donnee)
# Interviews: written by the coordinator, the referent and partners; edited by their author or the coordinator.
rules.add_perm("diagnostic.ajouter_entretien", contributeur)
rules.add_perm("diagnostic.modifier_entretien", coordonne_la_charte_de | a_ecrit_l_entretien)
# Needs: the coordinator writes the synthesis.
rules.add_perm("diagnostic.gerer_besoins", est_coordinateur)
