"""Survey files: raw answers and results as CSV or XLSX, import of answers typed elsewhere, QR code.

The raw export and the import share one list of columns (`colonnes`), so a file exported from a
survey can be imported back into an identical one. Imported rows are validated by the online
form itself (QuestionnaireForm): each row is turned into the data a browser would have posted.
No HTTP here: views_fichiers.py wraps these functions.
"""

import csv
import hashlib
import io
import itertools
import logging
import re
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import PurePath

import segno
from django.db import transaction
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from charte.models import Journal
from charte.templatetags import francais
from diagnostic.forms import QuestionnaireForm
from diagnostic.models import Question, Reponse
from diagnostic.services import enregistrer_reponses_en_masse
from territoires.models import Famille

journal = logging.getLogger(__name__)

TAILLE_MAX = 5 * 1024 * 1024
# A workbook is a zip: what it would take once inflated is bounded too.
TAILLE_DECOMPRESSEE_MAX = 20 * TAILLE_MAX
# Answers per file: every row is checked and stored within the request, which must end before gunicorn's
# 30 s. 5 000 answers to the 36-question template take about 14 s of CPU from a CSV, 20 s from a workbook.
LIGNES_MAX = 5_000
EXTENSIONS = (".csv", ".xlsx")
ZIP, OLE2 = b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # xlsx; xls or a password-protected workbook
BOM_UTF16 = (b"\xff\xfe", b"\xfe\xff")
SEPARATEURS = [";", "\t", ","]  # French Excel's, then Excel's « Texte Unicode », then the international one
CONTROLES = bytes(octet for octet in range(32) if octet not in b"\t\n\r")
# French accents and typography as UTF-8 writes them (Ã, ’, €, œ once misread as Windows-1252).
ACCENTS_UTF8 = re.compile(rb"\xc3[\x80-\xbf]|\xe2\x80[\x98-\xa6]|\xe2\x82\xac|\xc5[\x92\x93]")
XLSX_ILLISIBLE = "Ce fichier n'est pas un classeur Excel (.xlsx) lisible."
CLASSEUR_ANCIEN = (
    "Ce fichier est un classeur Excel 97-2003 (.xls) ou protégé par un mot de passe : ouvrez-le dans votre tableur "
    "et enregistrez-le sans mot de passe au format « Classeur Excel (.xlsx) » ou « CSV UTF-8 »."
)
PAS_UN_TABLEAU = (
    "Ce fichier n'est ni un fichier CSV (texte) ni un classeur Excel (.xlsx) : enregistrez vos réponses depuis "
    "votre tableur au format « CSV UTF-8 » ou « Classeur Excel (.xlsx) »."
)
LU_EN_WINDOWS = (
    "Ce fichier CSV n'était pas en UTF-8 : il a été lu dans l'encodage Windows des anciennes versions d'Excel. "
    "Vérifiez les accents des réponses importées."
)

# Columns read from the household profile, in the order of the online form: (header, form field).
COLONNES_PROFIL = [
    ("commune", "commune"),
    ("adultes", "nombre_adultes"),
    ("enfants", "nombre_enfants"),
    ("âges des enfants", "ages_enfants"),
    ("monoparentale", "monoparentale"),
    ("étape de vie", "etape_vie"),
    ("affiliation MSA", "affiliation_msa"),
]
INFOS = ["id", "reçue le", "canal"]  # exported for the reader; ignored by the import


class Sorte:
    """Kinds of column: what a cell holds, and how it is written and read."""

    INFO = "info"  # id, date, channel
    PROFIL = "profil"  # household profile
    CHOIX = "choix"  # single choice: the option's label
    COCHE = "coche"  # one option of a multiple choice: 1 or 0
    AUTRE = "autre"  # the text of an « autre, précisez » option
    LIGNE = "ligne"  # one row of a grid: 1 to 5
    NOMBRE = "nombre"  # scale or number
    TEXTE = "texte"  # free text


