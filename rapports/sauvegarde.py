"""A whole charter as one file, for backups and moves between installations: export and import.

The file is a zip holding `charte.json` (every row of the charter, all stages) and the PDF reports the
charter produced. A row carries no database id: it is named by its position in its table (1, 2…), and
a reference to another exported row is that position. Reference data are named by their official
codes (SIREN of the EPCI, INSEE code of the commune), organisations by their name, people by their
username. So an import into another installation, where the same referentiel is loaded
(`manage.py charger_referentiel`), rebuilds the same content, and exporting it again gives the same
document.

Accounts travel without their password (nor second factor): an imported account gets a password
nobody knows, and its owner sets a new one through « Mot de passe oublié ». An account whose username
already exists in the target installation is used as it is.

The import runs in one transaction: all or nothing. Tables are written by position, in the order of
TABLES, so that new ids follow the old ones' order (the running counts of a survey rely on it).
"""

import bisect
import datetime
import io
import json
import secrets
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DatabaseError, IntegrityError, models, transaction
from django.utils import timezone

from charte.audit import REGLES
from charte.models import Charte, Etape, Invitation, Journal, Membre, Trace
from diagnostic.models import (
    Besoin,
    Comptage,
    DonneeTerritoriale,
    Enquete,
    Entretien,
    Option,
    PreuveQuestion,
    Question,
    Reponse,
    Section,
    Valeur,
)
from evaluation.models import AppreciationAction, BilanFinal, Indicateur, Mesure
from plan_actions.models import (
    Commentaire,
    Contribution,
    FicheAction,
    Financement,
    Historique,
    Jalon,
    LigneBudget,
    Suivi,
    VersionPlan,
)
from priorisation.models import Critere, Note, Participant, Priorite, Seance
from rapports.models import Decision, Rapport, SeanceCopil, chemin_du_rapport
from territoires.models import Commune, Famille, Organisation, Territoire

Utilisateur = get_user_model()

FORMAT = "chartes-avec-les-familles"
VERSION = 1  # raise it when an older installation could no longer read what this one writes
NOM_JSON = "charte.json"
PAQUET = 2000  # rows read or written per round trip: memory stays flat on large surveys

# Every table of a charter, with the lookup from a row to its charter; a row's references come
# before it (Question.condition_option excepted: set once the options exist).
TABLES = [
    (Charte, "pk"),
    (Etape, "charte"),
    (Membre, "charte"),
    (Invitation, "charte"),
    (Journal, "charte"),
    (Enquete, "charte"),
    (Section, "enquete__charte"),
    (Question, "enquete__charte"),
    (Option, "question__enquete__charte"),
    (Famille, "reponse__enquete__charte"),
    (Reponse, "enquete__charte"),
    (Valeur, "reponse__enquete__charte"),
    (Comptage, "question__enquete__charte"),
    (DonneeTerritoriale, "charte"),
    (Entretien, "charte"),
    (Besoin, "charte"),
    (PreuveQuestion, "besoin__charte"),
    (Seance, "charte"),
    (Critere, "seance__charte"),
    (Participant, "seance__charte"),
    (Note, "participant__seance__charte"),
    (Priorite, "charte"),
    (FicheAction, "charte"),
    (Contribution, "fiche__charte"),
    (Jalon, "fiche__charte"),
    (LigneBudget, "fiche__charte"),
    (Financement, "fiche__charte"),
    (Suivi, "fiche__charte"),
    (Commentaire, "fiche__charte"),
    (Historique, "fiche__charte"),
    (VersionPlan, "charte"),
    (Indicateur, "charte"),
    (Mesure, "indicateur__charte"),
    (AppreciationAction, "fiche__charte"),
    (BilanFinal, "charte"),
    (SeanceCopil, "charte"),
    (Decision, "seance__charte"),
    (Rapport, "charte"),
    (Trace, "charte"),  # last: a trace names an object of any other table
]
# Shared data, named by a key that is the same in every installation.
NATURELLES = {Utilisateur: "username", Organisation: "nom", Commune: "code_insee", Territoire: "siren"}
CHAMPS_UTILISATEUR = [
    "username",
    "first_name",
    "last_name",
    "email",
    "is_active",
    "is_staff",
    "is_superuser",
    "est_agent_msa",
    "est_national",
    "date_joined",
]
CHAMPS_ORGANISATION = ["nom", "type", "departement"]
# What only the coordinator and the référent read of the families (diagnostic.voir_tout): left out of
# the export made for anyone else.
PERSONNELLES = {(Famille, None), (Valeur, "texte"), (Reponse, "famille")}


