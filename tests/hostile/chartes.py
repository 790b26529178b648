"""Which charter each row belongs to, read from the models themselves (foreign keys up to the Charte).

Used to pick ids of another charter's objects and to check that no row of one charter ever points
at a row of another.
"""

import functools
from collections import deque

from django.apps import apps
from django.contrib.auth import get_user_model

from charte.models import Charte, Membre
from territoires.models import Commune

APPLICATIONS = ["territoires", "charte", "diagnostic", "priorisation", "plan_actions", "evaluation", "rapports"]


def relations(modele):
    """Forward relations (foreign keys, one-to-one, many-to-many) declared on the model."""
    return [
        champ
        for champ in modele._meta.get_fields()
        if (champ.many_to_one or champ.one_to_one or champ.many_to_many) and not champ.auto_created
    ]


@functools.cache
def chemin_vers_la_charte(modele):
    """The lookup from `modele` to its Charte ("section__enquete__charte"), or None for shared data."""
    if modele is Charte:
        return "pk"
    file = deque([(modele, "")])
    while file:
        courant, chemin = file.popleft()
        for champ in relations(courant):
            if champ.many_to_many:
                continue
            suite = f"{chemin}{champ.name}"
            if champ.related_model is Charte:
                return suite
            if chemin.count("__") < 3:
                file.append((champ.related_model, f"{suite}__"))
    return None


def modeles_de_charte():
    return [
        modele
        for modele in apps.get_models()
        if modele._meta.app_label in APPLICATIONS and chemin_vers_la_charte(modele) is not None
    ]


def objets_de(modele, charte):
    """The rows of `modele` that belong to `charte` (its communes and its members' accounts included)."""
    if modele is Commune:
        return charte.communes.all()
    if modele is get_user_model():
        return modele.objects.filter(pk__in=Membre.objects.filter(charte=charte).values("utilisateur"))
    chemin = chemin_vers_la_charte(modele)
    return modele.objects.filter(**{chemin: charte.pk}) if chemin else modele.objects.none()


def modeles_possibles(valeurs, charte, combien=2):
    """Models whose rows of `charte` include every one of `valeurs` (ids offered in a form), the closest first:
    the model whose rows are exactly the ids offered is the likeliest."""
    ids = {int(v) for v in valeurs if v.isdigit()}
    if not ids or len(ids) < len([v for v in valeurs if v]):
        return []
    ensembles = {m: set(objets_de(m, charte).values_list("pk", flat=True)) for m in modeles_de_charte()}
    ensembles |= {m: set(objets_de(m, charte).values_list("pk", flat=True)) for m in (Commune, get_user_model())}
    contenants = [m for m, pks in ensembles.items() if ids <= pks]
    return sorted(contenants, key=lambda m: len(ensembles[m] - ids))[:combien]


def liens_entre_chartes():
    """Rows whose chosen relation points at another charter's row: (model, field, pk), none expected."""
    communes = set(Charte.communes.through.objects.values_list("charte_id", "commune_id"))
    fautes = []
    for modele in modeles_de_charte():
        chemin = chemin_vers_la_charte(modele)
        for champ in relations(modele):
            cible = champ.related_model
            if cible is Commune:
                paires = modele.objects.filter(**{f"{champ.name}__isnull": False}).values_list("pk", chemin, champ.name)
                fautes += [(modele.__name__, champ.name, pk) for pk, c, x in paires if (c, x) not in communes]
            elif cible is not Charte and chemin_vers_la_charte(cible):
                autre = f"{champ.name}__{chemin_vers_la_charte(cible)}"
                paires = modele.objects.filter(**{f"{champ.name}__isnull": False}).values_list("pk", chemin, autre)
                fautes += [(modele.__name__, champ.name, pk) for pk, a, b in paires if a != b]
    return fautes