COCHE_OUI, COCHE_NON = {"1", "x", "oui", "vrai", "true"}, {"", "0", "non", "faux", "false"}
OUI_NON = {"oui": "oui", "1": "oui", "vrai": "oui", "non": "non", "0": "non", "faux": "non"}
# Spreadsheets run a cell starting with these as a formula: a family's text must never be executed.
DEBUTS_DE_FORMULE = ("=", "+", "-", "@", "\t", "\r")


class FichierIllisible(Exception):
    """The file cannot be read as a table of answers; `messages` say why, in French."""

    def __init__(self, *messages):
        super().__init__(*messages)
        self.messages = list(messages)


@dataclass(frozen=True)
class Colonne:
    entete: str
    sorte: str
    question: Question | None = None
    option: object = None
    champ: str = ""  # the QuestionnaireForm field this column fills
    obligatoire: bool = False  # an import file without it is refused


# --- columns ----------------------------------------------------------------------------------
def colonnes(questions):
    """Every column of the raw export (and of the import), in the questionnaire's order."""
    liste = [Colonne(entete, Sorte.INFO) for entete in INFOS]
    liste += [Colonne(entete, Sorte.PROFIL, champ=champ, obligatoire=True) for entete, champ in COLONNES_PROFIL]
    for question in questions:
        liste += colonnes_de_la_question(question)
    return liste


def colonnes_de_la_question(question):
    nom, options, exigee = f"q{question.pk}", list(question.options.all()), question.obligatoire
    if question.type == Question.Type.CHOIX_MULTIPLE:
        liste = [Colonne(f"{question.code}:{o.libelle}", Sorte.COCHE, question, o, nom, exigee) for o in options]
    elif question.est_grille:
        liste = [
            Colonne(f"{question.code}:{o.libelle}", Sorte.LIGNE, question, o, f"{nom}_{o.pk}", exigee) for o in options
        ]
    elif question.type == Question.Type.CHOIX_UNIQUE:
        liste = [Colonne(question.code, Sorte.CHOIX, question, champ=nom, obligatoire=exigee)]
    elif question.est_texte:
        liste = [Colonne(question.code, Sorte.TEXTE, question, champ=nom, obligatoire=exigee)]
    else:
        liste = [Colonne(question.code, Sorte.NOMBRE, question, champ=nom, obligatoire=exigee)]
    autre = next((o for o in options if o.autre), None)
    if autre:  # the free text of « autre, précisez » gets its own column: it must not be lost
        entete = f"{question.code}:autre"
        if any(c.entete == entete for c in liste):  # an option labelled exactly « autre » already has it
            entete += " (précisez)"
        liste.append(Colonne(entete, Sorte.AUTRE, question, autre, f"{nom}_autre"))
    return liste


def colonnes_du_modele(questions):
    """The columns someone fills in to import answers (id, date and channel are set on import)."""
    return [c for c in colonnes(questions) if c.sorte != Sorte.INFO]


def explication(colonne):
    """What to write in the column, for the import page."""
    question = colonne.question
    match colonne.sorte:
        case Sorte.PROFIL:
            return EXPLICATIONS_PROFIL[colonne.champ]
        case Sorte.CHOIX:
            return "Une de ces réponses : " + " / ".join(o.libelle for o in question.options.all())
        case Sorte.COCHE:
            return "1 si la case est cochée, 0 ou vide sinon"
        case Sorte.AUTRE:
            return f"Le texte écrit par la famille quand elle choisit « {colonne.option.libelle} »"
        case Sorte.LIGNE:
            return "Un niveau de 1 à 5"
        case Sorte.TEXTE:
            return "Texte libre"
    if question.type == Question.Type.ECHELLE:
        return "Un niveau de 1 à 5"
    bornes = [f"minimum {_nombre(question.minimum)}" if question.minimum is not None else ""]
    bornes.append(f"maximum {_nombre(question.maximum)}" if question.maximum is not None else "")
    return ", ".join(["Un nombre", *filter(None, bornes)])


