"""The audit trail: which models are audited, how a change is captured, and who made it.

- Which: each stage app registers its models with `auditer()` in its AppConfig.ready() (charte
  imports no later app). The fields traced are those a person edits: not the key, not the version
  counter, not non-editable fields (automatic dates, technical markers), not the link to the parent
  that places the object in its charter.
- How: pre_save reads the row as stored, post_save compares it with the instance and writes one
  `Trace`; post_delete keeps what the object held; m2m_changed keeps a list before → after, folded
  into the trace of the same save when it happens in the same transaction (a form's save_m2m).
  The trace is written on the same connection right after the change, inside the caller's
  transaction: a change rolled back leaves no trace. (Every page, service and the admin save
  audited objects in a transaction; in autocommit a trace would follow its change one instant later.)
- Who: a context variable, set for each request by charte.middleware and emptied for each Celery
  task (even one run in-process by the request that queued it). Commands and the shell have none:
  their changes are signed by nobody, shown as « système ».

queryset.update(), bulk_create() and bulk_update() send no signal. The application's updates of
audited values go through `mettre_a_jour()`; its other updates touch no audited value (version
counters, the date a reminder was sent). Generated data is bulk-created and not traced: the demo's
budget lines, financings, partners, milestones and measurements, and all of `generer_national`.
Many-to-many lists changed from their other side (e.g. `priorite.fiches.add()`) are not traced either;
the application never does so.
"""

import datetime
from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal

from celery.signals import task_postrun, task_prerun
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.utils import timezone
from django.utils.text import capfirst

from charte.models import Charte, Trace

Action = Trace.Action

# Optimistic-locking counters move at every save and mean nothing to a reader.
CHAMPS_IGNORES = {"version"}


@dataclass
class Regle:
    """How one audited model is traced."""

    modele: type
    nom: str  # the kind of object, as the audit page names it
    chemin_charte: list  # attributes leading from an object to its charter's id
    champs: list  # concrete fields traced
    relations: list  # many-to-many fields traced
    libelle: Callable  # the object's text kept in the trace
    formats: dict  # field name → function making a stored value readable
    etiquettes: dict  # field name → label, where the model's verbose name reads badly
    lien: str | None  # URL name of the object's page, taking (charte_slug, pk)

    def etiquette(self, champ):
        return capfirst(self.etiquettes.get(champ.name, champ.verbose_name))


REGLES: dict[type, Regle] = {}


def auditer(modele, *, charte="charte_id", nom=None, libelle=str, formats=None, etiquettes=None, lien=None, ignores=()):
    """Trace every creation, change and deletion of `modele` (called from its app's ready()).

    `charte` is the dotted path from an object to its charter's id, e.g. "fiche.charte_id".
    """
    chemin = charte.split(".")
    ignores = CHAMPS_IGNORES | set(ignores) | {chemin[0].removesuffix("_id")}
    meta = modele._meta
    REGLES[modele] = regle = Regle(
        modele=modele,
        nom=str(nom or meta.verbose_name),
        chemin_charte=chemin,
        champs=[c for c in meta.concrete_fields if c.editable and not c.primary_key and c.name not in ignores],
        relations=[c for c in meta.many_to_many if c.name not in ignores],
        libelle=libelle,
        formats=formats or {},
        etiquettes=etiquettes or {},
        lien=lien,
    )
    uid = f"audit:{meta.label}"
    pre_save.connect(_avant_enregistrement, sender=modele, dispatch_uid=uid)
    post_save.connect(_apres_enregistrement, sender=modele, dispatch_uid=uid)
    pre_delete.connect(_avant_suppression, sender=modele, dispatch_uid=uid)
    post_delete.connect(_apres_suppression, sender=modele, dispatch_uid=uid)
    for relation in regle.relations:
        m2m_changed.connect(
            _relation_changee, sender=relation.remote_field.through, dispatch_uid=f"{uid}.{relation.name}"
        )


def regles_par_label():
    """The rules by "app_label.model", the way a ContentType names a model."""
    return {regle.modele._meta.label_lower: regle for regle in REGLES.values()}


def genres():
    """The kinds of audited object as (code "app_label.model", name), by name."""
    return sorted(((label, capfirst(regle.nom)) for label, regle in regles_par_label().items()), key=lambda g: g[1])


# --- who ----------------------------------------------------------------------------------------


@dataclass
class _Contexte:
    auteur: object  # the request's user (maybe lazy, maybe anonymous), or None
    derniere: Trace | None = None  # the trace of the save in progress, which its list changes join


_contexte: ContextVar[_Contexte | None] = ContextVar("contexte_audit", default=None)


