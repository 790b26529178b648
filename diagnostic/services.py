"""Questionnaire structure (template, duplication) and storage of answers."""

import contextlib
import functools
import json
from decimal import Decimal
from pathlib import Path

import psycopg
from django.db import IntegrityError, connection, transaction

from charte.models import Journal
from diagnostic.models import Enquete, Option, Question, Reponse, Section, Valeur
from territoires.models import Famille

GABARIT = Path(__file__).with_name("gabarits") / "questionnaire_familles.json"


def lire_gabarit():
    return json.loads(GABARIT.read_text(encoding="utf-8"))


def structure(enquete):
    """The questionnaire as a plain dict (the template's format), to duplicate it elsewhere."""
    sections = []
    for section in enquete.sections.prefetch_related("questions__options", "questions__condition_option__question"):
        questions = []
        for question in section.questions.all():
            q = {
                "code": question.code,
                "texte": question.texte,
                "aide": question.aide,
                "type": question.type,
                "obligatoire": question.obligatoire,
            }
            if question.a_des_options:
                q["options"] = [{"libelle": o.libelle, "autre": o.autre} for o in question.options.all()]
            if question.est_grille:
                q["items"] = [o.libelle for o in question.options.all()]
            if question.type in Question.TYPES_ECHELLE:
                q["libelles_echelle"] = question.libelles_echelle
            if question.type == Question.Type.NOMBRE:
                q |= {"min": question.minimum, "max": question.maximum, "unite": question.unite}
            if question.condition_option:
                q["condition"] = {
                    "question": question.condition_option.question.code,
                    "option": question.condition_option.libelle,
                }
            questions.append(q)
        sections.append({"titre": section.titre, "domaine": section.domaine or None, "questions": questions})
    return {"titre": enquete.titre, "introduction": enquete.introduction, "sections": sections}


@transaction.atomic
def creer_enquete(charte, donnees, par, titre=None):
    """A draft questionnaire built from a structure (the shipped template or another survey)."""
    enquete = Enquete.objects.create(
        charte=charte, titre=titre or donnees["titre"], introduction=donnees.get("introduction", "")
    )
    options_par_code = {}
    for rang_section, s in enumerate(donnees["sections"]):
        section = Section.objects.create(
            enquete=enquete, titre=s["titre"], domaine=s.get("domaine") or "", ordre=rang_section
        )
        for rang, q in enumerate(s["questions"]):
            condition = q.get("condition")
            question = Question.objects.create(
                enquete=enquete,
                section=section,
                code=q["code"],
                texte=q["texte"],
                aide=q.get("aide", ""),
                type=q["type"],
                obligatoire=q.get("obligatoire", False),
                ordre=rang,
                minimum=_decimal(q.get("min")),
                maximum=_decimal(q.get("max")),
                unite=q.get("unite") or "",
                libelles_echelle=q.get("libelles_echelle") or [],
                condition_option=options_par_code[condition["question"]][condition["option"]] if condition else None,
            )
            lignes = q.get("options") or [{"libelle": item, "autre": False} for item in q.get("items", [])]
            options = Option.objects.bulk_create(
                Option(question=question, libelle=o["libelle"], autre=o.get("autre", False), ordre=i)
                for i, o in enumerate(lignes)
            )
            options_par_code[question.code] = {o.libelle: o for o in options}
    Journal.noter(charte, par, f"Questionnaire « {enquete.titre} » créé")
    return enquete


def _decimal(valeur):
    return None if valeur is None else Decimal(str(valeur))


def enregistrer_reponse(enquete, *, profil, valeurs, canal, jeton, par=None):
    """Store one household's answers, all or nothing; a token already used returns the stored answer."""
    famille = Famille(**profil)
    reponse = Reponse(enquete=enquete, famille=famille, canal=canal, jeton_soumission=jeton, saisie_par=par)
    # One statement is atomic on its own; inside a transaction, a savepoint keeps it usable after a duplicate.
    postgresql = connection.vendor == "postgresql"
    seule = contextlib.nullcontext() if postgresql and not connection.in_atomic_block else transaction.atomic()
    try:
        with seule:
            if postgresql:
                inserer_en_une_requete(famille, reponse, valeurs)
            else:  # the embedded database of `make run` (SQLite) writes no INSERT inside a WITH
                (reponse,) = enregistrer_reponses_en_masse(enquete, [(profil, valeurs, jeton)], canal=canal, par=par)
    except IntegrityError:
        existante = Reponse.objects.filter(jeton_soumission=jeton).first()
        if existante is None:
            raise
        return existante, False
    return reponse, True


COLONNES_VALEUR = ("question", "option", "nombre", "texte")


def _champs_inseres(modele, sauf=()):
    return [f for f in modele._meta.concrete_fields if not f.primary_key and f.name not in sauf]


@functools.cache
def _requete_d_insertion():
    """One statement for a household, its answer and its values (data-modifying CTEs): the public form's hot
    path made one round trip and no model instance per value, instead of three INSERTs (issue #8)."""
    famille = _champs_inseres(Famille)
    reponse = _champs_inseres(Reponse, sauf={"famille"})
    valeur = [Valeur._meta.get_field(nom) for nom in COLONNES_VALEUR]

    def colonnes(champs):
        return ", ".join(connection.ops.quote_name(f.column) for f in champs)

    def tableaux(champs):
        return ", ".join(f"%s::{f.db_type(connection)}[]" for f in champs)

    return f"""
        WITH famille AS (
            INSERT INTO {Famille._meta.db_table} ({colonnes(famille)}) VALUES ({", ".join(["%s"] * len(famille))})
            RETURNING id
        ), reponse AS (
            INSERT INTO {Reponse._meta.db_table} (famille_id, {colonnes(reponse)})
            SELECT famille.id, {", ".join(["%s"] * len(reponse))} FROM famille RETURNING id
        ), valeurs AS (
            INSERT INTO {Valeur._meta.db_table} (reponse_id, {colonnes(valeur)})
            SELECT reponse.id, v.* FROM reponse, UNNEST({tableaux(valeur)}) AS v
        )
        SELECT famille.id, reponse.id FROM famille, reponse
    """


