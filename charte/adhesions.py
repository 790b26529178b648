"""The reader's account and memberships, read once, then kept in the cache between requests (issue #8).

Every page of a charter starts by reading the reader's account (the session's user) and membership with the
charter and its territory: two queries whose preparation by the ORM cost two fifths of a cached dashboard's
time. Both are kept DUREE seconds and dropped as soon as they change (signals below, after the commit): an account
saved (password, deactivation, last login), a member added, removed or given another role, the charter itself
edited. Only what was found is kept: a refusal is always read afresh.
"""

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from charte.fraicheur import DUREE, marquer_modifiee


def cle(utilisateur_pk, slug):
    return f"adhesion:{utilisateur_pk}:{slug}"


def cle_de_compte(utilisateur_pk):
    return f"compte:{utilisateur_pk}"


def garder(cle_, lire_en_base):
    """What `cle_` holds in the cache, else `lire_en_base()`, kept there if something was found."""
    trouve = cache.get(cle_)
    if trouve is None:
        trouve = lire_en_base()
        if trouve is not None:
            cache.set(cle_, trouve, DUREE)
    return trouve


def compte(utilisateur_pk, lire_en_base):
    """The account `utilisateur_pk`, from the cache or `lire_en_base()` (None if there is none)."""
    return garder(cle_de_compte(utilisateur_pk), lire_en_base)


def lire(user, slug):
    """The user's membership of the charter `slug` (with the charter and its territory), or None."""
    from charte.models import Membre

    return garder(
        cle(user.pk, slug),
        lambda: (
            Membre.objects.select_related("charte__territoire", "organisation")
            .filter(charte__slug=slug, utilisateur=user)
            .first()
        ),
    )


def oublier(cles):
    # At once, for the rest of this transaction (a password change reads the account again before the commit),
    # and after the commit, for a copy another request may have cached meanwhile from the old row.
    cache.delete_many(cles)
    transaction.on_commit(lambda: cache.delete_many(cles))


def compte_change(sender, instance, **kwargs):
    oublier([cle_de_compte(instance.pk)])


def membre_change(sender, instance, **kwargs):
    oublier([cle(instance.utilisateur_id, instance.charte.slug)])


def charte_changee(sender, instance, **kwargs):
    oublier([cle(pk, instance.slug) for pk in instance.membres.values_list("utilisateur_id", flat=True)])
    transaction.on_commit(lambda: marquer_modifiee(instance.pk))  # its name and dates head every page


def brancher():
    from django.contrib.auth import get_user_model

    from charte.models import Charte, Membre

    post_save.connect(compte_change, sender=get_user_model(), dispatch_uid="adhesions:compte")
    post_delete.connect(compte_change, sender=get_user_model(), dispatch_uid="adhesions:compte:suppression")
    post_save.connect(membre_change, sender=Membre, dispatch_uid="adhesions:membre")
    post_delete.connect(membre_change, sender=Membre, dispatch_uid="adhesions:membre:suppression")
    post_save.connect(charte_changee, sender=Charte, dispatch_uid="adhesions:charte")