EXPLICATIONS_PROFIL = {
    "commune": "Nom de la commune ou code INSEE",
    "nombre_adultes": "Nombre d'adultes du foyer (1 à 10)",
    "nombre_enfants": "Nombre d'enfants du foyer (0 à 15)",
    "ages_enfants": "Âge de chaque enfant, séparés par des virgules (ex. 2, 5, 11)",
    "monoparentale": "oui ou non",
    "etape_vie": "Une de ces situations : " + " / ".join(Famille.EtapeVie.labels),
    "affiliation_msa": "Oui, Non ou Ne sait pas",
}


# --- raw export -------------------------------------------------------------------------------
def ligne_export(reponse, colonnes):
    """One row of the raw export; `reponse` comes with its famille, commune and valeurs."""
    par_question = {}
    for valeur in reponse.valeurs.all():
        par_question.setdefault(valeur.question_id, []).append(valeur)
    return [cellule_export(c, reponse, par_question.get(c.question.pk, []) if c.question else []) for c in colonnes]


def cellule_export(colonne, reponse, valeurs):
    if colonne.sorte == Sorte.INFO:
        return _info(colonne.entete, reponse)
    if colonne.sorte == Sorte.PROFIL:
        return _profil(colonne.champ, reponse.famille)
    if colonne.sorte == Sorte.COCHE:
        # Empty when the question got no tick at all (not shown, or skipped): spreadsheets then leave
        # it out of averages, instead of counting families who never saw the question as « 0 ».
        return (1 if any(v.option_id == colonne.option.pk for v in valeurs) else 0) if valeurs else ""
    if colonne.sorte in (Sorte.AUTRE, Sorte.LIGNE):
        valeur = next((v for v in valeurs if v.option_id == colonne.option.pk), None)
        return "" if valeur is None else valeur.texte if colonne.sorte == Sorte.AUTRE else int(valeur.nombre)
    valeur = valeurs[0] if valeurs else None
    if valeur is None:
        return ""
    if colonne.sorte == Sorte.CHOIX:  # the label from the prefetched options: no query per row
        return next((o.libelle for o in colonne.question.options.all() if o.pk == valeur.option_id), "")
    return _nombre(valeur.nombre) if colonne.sorte == Sorte.NOMBRE else valeur.texte


def _info(entete, reponse):
    if entete == "id":
        return reponse.pk
    if entete == "canal":
        return reponse.get_canal_display()
    return timezone.localtime(reponse.soumise_le).replace(tzinfo=None)  # Europe/Paris, as people read it


def _profil(champ, famille):
    if famille is None:  # anonymised by the retention (diagnostic/retention.py)
        return ""
    match champ:
        case "commune":
            return famille.commune.nom if famille.commune else ""
        case "ages_enfants":
            return ", ".join(str(age) for age in famille.ages_enfants or [])
        case "monoparentale":
            return "oui" if famille.monoparentale else "non"
        case "etape_vie":
            return famille.get_etape_vie_display()
        case "affiliation_msa":
            return famille.get_affiliation_msa_display()
    return getattr(famille, champ)


def _nombre(nombre):
    return int(nombre) if nombre == nombre.to_integral_value() else nombre.normalize()


# --- aggregated results -----------------------------------------------------------------------
ENTETES_RESULTATS = ["code", "question", "ligne de la grille", "réponse", "effectif", "%", "répondants", "moyenne"]


def lignes_resultats(liste):
    """The results page as rows: one per option, level, class or grid cell (diagnostic.resultats)."""
    for r in liste:
        debut = [r.question.code, r.question.texte]
        if r.grille:
            for libelle, barres, moyenne in r.grille:
                yield from ([*debut, libelle, *_barre(b), r.repondants, moyenne] for b in barres)
        elif r.barres:
            yield from ([*debut, "", *_barre(b), r.repondants, r.moyenne] for b in r.barres)
        else:  # free text, or a number nobody gave
            yield [*debut, "", "", "", "", r.repondants, r.moyenne]