class SauvegardeInvalide(Exception):
    """The file cannot be imported; the message says why, in French. Nothing was written."""


def _etiquette(modele):
    return modele._meta.label


@dataclass(frozen=True)
class Colonne:
    """One exported field: a value, a reference to another exported row, or a shared object's key."""

    champ: object

    @property
    def nom(self):
        return self.champ.name

    @property
    def cible(self):
        return self.champ.related_model if self.champ.is_relation else None

    @property
    def cle_naturelle(self):
        return NATURELLES.get(self.cible)

    @property
    def multiple(self):
        return self.champ.many_to_many


def colonnes(modele):
    """The exported fields of a table: all but the id and the link to the charter (implied)."""
    simples = [
        Colonne(champ)
        for champ in modele._meta.concrete_fields
        if not champ.primary_key and not (champ.is_relation and champ.related_model is Charte)
    ]
    return simples + [Colonne(champ) for champ in modele._meta.many_to_many]


def _champ_charte(modele):
    return next((c for c in modele._meta.concrete_fields if c.is_relation and c.related_model is Charte), None)


def _en_json(valeur):
    if isinstance(valeur, datetime.date | datetime.time):
        return valeur.isoformat()
    if isinstance(valeur, Decimal):
        return str(valeur)
    return valeur


# --- values that hold ids of other rows: rewritten with positions, then with the new ids ------------------


def _option_de_la_cle(cle, convertir):
    """A running count's key "option|number" with its option converted (the respondents' "*" stays)."""
    option, separateur, nombre = cle.partition("|")
    return f"{convertir(int(option))}|{nombre}" if separateur and option else cle


def _cle_exportee(cle, contexte, _position):
    return _option_de_la_cle(cle, lambda pk: contexte.rang(Option, pk))


def _cle_importee(cle, contexte, _position):
    return _option_de_la_cle(cle, lambda rang: contexte.nouveau_pk(Option, rang))


def _instantane_exporte(contenu, contexte, _position):
    """A plan baseline is keyed by fiche id; a fiche deleted since keeps an opaque key of its own."""
    sortie = {}
    for cle, fiche in contenu.items():
        rang = contexte.rangs[FicheAction].get(int(cle)) if cle.lstrip("-").isdigit() else None
        sortie[f"fiche:{rang}" if rang else f"autre:{cle.lstrip('-')}"] = fiche
    return sortie


def _instantane_importe(contenu, contexte, _position):
    # Negative keys can never be a new fiche's id: a deleted fiche stays apart from every fiche.
    sortie = {}
    for cle, fiche in contenu.items():
        sorte, _, valeur = cle.partition(":")
        sortie[str(contexte.nouveau_pk(FicheAction, int(valeur))) if sorte == "fiche" else f"-{valeur}"] = fiche
    return sortie


def _compte_jusqu_a_exporte(reponse_pk, contexte, _position):
    """The counts hold the answers up to this id: said as "the first n answers" (new ids keep their order)."""
    return bisect.bisect_right(contexte.ordre[Reponse], reponse_pk)


def _fichier_exporte(nom, contexte, position):
    if nom:
        contexte.fichiers.append((position, nom))
    return PurePosixPath(nom).name if nom else ""


def _fichier_importe(nom, contexte, position):
    """The PDF goes to the new charter's folder; without its file in the archive, the report has none."""
    if not nom:
        return ""
    membre = f"fichiers/{position}/{nom}"
    if contexte.archive is None or membre not in contexte.archive.namelist():
        contexte.avertissements.append(f"Le PDF « {nom} » ne figure pas dans la sauvegarde : rapport sans fichier.")
        return ""
    chemin = chemin_du_rapport(Rapport(charte_id=contexte.pk_charte), nom)
    ecrit = default_storage.save(chemin, ContentFile(contexte.archive.read(membre)))
    contexte.fichiers_ecrits.append(ecrit)
    return ecrit


