"""Who may do what in a charter: the one place for these rules (views, templates and tests use it).

Predicates take (user, charte). The membership is looked up once per request by the
middleware and kept on the user object, so checking several rules costs no extra query.
"""

import rules

from charte.fraicheur import deballer
from charte.models import Membre


def membre_de(user, charte):
    """The user's membership of the charter, or None."""
    if not user.is_authenticated or charte is None:
        return None
    cache = _adhesions(user)
    if charte.pk not in cache:
        cache[charte.pk] = Membre.objects.filter(charte=charte, utilisateur=user).select_related("organisation").first()
    return cache[charte.pk]


def retenir_adhesion(user, charte, membre):
    """Remember a membership already read (the middleware reads it with the charter, in one query)."""
    _adhesions(user)[charte.pk] = membre


def compte_reel(user):
    """The real user object behind the request's lazy wrappers (django-otp wraps Django's own).

    Every attribute read through the two wrappers costs two proxy calls: a charter page reads hundreds.
    """
    return deballer(user)


def _adhesions(user):
    # On the real user object: the cache must outlive the wrappers.
    return compte_reel(user).__dict__.setdefault("_adhesions", {})


def a_le_role(*roles):
    @rules.predicate(name=f"a_le_role({', '.join(roles)})")
    def predicat(user, charte):
        membre = membre_de(user, charte)
        return membre is not None and membre.role in roles

    return predicat


@rules.predicate
def est_membre(user, charte):
    return membre_de(user, charte) is not None


@rules.predicate
def voit_toutes_les_chartes(user):
    return user.is_authenticated and user.voit_toutes_les_chartes


@rules.predicate
def est_agent_msa(user):
    return user.is_authenticated and (user.est_agent_msa or user.is_superuser)


est_coordinateur = a_le_role(Membre.Role.COORDINATEUR)
est_referent = a_le_role(Membre.Role.REFERENT)

rules.add_perm("charte.creer", est_agent_msa)
rules.add_perm("charte.voir", est_membre | voit_toutes_les_chartes)
rules.add_perm("charte.gerer", est_coordinateur)
rules.add_perm("charte.cosigner_jalon", est_referent)
rules.add_perm("charte.voir_journal", est_coordinateur | est_referent | voit_toutes_les_chartes)
# The field-by-field audit trail: the coordinator and national staff (Django's admin shows it to admins).
rules.add_perm("charte.voir_audit", est_coordinateur | voit_toutes_les_chartes)