def _barre(barre):
    pourcentage = round(100 * barre.effectif / barre.total, 1) if barre.total else 0
    return [barre.libelle, barre.effectif, pourcentage]


# --- writing files ----------------------------------------------------------------------------
def ecrire_csv(entetes, lignes):
    """CSV as Excel in French opens it with a double click: UTF-8 with BOM, semicolons, decimal commas."""
    tampon = io.StringIO()
    ecrivain = csv.writer(tampon, delimiter=";", lineterminator="\r\n")
    ecrivain.writerow([_texte_csv(v) for v in entetes])
    for ligne in lignes:
        ecrivain.writerow([_texte_csv(v) for v in ligne])
    return ("\ufeff" + tampon.getvalue()).encode("utf-8")


def _texte_csv(valeur):
    if valeur is None:
        return ""
    if isinstance(valeur, datetime):
        return f"{valeur:%d/%m/%Y %H:%M}"
    if isinstance(valeur, Decimal | float):
        return str(valeur).replace(".", ",")
    if isinstance(valeur, str) and valeur.startswith(DEBUTS_DE_FORMULE):
        return "'" + valeur  # the usual guard against formula injection; the import removes it
    return str(valeur)


def ecrire_xlsx(entetes, lignes, feuille):
    """A one-sheet workbook, written row by row (write-only mode keeps memory flat)."""
    return ecrire_classeur([(feuille, entetes, lignes)])


def ecrire_classeur(feuilles):
    """A workbook of several sheets, each given as (name, headers, rows), written row by row."""
    classeur = Workbook(write_only=True)
    for feuille, entetes, lignes in feuilles:
        onglet = classeur.create_sheet(feuille)
        onglet.append([_cellule(onglet, v, gras=True) for v in entetes])
        for ligne in lignes:
            onglet.append([_cellule(onglet, v) for v in ligne])
    tampon = io.BytesIO()
    classeur.save(tampon)
    return tampon.getvalue()


def _cellule(onglet, valeur, gras=False):
    if isinstance(valeur, Decimal):
        valeur = float(valeur)
    if isinstance(valeur, str):
        valeur = ILLEGAL_CHARACTERS_RE.sub("", valeur)  # control characters make the file unreadable
    cellule = WriteOnlyCell(onglet, value=valeur)
    if isinstance(valeur, str):
        cellule.data_type = "s"  # a text starting with « = » stays a text, never a formula
    elif isinstance(valeur, date):
        cellule.number_format = "DD/MM/YYYY"  # as French spreadsheets show dates
    if gras:
        cellule.font = Font(bold=True)
    return cellule


def qr_code(lien, format):
    """The QR code of `lien`, large enough to print on a poster."""
    tampon = io.BytesIO()
    segno.make(lien, error="m").save(tampon, kind=format, scale=10, border=4)
    return tampon.getvalue()


# --- reading files ----------------------------------------------------------------------------
def lire_tableau(nom_fichier, contenu):
    """The non-empty rows of a CSV or XLSX file as (line number, [cell text]), header first, and the notices
    about how it was read (an encoding that had to be guessed)."""
    extension = PurePath(nom_fichier).suffix.lower()
    if extension not in EXTENSIONS:
        raise FichierIllisible("Envoyez un fichier .csv ou .xlsx (classeur Excel).")
    if contenu.startswith(OLE2):
        raise FichierIllisible(CLASSEUR_ANCIEN)
    remarques = []
    # The content decides, not the name: a workbook renamed .csv is still a workbook.
    if contenu.startswith(ZIP):
        lignes = _lire_xlsx(contenu)
    elif extension == ".xlsx":
        raise FichierIllisible(XLSX_ILLISIBLE)
    else:
        lignes, remarques = _lire_csv(contenu)
    tableau = []
    for numero, cellules in enumerate(lignes, start=1):
        if any(c.strip() for c in cellules):
            tableau.append((numero, [_sans_garde(c) for c in cellules]))
        if len(tableau) > LIGNES_MAX + 1:  # the header and LIGNES_MAX answers: no need to read further
            raise FichierIllisible(
                f"Le fichier compte plus de {francais.nombre(LIGNES_MAX, 0)} réponses : découpez-le en plusieurs fichiers."
            )
    if not tableau:
        raise FichierIllisible("Le fichier est vide.")
    return tableau, remarques