# The audit trail keeps the id of deleted objects: imported, they get ids far beyond any real one.
DECALAGE_SUPPRIMES = 2**62


def _type_exporte(pk, _contexte, _position):
    type_objet = ContentType.objects.get_for_id(pk)
    return f"{type_objet.app_label}.{type_objet.model}"


def _type_importe(nom, _contexte, _position):
    try:
        return ContentType.objects.get_by_natural_key(*nom.split(".")).pk
    except (ContentType.DoesNotExist, TypeError):
        raise SauvegardeInvalide(f"Type d'objet inconnu de cette installation : « {nom} ».") from None


def _objet_exporte(pk, contexte, _position):
    """A trace's object: its position while it is in the charter, else (deleted) a key of its own."""
    modele = ContentType.objects.get_for_id(contexte.ligne["type_objet"]).model_class()
    return contexte.rangs.get(modele, {}).get(pk) or f"supprime:{pk % DECALAGE_SUPPRIMES}"


def _objet_importe(valeur, contexte, _position):
    if isinstance(valeur, str) and valeur.startswith("supprime:"):
        return DECALAGE_SUPPRIMES + int(valeur.removeprefix("supprime:"))
    return contexte.nouveau_pk(apps.get_model(contexte.ligne["type_objet"]), valeur)


def _compte_jusqu_a_importe(rang, contexte, _position):
    return contexte.nouveau_pk(Reponse, rang) if rang else 0


@dataclass(frozen=True)
class Transformation:
    """How a value holding ids of other rows is written (positions) and read back (new ids)."""

    exporter: object
    importer: object
    a_la_fin: bool = False  # it names rows of a later table: set once every table is written
    lit_la_ligne: bool = False  # it reads other columns of its row (contexte.ligne: {column: value})


TRANSFORMATIONS = {
    (Comptage, "cle"): Transformation(_cle_exportee, _cle_importee),
    (VersionPlan, "contenu"): Transformation(_instantane_exporte, _instantane_importe),
    (Enquete, "comptee_jusqu_a"): Transformation(_compte_jusqu_a_exporte, _compte_jusqu_a_importe, a_la_fin=True),
    (Rapport, "fichier"): Transformation(_fichier_exporte, _fichier_importe),
    (Trace, "type_objet"): Transformation(_type_exporte, _type_importe),
    (Trace, "objet_id"): Transformation(_objet_exporte, _objet_importe, lit_la_ligne=True),
}
# Tables whose rows other values name by position (besides those that foreign keys point to).
REFERENCEES = {Option, FicheAction, Reponse} | set(REGLES)


# --- export -------------------------------------------------------------------------------------------


@dataclass
class Export:
    """What the export keeps while it writes: positions of rows, people and organisations named."""

    charte: Charte
    donnees_personnelles: bool
    ordre: dict = field(default_factory=dict)  # model → its ids in order
    rangs: dict = field(default_factory=dict)  # model → {id: position}
    utilisateurs: set = field(default_factory=set)
    organisations: set = field(default_factory=set)
    fichiers: list = field(default_factory=list)  # (position, name) of the reports' PDF files
    ligne: dict = field(default_factory=dict)  # the row being written, for Transformation.lit_la_ligne

    def rang(self, modele, pk):
        try:
            return self.rangs[modele][pk]
        except KeyError:
            raise ValueError(f"{modele._meta.verbose_name} n° {pk} n'appartient pas à la charte exportée") from None


def _lignes_de(modele, chemin, charte):
    return modele.objects.filter(**{chemin: charte.pk}).order_by("pk")


def _tables_referencees():
    cibles = {c.cible for modele, _ in TABLES for c in colonnes(modele)} | REFERENCEES
    return [(modele, chemin) for modele, chemin in TABLES if modele in cibles]


def _personnelle(modele, nom, contexte):
    return not contexte.donnees_personnelles and ((modele, nom) in PERSONNELLES or (modele, None) in PERSONNELLES)