def _valeurs_en_base(objet, sauf=()):
    """The values Django's INSERT would write for a new instance (defaults, auto_now_add, JSON…)."""
    return [f.get_db_prep_save(f.pre_save(objet, True), connection) for f in _champs_inseres(type(objet), sauf)]


def colonnes_des_valeurs(valeurs):
    """The Valeur rows as arrays, one per column of COLONNES_VALEUR, converted by the database. The numbers are
    sent as text: the form gives them as str, int or Decimal, and psycopg sends no array of mixed types."""
    return [
        [valeur["question"].pk for valeur in valeurs],
        [option.pk if (option := valeur.get("option")) else None for valeur in valeurs],
        [None if (nombre := valeur.get("nombre")) is None else str(nombre) for valeur in valeurs],
        [valeur.get("texte", "") for valeur in valeurs],
    ]


@contextlib.contextmanager
def curseur_a_requetes_preparees():
    """Django's cursor (errors, query log and counts) over a psycopg cursor that sends the parameters apart from
    the statement: PostgreSQL then prepares a statement run a few times on a connection (psycopg's
    prepare_threshold), and Python no longer quotes 43 values into its text (≈ 10 % of a submission's CPU)."""
    with connection.cursor() as curseur:
        curseur.cursor.close()
        curseur.cursor = psycopg.Cursor(connection.connection)
        yield curseur


def inserer_en_une_requete(famille, reponse, valeurs):
    colonnes = colonnes_des_valeurs(valeurs)
    parametres = [*_valeurs_en_base(famille), *_valeurs_en_base(reponse, sauf={"famille"}), *colonnes]
    with curseur_a_requetes_preparees() as curseur:
        curseur.execute(_requete_d_insertion(), parametres)
        famille.pk, reponse.pk = curseur.fetchone()
    for objet in (famille, reponse):
        objet._state.adding, objet._state.db = False, connection.alias


def enregistrer_reponses_en_masse(enquete, reponses, *, canal, par=None):
    """Store many answers at once, (profil, valeurs, jeton) each: a few queries, not a few per answer.

    The caller runs it in a transaction and has already left out the tokens stored before.
    """
    familles = Famille.objects.bulk_create(Famille(**profil) for profil, _valeurs, _jeton in reponses)
    stockees = Reponse.objects.bulk_create(
        Reponse(enquete=enquete, famille=famille, canal=canal, jeton_soumission=jeton, saisie_par=par)
        for famille, (_profil, _valeurs, jeton) in zip(familles, reponses, strict=True)
    )
    Valeur.objects.bulk_create(
        (
            Valeur(reponse=reponse, **valeur)
            for reponse, (_profil, valeurs, _jeton) in zip(stockees, reponses, strict=True)
            for valeur in valeurs
        ),
        batch_size=5000,
    )
    return stockees


class StructureVerrouillee(Exception):
    """The change would delete answers already given."""


@transaction.atomic
def enregistrer_question(question, libelles, libelle_autre=""):
    """Save a question and its options (or grid rows) from their labels, keeping the answers.

    An option keeps its answers when its label is kept (wherever it moves); labels that changed
    are renamed in place when as many disappeared as appeared. Removing an option that families
    have already chosen is refused.
    """
    question.save()
    question.enquete.structure_modifiee()
    lignes = [(libelle, False) for libelle in libelles] + ([(libelle_autre, True)] if libelle_autre else [])
    if question.type not in Question.TYPES_A_OPTIONS | {Question.Type.GRILLE}:
        lignes = []
    existantes = {option.libelle: option for option in question.options.all()}
    gardees = {libelle: existantes.pop(libelle) for libelle, _autre in lignes if libelle in existantes}
    nouvelles = [libelle for libelle, _autre in lignes if libelle not in gardees]
    if len(existantes) == len(nouvelles):  # renamed in place
        gardees |= dict(zip(nouvelles, existantes.values(), strict=True))
        existantes = {}
    if any(option.valeurs.exists() for option in existantes.values()):
        raise StructureVerrouillee(
            "Des familles ont déjà choisi une option que vous retirez : gardez-la ou renommez-la."
        )
    for option in existantes.values():
        option.delete()
    for rang, (libelle, autre) in enumerate(lignes):
        option = gardees.get(libelle) or Option(question=question)
        option.libelle, option.autre, option.ordre = libelle, autre, rang
        option.save()
    return question


@transaction.atomic
def deplacer_question(question, sens):
    """Swap the question with its neighbour in the section (sens: -1 up, +1 down)."""
    voisines = list(question.section.questions.order_by("ordre", "id"))
    for rang, q in enumerate(voisines):
        q.ordre = rang
    index = voisines.index(question)
    cible = index + sens
    if 0 <= cible < len(voisines):
        voisines[index], voisines[cible] = voisines[cible], voisines[index]
    for rang, q in enumerate(voisines):
        q.ordre = rang
    Question.objects.bulk_update(voisines, ["ordre"])
    question.enquete.structure_modifiee()