def _lire_csv(contenu):
    texte, remarque = _decoder(contenu)
    return _lignes_csv(texte, _separateur(texte)), [remarque] if remarque else []


def _decoder(contenu):
    """The text, and a notice when the encoding had to be guessed.

    UTF-8 (with or without BOM) as today's tools write it; UTF-16 with its BOM (Excel's « Texte Unicode »);
    else Windows-1252, which older Excel writes (Latin-1 with the € sign).
    """
    if contenu.startswith(BOM_UTF16):
        try:
            return contenu.decode("utf-16"), None
        except UnicodeDecodeError:
            raise FichierIllisible(PAS_UN_TABLEAU) from None
    if _binaire(contenu):
        raise FichierIllisible(PAS_UN_TABLEAU)
    try:
        return contenu.decode("utf-8-sig"), None
    except UnicodeDecodeError as erreur:
        # Accents written in UTF-8 elsewhere in the file: read as Windows-1252 they would become « Ã© ».
        if ACCENTS_UTF8.search(contenu):
            ligne = contenu.count(b"\n", 0, erreur.start) + 1
            raise FichierIllisible(
                f"Le fichier mélange deux encodages de caractères : il est en UTF-8, mais la ligne {ligne} contient "
                "des caractères d'un autre encodage. Enregistrez-le de nouveau depuis votre tableur au format "
                "« CSV UTF-8 »."
            ) from None
    try:
        return contenu.decode("cp1252"), LU_EN_WINDOWS
    except UnicodeDecodeError:
        raise FichierIllisible(
            "Les caractères de ce fichier ne sont ni en UTF-8 ni en encodage Windows : enregistrez-le depuis votre "
            "tableur au format « CSV UTF-8 »."
        ) from None


def _binaire(contenu):
    """Bytes that no text file holds: NUL, or many control characters (an image, a PDF, an archive…)."""
    debut = contenu[:65536]
    controles = len(debut) - len(debut.translate(None, CONTROLES))
    return b"\x00" in debut or controles > len(debut) // 100


def _separateur(texte):
    """The separator that cuts the header line into the most columns (French Excel writes semicolons)."""
    entete = next((ligne for ligne in texte[:65536].splitlines() if ligne.strip()), "")
    if not entete:
        return SEPARATEURS[0]  # an empty file: lire_tableau says so
    colonnes = {separateur: len(next(csv.reader([entete], delimiter=separateur))) for separateur in SEPARATEURS}
    meilleur = max(SEPARATEURS, key=colonnes.get)  # a tie goes to the first one
    if colonnes[meilleur] < 2:
        raise FichierIllisible(
            "La première ligne (les en-têtes) n'a qu'une colonne : séparez les colonnes par des points-virgules, "
            "des virgules ou des tabulations, comme le fait votre tableur en enregistrant au format CSV."
        )
    return meilleur


def _lignes_csv(texte, separateur):
    """The rows as they are read; a malformed row stops the reading with its number (as a spreadsheet counts)."""
    lecteur = csv.reader(io.StringIO(texte, newline=""), delimiter=separateur, strict=True)
    for numero in itertools.count(1):
        try:
            yield next(lecteur)
        except StopIteration:
            return
        except csv.Error as erreur:
            raise FichierIllisible(_erreur_csv(str(erreur), numero)) from None