def _lecture(colonne):
    """What values_list reads for a column: the shared object's key, or the id of the row it names."""
    return f"{colonne.nom}__{colonne.cle_naturelle}" if colonne.cle_naturelle else colonne.champ.attname


def _reference(colonne, contexte):
    """How a column's references are written: the shared object's key, or the named row's position."""
    if colonne.cle_naturelle:
        vus = {Utilisateur: contexte.utilisateurs, Organisation: contexte.organisations}.get(colonne.cible, set())

        def cle(valeur):
            if valeur is not None:
                vus.add(valeur)
            return valeur

        return cle
    rangs = contexte.rangs[colonne.cible]

    def rang(pk):
        if pk is None:
            return None
        return rangs[pk] if pk in rangs else contexte.rang(colonne.cible, pk)  # the latter says what is wrong

    return rang


def _convertisseur(modele, colonne, contexte):
    """How a column's values are written, chosen once per table (not once per cell: there are 100 000 rows)."""
    if _personnelle(modele, colonne.nom, contexte):
        vide = None if colonne.cible else ""
        return lambda _valeur, _position: vide
    transformation = TRANSFORMATIONS.get((modele, colonne.nom))
    if transformation:
        return lambda valeur, position: transformation.exporter(valeur, contexte, position)
    if colonne.cible:
        reference = _reference(colonne, contexte)
        return lambda valeur, _position: reference(valeur)
    if isinstance(colonne.champ, models.DateField | models.TimeField | models.DecimalField):
        return lambda valeur, _position: _en_json(valeur)
    return lambda valeur, _position: valeur


def _liens(modele, chemin, colonne, contexte):
    """Many-to-many links of the table's rows: {row id: sorted references}."""
    champ = colonne.champ
    lien = champ.remote_field.through
    source, cible = champ.m2m_field_name(), champ.m2m_reverse_field_name()
    lecture = f"{cible}__{colonne.cle_naturelle}" if colonne.cle_naturelle else f"{cible}_id"
    reference = _reference(colonne, contexte)
    liens = {}
    for pk, valeur in lien.objects.filter(**{f"{source}__{chemin}": contexte.charte.pk}).values_list(
        f"{source}_id", lecture
    ):
        liens.setdefault(pk, []).append(reference(valeur))
    return {pk: sorted(valeurs) for pk, valeurs in liens.items()}


def _lignes_exportees(modele, chemin, contexte):
    """The table's rows as lists of JSON values, in id order."""
    if _personnelle(modele, None, contexte):
        return
    liste = colonnes(modele)
    simples = [c for c in liste if not c.multiple]
    convertisseurs = [_convertisseur(modele, c, contexte) for c in simples]
    multiples = [_liens(modele, chemin, c, contexte) for c in liste if c.multiple]
    requete = _lignes_de(modele, chemin, contexte.charte).values_list("pk", *(_lecture(c) for c in simples))
    lit_la_ligne = _lit_la_ligne(modele)
    for position, (pk, *valeurs) in enumerate(requete.iterator(chunk_size=PAQUET), start=1):
        if lit_la_ligne:
            contexte.ligne = {c.nom: valeur for c, valeur in zip(simples, valeurs, strict=True)}
        ligne = [convertir(valeur, position) for convertir, valeur in zip(convertisseurs, valeurs, strict=True)]
        yield ligne + [liens.get(pk, []) for liens in multiples]


def _lit_la_ligne(modele):
    return any(t.lit_la_ligne for (table, _nom), t in TRANSFORMATIONS.items() if table is modele)


def _table_json(colonnes_noms, lignes):
    return {"colonnes": colonnes_noms, "lignes": [[_en_json(v) for v in ligne] for ligne in lignes]}


