"""Summaries of a charter kept in the cache, dropped as soon as someone changes something in the charter.

A dashboard reads the same sums and states on every visit while the plan changes a few times a day: computing
them once per change instead of once per visit is what lets the national scale hold (issue #8). Every change
a person makes goes through a POST under /chartes/<slug>/, after which CharteMiddleware gives the charter a new
version (`marquer_modifiee`): the next visit computes afresh. Changes made outside the pages (Django admin,
commands) show after DUREE at most.
"""

import hashlib
import operator
import secrets
from functools import partial

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.functional import LazyObject, SimpleLazyObject, empty

DUREE = 60  # seconds: the longest a change made outside the pages can stay unseen


CLE_NATIONALE = "chartes:version"  # the version of all charters together: lists that show many of them


def cle_de_version(charte_pk):
    return f"charte:{charte_pk}:version"


def marquer_modifiee(charte_pk):
    nouvelle = secrets.token_hex(8)
    cache.set_many({cle_de_version(charte_pk): nouvelle, CLE_NATIONALE: nouvelle}, None)


def lire_version(cle):
    lue = cache.get(cle)
    if lue is None:
        cache.add(cle, secrets.token_hex(8), None)  # the first reader names the version; add never overwrites
        lue = cache.get(cle) or "?"
    return lue


def version(charte):
    """The charter's data version, read once per request (kept on the charter object); None: all charters."""
    if charte is None:
        return lire_version(CLE_NATIONALE)
    if not hasattr(charte, "_version_des_donnees"):
        charte._version_des_donnees = lire_version(cle_de_version(charte.pk))
    return charte._version_des_donnees


def resume(charte, nom, calculer, *parametres):
    """`calculer()` as of the charter's current version (and `parametres`, e.g. today's date), from the cache.

    charte=None: as of the version of all charters, which changes whenever any of them does.
    """
    # Parameters may come from the address (filters): hashed, they make a key of fixed length.
    empreinte = hashlib.sha256(repr(parametres).encode()).hexdigest()[:32]
    portee = "chartes" if charte is None else f"charte:{charte.pk}"
    return cache.get_or_set(f"{portee}:{nom}:{version(charte)}:{empreinte}", calculer, DUREE)


def formulaire_de_filtres(charte, nom, filtre, objet, requete):
    """A list's filter form, rendered once per charter version and query string: the same for every reader.

    Its lists (organisations, communes, priorities) are a third of a plan page's time, rendered option by option.
    """
    contexte = {"filtre": filtre, "objet": objet}
    return resume(charte, f"filtres:{nom}", lambda: render_to_string("components/filtres.html", contexte), requete)


class Paresseux(SimpleLazyObject):
    """A context value computed only if the page's shared block is rendered (`{% bloc_partage %}`), not when the
    block comes from the cache. The block renders with the computed value itself (`deballer`): filters such as
    |pluriel call int(), which a lazy proxy does not forward."""


def deballer(objet):
    """The object behind lazy wrappers (Django's SimpleLazyObject and its kin), computed if need be."""
    while isinstance(objet, LazyObject):
        if objet._wrapped is empty:
            objet._setup()
        objet = objet._wrapped
    return objet


def contexte_paresseux(calculer, *cles):
    """Context values computed together by `calculer()` (a dict), only once a template reads one of them."""
    tout = Paresseux(calculer)
    return {cle: Paresseux(partial(operator.getitem, tout, cle)) for cle in cles}