def _erreur_csv(erreur, numero):
    if "end of data" in erreur:
        return (
            f"Ligne {numero} : un guillemet ouvert n'est jamais fermé (la suite du fichier ne serait qu'une cellule)."
        )
    if "field limit" in erreur:
        return (
            f"Ligne {numero} : une cellule dépasse {francais.nombre(csv.field_size_limit(), 0)} caractères ; un guillemet "
            "ouvert n'est peut-être jamais fermé."
        )
    if "expected after" in erreur:
        return (
            f"Ligne {numero} : guillemet mal placé. Une cellule qui commence par un guillemet doit finir par un "
            'guillemet ; un guillemet dans le texte s\'écrit deux fois ("").'
        )
    return f"Ligne {numero} : cette ligne du fichier CSV est mal formée."


def _lire_xlsx(contenu):
    """The rows of the first sheet, read one by one (a sheet too long is refused without reading it all)."""
    _verifier_archive(contenu)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # style warnings of files saved by other tools are harmless
            classeur = load_workbook(io.BytesIO(contenu), read_only=True, data_only=True)
            try:
                onglet = classeur.worksheets[0]
                onglet.reset_dimensions()  # some tools write a wrong size: read every row there is
                for ligne in onglet.iter_rows(values_only=True):
                    yield [_texte_lu(v) for v in ligne]
            finally:
                classeur.close()
    except Exception:
        # Any failure of the parser on a file we did not write (broken zip, truncated or invalid XML…) means the
        # same to the person who sent it; the log keeps the detail.
        journal.info("Classeur illisible à l'import", exc_info=True)
        raise FichierIllisible(XLSX_ILLISIBLE) from None