def ecrire_document(charte, sortie, donnees_personnelles=True):
    """Write the charter's JSON document to the text stream `sortie`, one row per line; returns the Export."""
    contexte = Export(charte, donnees_personnelles)
    en_json = json.JSONEncoder(ensure_ascii=False).encode
    for modele, chemin in _tables_referencees():
        ordre = list(_lignes_de(modele, chemin, charte).values_list("pk", flat=True))
        contexte.ordre[modele] = ordre
        contexte.rangs[modele] = {pk: rang for rang, pk in enumerate(ordre, start=1)}
    entete = {
        "format": FORMAT,
        "version": VERSION,
        "exportee_le": timezone.now().isoformat(),
        "donnees_personnelles": donnees_personnelles,
    }
    sortie.write(json.dumps(entete, ensure_ascii=False)[:-1] + ',\n"tables": {')
    for numero, (modele, chemin) in enumerate(TABLES):
        noms = json.dumps([c.nom for c in colonnes(modele)], ensure_ascii=False)
        sortie.write(f'{"," if numero else ""}\n"{_etiquette(modele)}": {{"colonnes": {noms}, "lignes": [')
        for rang, ligne in enumerate(_lignes_exportees(modele, chemin, contexte)):
            sortie.write(("," if rang else "") + "\n" + en_json(ligne))
        sortie.write("]}")
    utilisateurs = Utilisateur.objects.filter(username__in=contexte.utilisateurs).order_by("username")
    organisations = Organisation.objects.filter(nom__in=contexte.organisations).order_by("nom")
    partagees = {
        "utilisateurs": _table_json(CHAMPS_UTILISATEUR, utilisateurs.values_list(*CHAMPS_UTILISATEUR)),
        "organisations": _table_json(CHAMPS_ORGANISATION, organisations.values_list(*CHAMPS_ORGANISATION)),
    }
    sortie.write("}")
    for cle, table in partagees.items():
        sortie.write(f',\n"{cle}": {json.dumps(table, ensure_ascii=False)}')
    sortie.write("}\n")
    return contexte


def exporter(charte, destination, *, donnees_personnelles=True, par=None):
    """Write the charter's zip (document and PDF files) to the binary file `destination`; returns the Export.

    The export is written in the charter's journal: who took the families' data, and when.
    """
    with zipfile.ZipFile(destination, "w", zipfile.ZIP_DEFLATED) as archive:
        with io.TextIOWrapper(archive.open(NOM_JSON, "w", force_zip64=True), encoding="utf-8") as texte:
            contexte = ecrire_document(charte, texte, donnees_personnelles)
        for position, nom in contexte.fichiers:
            if default_storage.exists(nom):
                with default_storage.open(nom, "rb") as pdf:
                    archive.writestr(f"fichiers/{position}/{PurePosixPath(nom).name}", pdf.read())
    portee = "complète" if donnees_personnelles else "sans les réponses détaillées ni les profils des familles"
    Journal.noter(charte, par, f"Sauvegarde de la charte exportée ({portee})")
    return contexte


# --- import -------------------------------------------------------------------------------------------


@dataclass
class Import:
    """What the import keeps while it writes: the new ids of each table's rows, by position."""

    document: dict
    archive: zipfile.ZipFile | None
    pk_charte: int | None = None
    slug: str = ""
    nouveaux: dict = field(default_factory=dict)  # model → new ids, by position
    naturelles: dict = field(default_factory=dict)  # shared model → {key: id}
    differees: list = field(default_factory=list)  # (object, field, how to read the value, value, position)
    comptes_crees: list = field(default_factory=list)
    fichiers_ecrits: list = field(default_factory=list)
    avertissements: list = field(default_factory=list)
    ligne: dict = field(default_factory=dict)  # the row being read, for Transformation.lit_la_ligne

    def nouveau_pk(self, modele, position):
        ids = self.nouveaux.get(modele, [])
        if type(position) is not int or not 1 <= position <= len(ids):
            raise SauvegardeInvalide(
                f"La sauvegarde désigne la ligne {position} de la table {_etiquette(modele)}, qui n'existe pas."
            )
        return ids[position - 1]


def lire(fichier):
    """The document and the archive (None for a bare JSON file) of a backup given as a path or a binary file."""
    archive = None
    try:
        if zipfile.is_zipfile(fichier):
            archive = zipfile.ZipFile(fichier)
            contenu = archive.read(NOM_JSON)
        elif isinstance(fichier, str | Path):
            contenu = Path(fichier).read_bytes()
        else:
            fichier.seek(0)
            contenu = fichier.read()
        document = json.loads(contenu)
    except KeyError:
        raise SauvegardeInvalide(
            f"L'archive ne contient pas de « {NOM_JSON} » : ce n'est pas une sauvegarde de charte."
        ) from None
    except (ValueError, zipfile.BadZipFile, EOFError):
        raise SauvegardeInvalide(
            "Ce fichier est illisible (document tronqué ou abîmé) : ce n'est pas une sauvegarde de charte complète."
        ) from None
    verifier_format(document)
    return document, archive


