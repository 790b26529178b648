"""Memberships read once, then kept in the cache between requests (issue #8).

Every page of a charter starts by reading the reader's membership with the charter and its territory: a query
whose preparation by the ORM cost a quarter of a cached dashboard's time. The membership is kept DUREE seconds
and dropped as soon as it changes: a member added, removed or given another role, or the charter itself edited
(signals below, after the commit). Only found memberships are kept: a refusal is always read afresh.
"""

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from charte.fraicheur import DUREE, marquer_modifiee


def cle(utilisateur_pk, slug):
    return f"adhesion:{utilisateur_pk}:{slug}"


def lire(user, slug):
    """The user's membership of the charter `slug` (with the charter and its territory), or None."""
    from charte.models import Membre

    membre = cache.get(cle(user.pk, slug))
    if membre is None:
        membre = (
            Membre.objects.select_related("charte__territoire", "organisation")
            .filter(charte__slug=slug, utilisateur=user)
            .first()
        )
        if membre is not None:
            cache.set(cle(user.pk, slug), membre, DUREE)
    return membre


def oublier(cles):
    transaction.on_commit(lambda: cache.delete_many(cles))


def membre_change(sender, instance, **kwargs):
    oublier([cle(instance.utilisateur_id, instance.charte.slug)])


def charte_changee(sender, instance, **kwargs):
    oublier([cle(pk, instance.slug) for pk in instance.membres.values_list("utilisateur_id", flat=True)])
    transaction.on_commit(lambda: marquer_modifiee(instance.pk))  # its name and dates head every page


def brancher():
    from charte.models import Charte, Membre

    post_save.connect(membre_change, sender=Membre, dispatch_uid="adhesions:membre")
    post_delete.connect(membre_change, sender=Membre, dispatch_uid="adhesions:membre:suppression")
    post_save.connect(charte_changee, sender=Charte, dispatch_uid="adhesions:charte")
