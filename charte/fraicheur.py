"""Summaries of a charter kept in the cache, dropped as soon as someone changes something in the charter.

A dashboard reads the same sums and states on every visit while the plan changes a few times a day: computing
them once per change instead of once per visit is what lets the national scale hold (issue #8). Every change
a person makes goes through a POST under /chartes/<slug>/, after which CharteMiddleware gives the charter a new
version (`marquer_modifiee`): the next visit computes afresh. Changes made outside the pages (Django admin,
commands) show after DUREE at most.
"""

import hashlib
import secrets

from django.core.cache import cache
from django.template.loader import render_to_string

DUREE = 60  # seconds: the longest a change made outside the pages can stay unseen


def cle_de_version(charte_pk):
    return f"charte:{charte_pk}:version"


def marquer_modifiee(charte_pk):
    cache.set(cle_de_version(charte_pk), secrets.token_hex(8), None)


def version(charte):
    """The charter's data version, read once per request (kept on the charter object)."""
    if not hasattr(charte, "_version_des_donnees"):
        cle = cle_de_version(charte.pk)
        cache.add(cle, secrets.token_hex(8), None)  # the first reader names the version; add never overwrites
        charte._version_des_donnees = cache.get(cle) or "?"
    return charte._version_des_donnees


def resume(charte, nom, calculer, *parametres):
    """`calculer()` as of the charter's current version (and `parametres`, e.g. today's date), from the cache."""
    # Parameters may come from the address (filters): hashed, they make a key of fixed length.
    empreinte = hashlib.sha256(repr(parametres).encode()).hexdigest()[:32]
    return cache.get_or_set(f"charte:{charte.pk}:{nom}:{version(charte)}:{empreinte}", calculer, DUREE)


def formulaire_de_filtres(charte, nom, filtre, objet, requete):
    """A list's filter form, rendered once per charter version and query string: the same for every reader.

    Its lists (organisations, communes, priorities) are a third of a plan page's time, rendered option by option.
    """
    contexte = {"filtre": filtre, "objet": objet}
    return resume(charte, f"filtres:{nom}", lambda: render_to_string("components/filtres.html", contexte), requete)