def verifier_format(document):
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise SauvegardeInvalide("Ce fichier n'est pas une sauvegarde de charte de cette application.")
    if document.get("version") != VERSION:
        raise SauvegardeInvalide(
            f"Sauvegarde au format n° {document.get('version')} : cette installation lit le format n° {VERSION}. "
            "Importez-la dans une version de l'application qui connaît ce format."
        )
    if not isinstance(document.get("tables"), dict):
        raise SauvegardeInvalide("La sauvegarde ne contient pas les tables de la charte.")
    inconnues = set(document["tables"]) - {_etiquette(m) for m, _ in TABLES}
    if inconnues:
        raise SauvegardeInvalide(
            f"Tables inconnues de cette version de l'application : {', '.join(sorted(inconnues))}."
        )


@contextmanager
def _horodatages_conserves():
    """bulk_create stamps auto_now(_add) fields with the current time: the backup's dates must stay.

    The fields' flags are shared by the whole process: imports run in their own (the command).
    """
    champs = [
        champ
        for modele, _ in TABLES
        for champ in modele._meta.concrete_fields
        if getattr(champ, "auto_now", False) or getattr(champ, "auto_now_add", False)
    ]
    etats = [(champ, champ.auto_now, champ.auto_now_add) for champ in champs]
    for champ in champs:
        champ.auto_now = champ.auto_now_add = False
    try:
        yield
    finally:
        for champ, auto_now, auto_now_add in etats:
            champ.auto_now, champ.auto_now_add = auto_now, auto_now_add


def importer(fichier):
    """Create the charter of a backup in this installation, all or nothing; returns the Import.

    Refused (SauvegardeInvalide, nothing written) when the file is not a backup of a known format, when
    its charter's slug is taken, or when it names a commune or an EPCI this installation does not know.
    """
    document, archive = lire(fichier)
    contexte = Import(document, archive)
    try:
        with transaction.atomic(), _horodatages_conserves():
            _importer(contexte)
    except SauvegardeInvalide:
        _effacer_fichiers(contexte)
        raise
    except IntegrityError as erreur:
        _effacer_fichiers(contexte)
        if "unique" not in str(erreur).lower():
            raise SauvegardeInvalide(f"Sauvegarde incohérente, rien n'a été importé ({erreur}).") from erreur
        raise SauvegardeInvalide(
            "Des identifiants de la sauvegarde (lien public d'un questionnaire, code d'une séance, invitation…) "
            "existent déjà dans cette installation : la charte y est sans doute déjà, sous un autre nom. "
            f"Rien n'a été importé ({str(erreur).splitlines()[0][:200]})."
        ) from erreur
    except (DatabaseError, ValidationError, ValueError, TypeError, LookupError, AttributeError) as erreur:
        _effacer_fichiers(contexte)
        raise SauvegardeInvalide(
            f"Sauvegarde incohérente, rien n'a été importé ({type(erreur).__name__} : {str(erreur)[:300]})."
        ) from erreur
    finally:
        if archive is not None:
            archive.close()
    return contexte


def _effacer_fichiers(contexte):
    for nom in contexte.fichiers_ecrits:
        default_storage.delete(nom)


def _table(contexte, modele):
    table = contexte.document.get("tables", {}).get(_etiquette(modele), {"colonnes": [], "lignes": []})
    connues = {c.nom: c for c in colonnes(modele)}
    inconnues = [nom for nom in table["colonnes"] if nom not in connues]
    if inconnues:
        raise SauvegardeInvalide(
            f"Colonnes inconnues dans la table {_etiquette(modele)} : {', '.join(inconnues)}. "
            "La sauvegarde vient d'une version plus récente de l'application."
        )
    return [connues[nom] for nom in table["colonnes"]], table["lignes"]