def _verifier_archive(contenu):
    """A workbook that would fill the memory once inflated (a « zip bomb ») is refused before it is opened."""
    try:
        with zipfile.ZipFile(io.BytesIO(contenu)) as archive:
            taille = sum(membre.file_size for membre in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        raise FichierIllisible(XLSX_ILLISIBLE) from None
    if taille > TAILLE_DECOMPRESSEE_MAX:
        raise FichierIllisible(
            f"Ce classeur occuperait {taille // 1024 // 1024} Mo une fois ouvert : découpez-le en plusieurs fichiers."
        )


def _texte_lu(valeur):
    if valeur is None:
        return ""
    if isinstance(valeur, bool):
        return "1" if valeur else "0"
    if isinstance(valeur, float) and valeur.is_integer():
        return str(int(valeur))  # Excel stores every number as a float: 2.0 means 2
    if isinstance(valeur, datetime):
        return valeur.isoformat(sep=" ")
    return str(valeur).strip()


def _sans_garde(cellule):
    """Undo the export's guard against formula injection ('=… → =…)."""
    if cellule.startswith("'") and cellule[1:].startswith(DEBUTS_DE_FORMULE):
        return cellule[1:]
    return cellule


def cle(texte):
    """How headers and labels are compared: case, accents and spacing do not matter."""
    sans_accents = unicodedata.normalize("NFKD", texte).encode("ascii", "ignore").decode()
    return " ".join(sans_accents.casefold().split())


def associer_entetes(entetes, attendues):
    """The column of each header cell (None for blank ones); refuses unknown, duplicate or missing ones."""
    exactes = {c.entete: c for c in attendues}
    approchees = {}
    for colonne in attendues:
        approchees.setdefault(cle(colonne.entete), []).append(colonne)
    trouvees, inconnues = [], []
    for entete in entetes:
        entete = entete.strip()
        candidates = approchees.get(cle(entete), [])
        # An exact match first: « garde:Autre » (the option) and « garde:autre » (its text) differ by case only.
        colonne = exactes.get(entete) or (candidates[0] if len(candidates) == 1 else None)
        if entete and colonne is None:
            inconnues.append(entete)
        trouvees.append(colonne)
    _verifier_entetes(trouvees, inconnues, attendues)
    return trouvees


def _verifier_entetes(trouvees, inconnues, attendues):
    presentes = [c for c in trouvees if c is not None]
    doubles = sorted({c.entete for c in presentes if presentes.count(c) > 1})
    manquantes = [c.entete for c in attendues if c.obligatoire and c not in presentes]
    problemes = []
    if inconnues:
        problemes.append(
            f"Colonnes inconnues : {_liste(inconnues)}. Reprenez les en-têtes du fichier modèle (orthographe comprise)."
        )
    if doubles:
        problemes.append(f"Colonnes en double : {_liste(doubles)}.")
    if manquantes:
        problemes.append(f"Colonnes obligatoires manquantes : {_liste(manquantes)}.")
    if problemes:
        raise FichierIllisible(*problemes)


def _liste(noms):
    return ", ".join(f"« {nom} »" for nom in noms)


# --- one row → the online form's data ---------------------------------------------------------
class LecteurDeLignes:
    """Turns the cells of one row into the data the online form would have received.

    Labels become the ids the form expects (commune by name or INSEE code, options by label).
    A value that matches nothing is noted as a reading error, with a clearer message than the
    form's generic « choix non valide ».
    """

    def __init__(self, colonnes_du_fichier, communes):
        self.colonnes = colonnes_du_fichier
        self.communes = {}
        for commune in communes:
            self.communes[commune.code_insee] = commune.pk
            self.communes.setdefault(cle(commune.nom), commune.pk)
            self.communes.setdefault(cle(str(commune)), commune.pk)  # « Nom (55) »
        self.profils = {
            "etape_vie": _choix_par_cle(Famille.EtapeVie.choices),
            "affiliation_msa": _choix_par_cle(Famille.AffiliationMsa.choices),
            "monoparentale": OUI_NON,
        }

    def donnees(self, cellules):
        """(form data, {form field: (column, message)} for the values that could not be read)."""
        donnees, erreurs = MultiValueDict(), {}
        cellules = cellules + [""] * (len(self.colonnes) - len(cellules))
        for colonne, valeur in zip(self.colonnes, cellules, strict=False):
            if colonne is not None and colonne.sorte != Sorte.INFO:
                self._lire(colonne, valeur.strip(), donnees, erreurs)
        if len(cellules) > len(self.colonnes) and any(c.strip() for c in cellules[len(self.colonnes) :]):
            erreurs["cellules_en_trop"] = ("", "Cette ligne a plus de cellules que l'en-tête n'a de colonnes.")
        return donnees, erreurs

    def _lire(self, colonne, valeur, donnees, erreurs):
        match colonne.sorte:
            case Sorte.PROFIL:
                traduite, message = self._profil(colonne.champ, valeur)
            case Sorte.CHOIX:
                traduite, message = self._option(colonne.question, valeur)
            case Sorte.COCHE:
                if cle(valeur) in COCHE_OUI:
                    donnees.appendlist(colonne.champ, str(colonne.option.pk))
                elif cle(valeur) not in COCHE_NON:
                    erreurs[colonne.champ] = (colonne.entete, f"Écrivez 1 (case cochée) ou 0, pas « {valeur} ».")
                return
            case _:
                traduite, message = valeur, None
        donnees[colonne.champ] = traduite
        if message:
            erreurs[colonne.champ] = (colonne.entete, message)

    def _profil(self, champ, valeur):
        if not valeur:
            return "", None  # the form says what an empty answer means
        if champ == "commune":
            pk = self.communes.get(valeur) or self.communes.get(cle(valeur))
            return (pk, None) if pk else (valeur, f"Commune inconnue dans cette charte : « {valeur} ».")
        if champ in self.profils:
            code = self.profils[champ].get(cle(valeur))
            return (code, None) if code else (valeur, f"Valeur inconnue : « {valeur} ». {EXPLICATIONS_PROFIL[champ]}.")
        return valeur, None

    @staticmethod
    def _option(question, valeur):
        if not valeur:
            return "", None
        options = list(question.options.all())
        trouvee = next((o for o in options if o.libelle == valeur), None) or next(
            (o for o in options if cle(o.libelle) == cle(valeur)), None
        )
        if trouvee:
            return str(trouvee.pk), None
        possibles = " / ".join(o.libelle for o in options)
        return valeur, f"« {valeur} » n'est pas une réponse possible. Réponses possibles : {possibles}."


def _choix_par_cle(choix):
    return {cle(texte): code for code, libelle in choix for texte in (code, libelle)}


# --- import -----------------------------------------------------------------------------------
@dataclass
class Erreur:
    ligne: int
    colonne: str
    message: str


@dataclass
class LigneValide:
    profil: dict
    valeurs: list
    jeton: str


@dataclass
class Analyse:
    lignes: list = field(default_factory=list)  # LigneValide, ready to store
    erreurs: list = field(default_factory=list)  # Erreur, in file order
    remarques: list = field(default_factory=list)  # how the file was read, for the person who sent it

    @property
    def lignes_en_erreur(self):
        return sorted({e.ligne for e in self.erreurs})


def jeton_import(enquete, empreinte, numero):
    """Same survey, same file, same line → same token: importing a file twice stores it once."""
    return "import-" + hashlib.sha256(f"{enquete.pk}:{empreinte}:{numero}".encode()).hexdigest()[:48]


def analyser_import(enquete, questions, communes, nom_fichier, contenu):
    """Read and validate every row, with the online form's rules; store nothing."""
    questions = list(questions)
    ((_numero, entetes), *lignes), remarques = lire_tableau(nom_fichier, contenu)
    attendues = colonnes(questions)
    lecteur = LecteurDeLignes(associer_entetes(entetes, attendues), communes)
    if not lignes:
        raise FichierIllisible("Le fichier ne contient aucune réponse sous la ligne d'en-tête.")
    noms = noms_des_champs(attendues)
    modele = QuestionnaireForm(enquete=enquete, questions=questions, communes=communes)
    empreinte, analyse = hashlib.sha256(contenu).hexdigest(), Analyse(remarques=remarques)
    for numero, cellules in lignes:
        donnees, illisibles = lecteur.donnees(cellules)
        donnees["jeton"] = jeton_import(enquete, empreinte, numero)
        form = modele.lier(donnees, enquete=enquete)
        if form.is_valid() and not illisibles:
            analyse.lignes.append(LigneValide(form.profil(), form.valeurs(), form.cleaned_data["jeton"]))
        else:
            analyse.erreurs += erreurs_de_la_ligne(numero, illisibles, form.errors, noms)
    return analyse


def noms_des_champs(attendues):
    """Form field → the column to name in the report (the question code for a multiple choice)."""
    noms = {c.champ: c.question.code if c.sorte == Sorte.COCHE else c.entete for c in attendues if c.champ}
    return noms | {"__all__": ""}


def erreurs_de_la_ligne(numero, illisibles, erreurs_du_formulaire, noms):
    erreurs = [Erreur(numero, colonne, message) for colonne, message in illisibles.values()]
    for champ, messages in erreurs_du_formulaire.items():
        if champ not in illisibles:  # already explained in clearer words
            erreurs += [Erreur(numero, noms.get(champ, champ), message) for message in messages]
    return erreurs


@transaction.atomic
def enregistrer_import(enquete, lignes, par):
    """Store every validated row (all or nothing); returns (stored now, already there)."""
    # One query spots the rows of a file imported before: they are skipped, not stored twice.
    deja = set(
        Reponse.objects.filter(jeton_soumission__in=[ligne.jeton for ligne in lignes]).values_list(
            "jeton_soumission", flat=True
        )
    )
    nouvelles = [ligne for ligne in lignes if ligne.jeton not in deja]
    enregistrer_reponses_en_masse(
        enquete,
        [(ligne.profil, ligne.valeurs, ligne.jeton) for ligne in nouvelles],
        canal=Reponse.Canal.IMPORT,
        par=par,
    )
    if nouvelles:
        Journal.noter(enquete.charte, par, f"{len(nouvelles)} réponse(s) importée(s) dans « {enquete.titre} »")
    return len(nouvelles), len(lignes) - len(nouvelles)
