"""Counts of the answers kept in a small table, so that large surveys' results need not group every answer.

The counts cover the answers up to Enquete.comptee_jusqu_a; the answers that came since are grouped
when the results are read, and folded into the counts once they are many. Submitting an answer
touches nothing here: the public form stays as fast as it can be.
"""

import datetime
from collections import Counter
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, Max
from django.utils import timezone

from diagnostic.models import Comptage, Enquete, Question, Valeur

# A household gives several rows to these questions (one per ticked option or grid line).
TYPES_A_PLUSIEURS_LIGNES = {Question.Type.CHOIX_MULTIPLE, Question.Type.GRILLE}

CENTIEME = Decimal("0.01")
A_REPLIER = 2000  # answers read since the last fold beyond which they are folded into the counts
# Only answers older than this are folded: one still being saved (a lower id, committed later) is never
# skipped.
MARGE = datetime.timedelta(minutes=1)


def cle(option_id, nombre):
    """The key of an answer: its option and its number (2 decimals, as stored)."""
    texte_nombre = "" if nombre is None else format(Decimal(nombre).quantize(CENTIEME), "f")
    return f"{option_id or ''}|{texte_nombre}"


def lire_cle(texte):
    option, nombre = texte.split("|")
    return (int(option) if option else None), (Decimal(nombre) if nombre else None)


def groupes_et_repondants(valeurs, questions):
    """(question, option, nombre, count) rows of these answers, and the respondents per question."""
    types = {q.pk: q.type for q in questions}
    # One grouped query serves every kind: (question, option, nombre) → count.
    groupes = list(valeurs.values_list("question", "option", "nombre").annotate(n=Count("*")))
    repondants = {}
    for q, _o, _v, n in groupes:
        if types[q] not in TYPES_A_PLUSIEURS_LIGNES:  # one row per respondent: the counts add up
            repondants[q] = repondants.get(q, 0) + n
    # Only where a household has several rows does counting respondents need a DISTINCT.
    plusieurs = [q for q in questions if q.type in TYPES_A_PLUSIEURS_LIGNES]
    if plusieurs:
        repondants |= dict(
            valeurs.filter(question__in=plusieurs)
            .values_list("question")
            .annotate(n=Count("reponse", distinct=True))
            .values_list("question", "n")
        )
    return groupes, repondants


def _comptes(valeurs, questions):
    """Counter of (question, key) over these answers, respondents under the key "*"."""
    groupes, repondants = groupes_et_repondants(valeurs, questions)
    comptes = Counter()
    for question, option, nombre, n in groupes:
        comptes[(question, cle(option, nombre))] += n
    for question, n in repondants.items():
        comptes[(question, Comptage.REPONDANTS)] += n
    return comptes


def limite_repliable(enquete):
    """The last answer that may be folded (see MARGE)."""
    anciennes = enquete.reponses.filter(soumise_le__lt=timezone.now() - MARGE)
    return anciennes.aggregate(dernier=Max("pk"))["dernier"] or 0


def _ajouter(comptes):
    """Add counts in one statement (ON CONFLICT is atomic); rows always in the same order."""
    if not comptes:
        return
    table = Comptage._meta.db_table
    lignes = ", ".join(["(%s, %s, %s)"] * len(comptes))
    parametres = [x for (question, c), n in sorted(comptes.items()) for x in (question, c, n)]
    with connection.cursor() as curseur:
        curseur.execute(
            f"INSERT INTO {table} (question_id, cle, effectif) VALUES {lignes} "
            f"ON CONFLICT (question_id, cle) DO UPDATE SET effectif = {table}.effectif + excluded.effectif",
            parametres,
        )


@transaction.atomic
def recompter(enquete):
    """Rebuild the counts of a survey from its answers (after a purge, or to check them)."""
    enquete = Enquete.objects.select_for_update().get(pk=enquete.pk)
    if enquete.anonymisee_le:  # the answers are gone: the counts are all that is left of them
        raise ValidationError(
            "Les réponses de ce questionnaire ont été anonymisées : ses comptes ne peuvent plus être recalculés."
        )
    questions = list(enquete.questions.all())
    Comptage.objects.filter(question__in=questions).delete()
    limite = limite_repliable(enquete)
    _ajouter(_comptes(Valeur.objects.filter(question__in=questions, reponse_id__lte=limite), questions))
    Enquete.objects.filter(pk=enquete.pk).update(comptee_jusqu_a=limite)


@transaction.atomic
def replier(enquete):
    """Fold the answers that came since the last fold into the counts."""
    enquete = Enquete.objects.select_for_update().get(pk=enquete.pk)  # one fold at a time
    questions = list(enquete.questions.all())
    limite = limite_repliable(enquete)
    if limite <= enquete.comptee_jusqu_a:
        return
    nouvelles = Valeur.objects.filter(
        question__in=questions, reponse_id__gt=enquete.comptee_jusqu_a, reponse_id__lte=limite
    )
    _ajouter(_comptes(nouvelles, questions))
    Enquete.objects.filter(pk=enquete.pk).update(comptee_jusqu_a=limite)


def groupes_comptes(enquete, questions):
    """(question, option, nombre, count) rows of every answer to these questions, and the respondents.

    The counts, plus the answers since the last fold, grouped on the fly (folded when they are many).
    `enquete` may carry `derniere`, the id of its last answer (annotated by the views).
    """
    if not questions:
        return [], {}
    derniere = getattr(enquete, "derniere", None)
    if derniere is None:
        derniere = enquete.reponses.aggregate(derniere=Max("pk"))["derniere"] or 0
    # Ids are shared by every survey: the gap overestimates the new answers, which only folds sooner.
    if derniere - enquete.comptee_jusqu_a > A_REPLIER:
        replier(enquete)
        enquete.refresh_from_db(fields=["comptee_jusqu_a"])
    recentes = Valeur.objects.filter(question__in=questions, reponse_id__gt=enquete.comptee_jusqu_a)
    comptes = _comptes(recentes, questions)
    for question, c, n in Comptage.objects.filter(question__in=questions).values_list("question", "cle", "effectif"):
        comptes[(question, c)] += n
    groupes, repondants = [], {}
    for (question, c), n in comptes.items():
        if c == Comptage.REPONDANTS:
            repondants[question] = n
        else:
            groupes.append((question, *lire_cle(c), n))
    return groupes, repondants