def _importer(contexte):
    (slug,) = _valeurs(contexte, Charte, "slug") or [None]
    if not slug:
        raise SauvegardeInvalide("La sauvegarde ne contient pas de charte.")
    if Charte.objects.filter(slug=slug).exists():
        raise SauvegardeInvalide(
            f"Une charte « {slug} » existe déjà dans cette installation : rien n'a été importé. "
            "Supprimez-la d'abord pour la restaurer depuis cette sauvegarde."
        )
    contexte.slug = slug
    _resoudre_partagees(contexte)
    ordre = [modele for modele, _ in TABLES]
    for modele in ordre:
        _importer_table(contexte, modele, ordre)
    _terminer(contexte)


def _valeurs(contexte, modele, nom):
    """Every value of one column of a table in the document (lists of many-to-many columns flattened)."""
    liste, lignes = _table(contexte, modele)
    rang = next((i for i, c in enumerate(liste) if c.nom == nom), None)
    if rang is None:
        return []
    valeurs = [ligne[rang] for ligne in lignes]
    if liste[rang].multiple:
        return [v for sous_liste in valeurs for v in sous_liste]
    return valeurs


def _resoudre_partagees(contexte):
    """Find the communes, EPCI, organisations and accounts the backup names; create accounts and organisations."""
    for modele_partage, cle in NATURELLES.items():
        noms = {
            v
            for modele, _ in TABLES
            for colonne in colonnes(modele)
            if colonne.cible is modele_partage
            for v in _valeurs(contexte, modele, colonne.nom)
            if v is not None
        }
        connus = dict(modele_partage.objects.filter(**{f"{cle}__in": noms}).values_list(cle, "pk"))
        if modele_partage is Utilisateur:
            connus |= _creer_comptes(contexte, noms - set(connus))
        elif modele_partage is Organisation:
            connus |= _creer_organisations(contexte, noms - set(connus))
        manquants = sorted(noms - set(connus))
        if manquants:
            raise SauvegardeInvalide(_message_manquants(modele_partage, manquants))
        contexte.naturelles[modele_partage] = connus


def _message_manquants(modele, manquants):
    exemples = ", ".join(manquants[:5]) + (" …" if len(manquants) > 5 else "")
    if modele in (Commune, Territoire):
        quoi = "communes (code INSEE)" if modele is Commune else "EPCI (SIREN)"
        return (
            f"{len(manquants)} {quoi} de la sauvegarde sont inconnus de cette installation : {exemples}. "
            "Chargez d'abord le référentiel (manage.py charger_referentiel) ; rien n'a été importé."
        )
    return f"La sauvegarde désigne des {modele._meta.verbose_name_plural} qu'elle ne décrit pas : {exemples}."


def _lignes_partagees(contexte, cle, champs):
    table = contexte.document.get(cle, {"colonnes": champs, "lignes": []})
    if table["colonnes"] != champs:
        raise SauvegardeInvalide(f"Colonnes inattendues dans « {cle} » : {', '.join(table['colonnes'])}.")
    return {ligne[0]: dict(zip(champs, ligne, strict=True)) for ligne in table["lignes"]}


def _creer_comptes(contexte, noms):
    """New accounts whose password nobody knows: their owners choose one (« Mot de passe oublié »).

    Not Django's "unusable" password: the reset form sends no e-mail to such accounts. A random secret,
    drawn and hashed once for the whole import (the hasher is slow on purpose), then forgotten, locks
    them just as well.
    """
    decrits = _lignes_partagees(contexte, "utilisateurs", CHAMPS_UTILISATEUR)
    inconnu = make_password(secrets.token_urlsafe(32))
    comptes = []
    for nom in sorted(noms & set(decrits)):
        valeurs = {c: Utilisateur._meta.get_field(c).to_python(v) for c, v in decrits[nom].items()}
        comptes.append(Utilisateur(**valeurs, password=inconnu))
    Utilisateur.objects.bulk_create(comptes)
    contexte.comptes_crees = comptes
    return {compte.username: compte.pk for compte in comptes}