@contextmanager
def au_nom_de(utilisateur):
    """Changes made inside the block are signed by `utilisateur` (None or anonymous: the system)."""
    jeton = _contexte.set(_Contexte(utilisateur))
    try:
        yield
    finally:
        _contexte.reset(jeton)


def auteur_courant_id():
    contexte = _contexte.get()
    auteur = contexte.auteur if contexte else None
    return auteur.pk if auteur is not None and auteur.is_authenticated else None


_taches = {}


@task_prerun.connect(dispatch_uid="audit:debut_de_tache")
def _debut_de_tache(task_id=None, **kwargs):
    # A task works for nobody, even when run in-process by the request that queued it.
    _taches[task_id] = _contexte.set(None)


@task_postrun.connect(dispatch_uid="audit:fin_de_tache")
def _fin_de_tache(task_id=None, **kwargs):
    jeton = _taches.pop(task_id, None)
    if jeton is not None:
        _contexte.reset(jeton)


# --- what -----------------------------------------------------------------------------------------


def lisible(regle, champ, valeur, objet=None):
    """A field's value as people read it, fit for JSON: choice labels, related objects' text, ISO dates.

    `valeur` is the raw value (a related object's key for a foreign key); `objet`, when given, is the
    instance it comes from, whose related object is used if it is already loaded.
    """
    if valeur is None or valeur == "" or valeur == [] or valeur == {}:
        return None
    if champ.name in regle.formats:
        return regle.formats[champ.name](valeur)
    if champ.is_relation:
        return _texte_lie(champ, valeur, objet)
    if champ.choices:
        return str(dict(champ.flatchoices).get(valeur, valeur))
    if isinstance(valeur, datetime.datetime):
        return (timezone.localtime(valeur) if timezone.is_aware(valeur) else valeur).isoformat(timespec="minutes")
    if isinstance(valeur, datetime.date):
        return valeur.isoformat()
    if isinstance(valeur, Decimal):
        return str(valeur.quantize(Decimal(1).scaleb(-champ.decimal_places)))
    if isinstance(valeur, bool):
        return "oui" if valeur else "non"
    return valeur


def _texte_lie(champ, pk, objet):
    lie = champ.get_cached_value(objet, None) if objet is not None else None
    if lie is None or lie.pk != pk:
        lie = champ.related_model._base_manager.filter(pk=pk).first()
    return str(lie) if lie is not None else f"n° {pk} (supprimé)"


def _egales(champ, a, b):
    if isinstance(a, str) and isinstance(b, str):
        # A browser sends a textarea's lines ended by CRLF: the same text to its reader.
        return a.replace("\r\n", "\n") == b.replace("\r\n", "\n")
    try:
        return champ.to_python(a) == champ.to_python(b)
    except ValidationError:
        return a == b


def _valeurs(regle, objet):
    """{label: readable value} of each traced field of `objet` that holds a value."""
    valeurs = {}
    for champ in regle.champs:
        valeur = lisible(regle, champ, getattr(objet, champ.attname), objet)
        if valeur is not None:
            valeurs[regle.etiquette(champ)] = valeur
    return valeurs


def _differences(regle, stockees, objet):
    """{label: [before, after]} of each traced field whose stored value (`stockees`, by attname) changed."""
    changements = {}
    for champ in regle.champs:
        if champ.attname not in stockees:
            continue
        avant, apres = stockees[champ.attname], getattr(objet, champ.attname)
        if hasattr(apres, "resolve_expression") or _egales(champ, avant, apres):
            continue
        changements[regle.etiquette(champ)] = [lisible(regle, champ, avant), lisible(regle, champ, apres, objet)]
    return changements


def _liste(objet, relation):
    """The objects linked through a many-to-many field, as sorted texts (None when there are none)."""
    return sorted(str(lie) for lie in getattr(objet, relation.name).all()) or None


def _charte_id(regle, objet):
    valeur = objet
    try:
        for attribut in regle.chemin_charte:
            valeur = getattr(valeur, attribut)
    except ObjectDoesNotExist:
        return None
    return valeur


def _libelle(regle, objet):
    try:
        return str(regle.libelle(objet))[:300]
    except ObjectDoesNotExist:  # its parent went first
        return str(objet)[:300]


def _ecrire(regle, objet, action, changements, using, charte_id):
    contexte = _contexte.get()
    trace = Trace.objects.using(using).create(
        charte_id=charte_id,
        auteur_id=auteur_courant_id(),
        action=action,
        type_objet=ContentType.objects.db_manager(using).get_for_model(regle.modele),
        objet_id=objet.pk,
        objet=_libelle(regle, objet),
        changements=changements,
    )
    if contexte is not None:
        # List changes made next, in the same transaction, complete this trace (see _noter_relation).
        contexte.derniere = trace
        transaction.on_commit(lambda: _clore(contexte, trace), using=using)
    return trace