def _creer_organisations(contexte, noms):
    decrites = _lignes_partagees(contexte, "organisations", CHAMPS_ORGANISATION)
    nouvelles = Organisation.objects.bulk_create(Organisation(**decrites[nom]) for nom in sorted(noms & set(decrites)))
    return {o.nom: o.pk for o in nouvelles}


def _importer_table(contexte, modele, ordre):
    liste, lignes = _table(contexte, modele)
    champ_charte = _champ_charte(modele)
    lecteurs, differes = [], []
    for rang, colonne in enumerate(liste):
        if not colonne.multiple:
            a_la_fin, lire = _lecteur(contexte, modele, colonne, ordre)
            (differes if a_la_fin else lecteurs).append((rang, colonne.champ, lire))
    multiples = [(rang, c) for rang, c in enumerate(liste) if c.multiple]
    ids = contexte.nouveaux.setdefault(modele, [])
    lit_la_ligne = _lit_la_ligne(modele)
    for debut in range(0, len(lignes), PAQUET):
        objets, paquet = [], lignes[debut : debut + PAQUET]
        for position, ligne in enumerate(paquet, start=debut + 1):
            if len(ligne) != len(liste):
                raise SauvegardeInvalide(f"Ligne {position} de la table {_etiquette(modele)} incomplète.")
            if lit_la_ligne:
                contexte.ligne = {c.nom: valeur for c, valeur in zip(liste, ligne, strict=True)}
            valeurs = {champ.attname: lire(ligne[rang], contexte, position) for rang, champ, lire in lecteurs}
            if champ_charte:
                valeurs[champ_charte.attname] = contexte.pk_charte
            objet = modele(**valeurs)
            contexte.differees += [(objet, champ, lire, ligne[rang], position) for rang, champ, lire in differes]
            objets.append(objet)
        modele.objects.bulk_create(objets)
        ids += [objet.pk for objet in objets]
        for rang, colonne in multiples:
            _lier(contexte, colonne, objets, [ligne[rang] for ligne in paquet])
    if modele is Charte and ids:
        contexte.pk_charte = ids[0]


def _lecteur(contexte, modele, colonne, ordre):
    """How a column's values are read back, chosen once per table: (set at the end?, function)."""
    transformation = TRANSFORMATIONS.get((modele, colonne.nom))
    if transformation:
        return transformation.a_la_fin, transformation.importer
    if colonne.cible:  # a shared object, a row written before this one, or (set at the end) after it
        return not colonne.cle_naturelle and ordre.index(colonne.cible) >= ordre.index(modele), _lire_reference(colonne)
    if isinstance(colonne.champ, models.DateField | models.TimeField | models.DecimalField):
        to_python = colonne.champ.to_python
        return False, lambda valeur, _contexte, _position: to_python(valeur)
    return False, lambda valeur, _contexte, _position: valeur


def _lire_reference(colonne):
    """How a reference is read back: the shared object's id from its key, or the new id of the named row."""
    if colonne.cle_naturelle:
        return lambda valeur, contexte, _position: (
            None if valeur is None else contexte.naturelles[colonne.cible][valeur]
        )
    return lambda valeur, contexte, _position: None if valeur is None else contexte.nouveau_pk(colonne.cible, valeur)


def _lier(contexte, colonne, objets, references):
    champ = colonne.champ
    lien = champ.remote_field.through
    source, cible = f"{champ.m2m_field_name()}_id", f"{champ.m2m_reverse_field_name()}_id"
    lire = _lire_reference(colonne)
    lignes = [
        lien(**{source: objet.pk, cible: lire(valeur, contexte, None)})
        for objet, valeurs in zip(objets, references, strict=True)
        for valeur in valeurs
    ]
    lien.objects.bulk_create(lignes, batch_size=PAQUET)


def _terminer(contexte):
    """Values naming rows written after their own: the condition of a question, the counts' last answer."""
    par_champ = {}
    for objet, champ, importer_valeur, valeur, position in contexte.differees:
        setattr(objet, champ.attname, importer_valeur(valeur, contexte, position))
        par_champ.setdefault((type(objet), champ.name), []).append(objet)
    for (modele, nom), objets in par_champ.items():
        modele.objects.bulk_update(objets, [nom], batch_size=PAQUET)