def _clore(contexte, trace):
    if contexte.derniere is trace:
        contexte.derniere = None


# --- how: signals -------------------------------------------------------------------------------


def _avant_enregistrement(sender, instance, raw, using, update_fields, **kwargs):
    if raw or instance._state.adding:
        return
    champs = [
        c.attname
        for c in REGLES[sender].champs
        if update_fields is None or c.name in update_fields or c.attname in update_fields
    ]
    stockees = sender._base_manager.using(using).filter(pk=instance.pk).values(*champs).first() if champs else {}
    instance.__dict__["_audit_stockees"] = stockees


def _apres_enregistrement(sender, instance, created, raw, using, **kwargs):
    stockees = instance.__dict__.pop("_audit_stockees", None)
    if raw:
        return
    regle = REGLES[sender]
    if created:
        changements = {etiquette: [None, valeur] for etiquette, valeur in _valeurs(regle, instance).items()}
        _ecrire(regle, instance, Action.CREATION, changements, using, _charte_id(regle, instance))
    elif stockees and (changements := _differences(regle, stockees, instance)):
        _ecrire(regle, instance, Action.MODIFICATION, changements, using, _charte_id(regle, instance))


def _avant_suppression(sender, instance, **kwargs):
    # Many-to-many links are deleted before post_delete: read them now.
    regle = REGLES[sender]
    instance.__dict__["_audit_listes_supprimees"] = {regle.etiquette(r): _liste(instance, r) for r in regle.relations}


def _apres_suppression(sender, instance, using, origin=None, **kwargs):
    regle = REGLES[sender]
    valeurs = _valeurs(regle, instance)
    valeurs |= {
        etiquette: liste for etiquette, liste in instance.__dict__.pop("_audit_listes_supprimees", {}).items() if liste
    }
    # Deleting a whole charter deletes its objects: their traces can belong to no charter.
    charte_en_suppression = isinstance(origin, Charte) or (isinstance(origin, QuerySet) and origin.model is Charte)
    charte_id = None if charte_en_suppression else _charte_id(regle, instance)
    changements = {etiquette: [valeur, None] for etiquette, valeur in valeurs.items()}
    _ecrire(regle, instance, Action.SUPPRESSION, changements, using, charte_id)


def _relation_changee(sender, instance, action, reverse, using, **kwargs):
    regle = REGLES.get(type(instance))
    if reverse or regle is None:
        return  # changed from the other side, which the application never does
    relation = next(r for r in regle.relations if r.remote_field.through is sender)
    listes = instance.__dict__.setdefault("_audit_listes", {})
    if action.startswith("pre_"):
        listes[relation.name] = _liste(instance, relation)
    elif action.startswith("post_"):
        avant, apres = listes.pop(relation.name, None), _liste(instance, relation)
        if avant != apres:
            _noter_relation(regle, instance, regle.etiquette(relation), avant, apres, using)


def _noter_relation(regle, objet, etiquette, avant, apres, using):
    """A list changed: complete the trace of the same save if there is one in this transaction, else write one."""
    contexte = _contexte.get()
    trace = contexte.derniere if contexte else None
    if trace is not None and trace.objet_id == objet.pk and trace.type_objet.model_class() is regle.modele:
        debut = trace.changements.get(etiquette, [avant])[0]
        changements = trace.changements | {etiquette: [debut, apres]}
        if Trace.objects.using(using).filter(pk=trace.pk).update(changements=changements):
            trace.changements = changements
            return
    _ecrire(regle, objet, Action.MODIFICATION, {etiquette: [avant, apres]}, using, _charte_id(regle, objet))


def mettre_a_jour(queryset, **valeurs):
    """`queryset.update(**valeurs)`, with a trace for each row whose audited values changed.

    update() sends no signal: the application updates audited values through this function.
    """
    regle = REGLES.get(queryset.model)
    champs = [c for c in regle.champs if c.name in valeurs or c.attname in valeurs] if regle else []
    if not champs:
        return queryset.update(**valeurs)
    with transaction.atomic(using=queryset.db, savepoint=False):
        avant = {ligne.pop("pk"): ligne for ligne in queryset.values("pk", *[c.attname for c in champs])}
        nombre = queryset.update(**valeurs)
        for objet in queryset.model._base_manager.using(queryset.db).filter(pk__in=avant):
            if changements := _differences(regle, avant[objet.pk], objet):
                _ecrire(regle, objet, Action.MODIFICATION, changements, queryset.db, _charte_id(regle, objet))
    return nombre
