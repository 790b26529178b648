"""Importing survey answers from the files people really have: every encoding, separator and line ending that
spreadsheets write, and the files that are not what they claim. A file is read whole or refused with a French
message saying what to do; one wrong row and nothing is imported, the report naming its row and column."""

import copy
import csv
import io
import time
import zipfile

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook

from diagnostic import fichiers
from diagnostic.models import Reponse
from diagnostic.services import creer_enquete
from tests.diagnostic.conftest import QUESTIONNAIRE
from tests.diagnostic.test_fichiers import importer, lire_csv, message, url
from tests.factories import CommuneFactory

# The shared test questionnaire, with the labels that break encodings: « Crèche », « Assistante maternelle ».
QUESTIONNAIRE_IMPORT = copy.deepcopy(QUESTIONNAIRE)
QUESTIONNAIRE_IMPORT["sections"][0]["questions"][0]["options"].insert(1, {"libelle": "Assistante maternelle"})
ERIZE, SAINT_REMY = "Érize-la-Brûlée", "Saint-Rémy-la-Calonne"
FAMILLE = {
    "commune": ERIZE,
    "adultes": "2",
    "enfants": "1",
    "âges des enfants": "2",
    "monoparentale": "non",
    "étape de vie": "Parents de jeunes enfants (0-3 ans)",
    "affiliation MSA": "Oui",
    "garde": "Assistante maternelle",
}
CRECHE = FAMILLE | {"commune": SAINT_REMY, "garde": "Crèche", "difficulte:Coût": "1", "idee": "Une aide de 50 € l'été"}
ILLISIBLE = ["Ce fichier n'est pas un classeur Excel (.xlsx) lisible."]


@pytest.fixture
def enquete(charte):
    for nom in (ERIZE, SAINT_REMY):
        charte.communes.add(CommuneFactory(nom=nom, territoire=charte.territoire))
    return creer_enquete(charte, QUESTIONNAIRE_IMPORT, par=None, titre="Saisies papier")


@pytest.fixture
def coordinateur(client_de, charte):
    return client_de(charte.membres.get().utilisateur)


@pytest.fixture
def entetes(coordinateur, enquete):
    """The headers of the template file the import page offers, as a coordinator fills it in."""
    return lire_csv(coordinateur.get(url("modele_import", enquete, "csv")).content)[0]


def texte_csv(entetes, lignes, separateur=";", fin="\r\n"):
    tampon = io.StringIO()
    ecrivain = csv.writer(tampon, delimiter=separateur, lineterminator=fin)
    ecrivain.writerows([entetes, *([ligne.get(entete, "") for entete in entetes] for ligne in lignes)])
    return tampon.getvalue()


def classeur(entetes, lignes):
    feuille = Workbook()
    for ligne in [entetes, *([ligne.get(entete, "") for entete in entetes] for ligne in lignes)]:
        feuille.active.append(ligne)
    tampon = io.BytesIO()
    feuille.save(tampon)
    return tampon.getvalue()


def importees(enquete):
    """What was stored, as the results will show it: (commune, childcare, idea) per answer."""
    lignes = []
    for reponse in enquete.reponses.select_related("famille__commune").prefetch_related("valeurs__option"):
        valeurs = {v.question.code: v for v in reponse.valeurs.select_related("question", "option")}
        garde, idee = valeurs.get("garde"), valeurs.get("idee")
        lignes.append((reponse.famille.commune.nom, garde and garde.option.libelle, idee and idee.texte))
    return sorted(lignes)


def refus(reponse):
    """The reasons the file was refused, under the file field; nothing was stored."""
    assert reponse.status_code == 200
    return reponse.context["form"].errors["fichier"]


def erreurs(reponse):
    return {(e.ligne, e.colonne): e.message for e in reponse.context["erreurs"]}


# --- encodings, separators, line ends -----------------------------------------------------------
@pytest.mark.parametrize("separateur", [";", ",", "\t"])
@pytest.mark.parametrize("encodage", ["utf-8", "utf-8-sig", "utf-16"])
def test_utf8_avec_ou_sans_bom_et_utf16_quel_que_soit_le_separateur(
    coordinateur, enquete, entetes, encodage, separateur
):
    contenu = texte_csv(entetes, [FAMILLE, CRECHE], separateur).encode(encodage)
    reponse = importer(coordinateur, enquete, contenu)
    assert reponse.status_code == 302, reponse.context and (refus(reponse), reponse.context["erreurs"])
    assert message(reponse) == ["2 réponses importées, 0 déjà présente."]
    assert importees(enquete) == [
        (SAINT_REMY, "Crèche", "Une aide de 50 € l'été"),
        (ERIZE, "Assistante maternelle", None),
    ]


@pytest.mark.parametrize("encodage", ["cp1252", "latin-1"])
def test_fichier_windows_lu_avec_ses_accents_et_signale(coordinateur, enquete, entetes, encodage):
    idee = "Une aide de 50 € l'été" if encodage == "cp1252" else "Une aide l'été, à la crèche"  # no € in Latin-1
    contenu = texte_csv(entetes, [FAMILLE, CRECHE | {"idee": idee}]).encode(encodage)
    reponse = importer(coordinateur, enquete, contenu)
    assert reponse.status_code == 302, reponse.context and reponse.context["erreurs"]
    assert message(reponse) == [fichiers.LU_EN_WINDOWS, "2 réponses importées, 0 déjà présente."]
    assert importees(enquete) == [(SAINT_REMY, "Crèche", idee), (ERIZE, "Assistante maternelle", None)]


@pytest.mark.parametrize("fin", ["\r\n", "\n", "\r"], ids=["crlf", "lf", "cr"])
def test_toutes_les_fins_de_ligne(coordinateur, enquete, entetes, fin):
    reponse = importer(coordinateur, enquete, texte_csv(entetes, [FAMILLE, CRECHE], fin=fin).encode())
    assert reponse.status_code == 302
    assert len(importees(enquete)) == 2


def test_cellules_entre_guillemets_sur_plusieurs_lignes_et_numero_de_ligne_du_tableur(coordinateur, enquete, entetes):
    idee = 'Des places le mercredi ;\nune « crèche » "familiale", à Érize'
    contenu = texte_csv(entetes, [CRECHE | {"idee": idee}, FAMILLE | {"garde": "Piscine"}]).encode()
    reponse = importer(coordinateur, enquete, contenu)
    # The third row of the spreadsheet, though the fourth line of the text file.
    assert list(erreurs(reponse)) == [(3, "garde")]
    assert enquete.reponses.count() == 0

    importer(coordinateur, enquete, texte_csv(entetes, [CRECHE | {"idee": idee}, FAMILLE]).encode())
    assert importees(enquete) == [(SAINT_REMY, "Crèche", idee), (ERIZE, "Assistante maternelle", None)]


def test_deux_encodages_melanges_refuses_avec_la_ligne(coordinateur, enquete, entetes):
    utf8 = texte_csv(entetes, [CRECHE, FAMILLE]).encode()
    windows = texte_csv(entetes, [CRECHE])[len(texte_csv(entetes, [])) :].encode("cp1252")
    assert refus(importer(coordinateur, enquete, utf8 + windows)) == [
        "Le fichier mélange deux encodages de caractères : il est en UTF-8, mais la ligne 4 contient des caractères "
        "d'un autre encodage. Enregistrez-le de nouveau depuis votre tableur au format « CSV UTF-8 »."
    ]
    assert enquete.reponses.count() == 0


def test_separateur_inconnu(coordinateur, enquete, entetes):
    reponse = importer(coordinateur, enquete, texte_csv(entetes, [FAMILLE], separateur="|").encode())
    assert refus(reponse) == [
        "La première ligne (les en-têtes) n'a qu'une colonne : séparez les colonnes par des points-virgules, des "
        "virgules ou des tabulations, comme le fait votre tableur en enregistrant au format CSV."
    ]


def test_guillemets_mal_formes(coordinateur, enquete, entetes):
    debut = texte_csv(entetes, [FAMILLE])
    jamais_ferme = debut + 'Érize-la-Brûlée;"2;1\r\n' + texte_csv(entetes, [FAMILLE] * 3)
    assert refus(importer(coordinateur, enquete, jamais_ferme.encode())) == [
        "Ligne 3 : un guillemet ouvert n'est jamais fermé (la suite du fichier ne serait qu'une cellule)."
    ]
    mal_place = debut + 'Érize-la-Brûlée;"2"1;1\r\n'
    assert refus(importer(coordinateur, enquete, mal_place.encode()))[0].startswith("Ligne 3 : guillemet mal placé.")
    assert enquete.reponses.count() == 0


# --- files that are not what they claim ---------------------------------------------------------
def test_fichiers_vides_ou_sans_reponse(coordinateur, enquete, entetes):
    assert refus(importer(coordinateur, enquete, b"")) == ["Le fichier soumis est vide."]
    assert refus(importer(coordinateur, enquete, b"\xef\xbb\xbf\r\n;;\r\n")) == ["Le fichier est vide."]
    assert refus(importer(coordinateur, enquete, texte_csv(entetes, []).encode())) == [
        "Le fichier ne contient aucune réponse sous la ligne d'en-tête."
    ]
    assert refus(importer(coordinateur, enquete, classeur([], []), nom="vide.xlsx")) == ["Le fichier est vide."]


@pytest.mark.parametrize(
    "contenu",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8,
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Length 5 /Filter /FlateDecode >>\nstream\n\x78\x9c\x03\x00\x00",
    ],
    ids=["image", "pdf"],
)
def test_fichier_binaire_renomme_en_csv(coordinateur, enquete, contenu):
    assert refus(importer(coordinateur, enquete, contenu)) == [fichiers.PAS_UN_TABLEAU]


def test_classeur_renomme_en_csv_lu_comme_un_classeur(coordinateur, enquete, entetes):
    reponse = importer(coordinateur, enquete, classeur(entetes, [FAMILLE, CRECHE]), nom="reponses.csv")
    assert reponse.status_code == 302
    assert len(importees(enquete)) == 2


def corrompre(contenu, membre, remplacement):
    """The same workbook with one of its parts replaced."""
    source, tampon = zipfile.ZipFile(io.BytesIO(contenu)), io.BytesIO()
    with zipfile.ZipFile(tampon, "w") as copie:
        for nom in source.namelist():
            copie.writestr(nom, remplacement(source.read(nom)) if nom == membre else source.read(nom))
    return tampon.getvalue()


def test_classeurs_corrompus_ou_qui_n_en_sont_pas(coordinateur, enquete, entetes):
    bon = classeur(entetes, [FAMILLE])
    autre_archive = io.BytesIO()
    with zipfile.ZipFile(autre_archive, "w") as archive:
        archive.writestr("photos/ecole.txt", "pas un classeur")
    for contenu in [
        autre_archive.getvalue(),
        bon[: len(bon) // 2],  # cut short
        corrompre(bon, "xl/worksheets/sheet1.xml", lambda xml: xml[: len(xml) // 2]),  # truncated XML inside
        corrompre(bon, "xl/styles.xml", lambda _xml: b"<<< pas du XML"),
        texte_csv(entetes, [FAMILLE]).encode(),  # a CSV named .xlsx
    ]:
        assert refus(importer(coordinateur, enquete, contenu, nom="reponses.xlsx")) == ILLISIBLE
    ancien = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(2048)  # the header of an .xls (or a protected .xlsx)
    assert refus(importer(coordinateur, enquete, ancien, nom="reponses.xlsx")) == [fichiers.CLASSEUR_ANCIEN]
    assert enquete.reponses.count() == 0


# --- sizes ----------------------------------------------------------------------------------------
def test_fichier_trop_lourd_refuse_avec_la_limite(coordinateur, enquete, entetes):
    ligne = texte_csv(entetes, [FAMILLE])[len(texte_csv(entetes, [])) :]
    contenu = texte_csv(entetes, []).encode() + ligne.encode() * (20 * 1024 * 1024 // len(ligne.encode()))
    assert refus(importer(coordinateur, enquete, contenu)) == [
        "Ce fichier pèse 20,0 Mo : la limite est de 5 Mo. Découpez-le en plusieurs fichiers."
    ]
    assert enquete.reponses.count() == 0


def test_trop_de_lignes(coordinateur, enquete, entetes):
    contenu = texte_csv(entetes, [FAMILLE] * (fichiers.LIGNES_MAX + 1)).encode()
    assert len(contenu) < fichiers.TAILLE_MAX
    assert refus(importer(coordinateur, enquete, contenu)) == [
        "Le fichier compte plus de 5\xa0000 réponses : découpez-le en plusieurs fichiers."
    ]


def test_classeur_enorme_une_fois_decompresse(coordinateur, enquete, entetes):
    """A small zip that would inflate to more than 100 MB (a « zip bomb ») is refused before it is opened."""
    tampon = io.BytesIO()
    source = zipfile.ZipFile(io.BytesIO(classeur(entetes, [FAMILLE])))
    with zipfile.ZipFile(tampon, "w", zipfile.ZIP_DEFLATED) as bombe:
        for nom in source.namelist():
            bombe.writestr(nom, source.read(nom))
        with bombe.open("xl/media/remplissage.xml", "w") as remplissage:
            for _ in range(110):
                remplissage.write(b" " * 1024 * 1024)
    assert len(tampon.getvalue()) < fichiers.TAILLE_MAX
    assert refus(importer(coordinateur, enquete, tampon.getvalue(), nom="reponses.xlsx")) == [
        "Ce classeur occuperait 110 Mo une fois ouvert : découpez-le en plusieurs fichiers."
    ]


@pytest.fixture
def ids_des_reponses_rendus(db):
    """Give the answers' id sequence back as it was: the rows are rolled back, the sequence is not.

    The results pages fold their counts once a survey's ids run ahead by comptages.A_REPLIER: 5 000 ids used
    here would add a fold to the queries that later tests count on a new survey.
    """
    with connection.cursor() as curseur:
        curseur.execute("SELECT pg_get_serial_sequence(%s, 'id')", [Reponse._meta.db_table])
        sequence = curseur.fetchone()[0]
        curseur.execute(f"SELECT last_value, is_called FROM {sequence}")
        etat = curseur.fetchone()
    yield
    with connection.cursor() as curseur:
        curseur.execute("SELECT setval(%s, %s, %s)", [sequence, *etat])


def lignes_variees(n):
    """n households of both communes and every childcare answer."""
    gardes = ["Crèche", "Assistante maternelle", "Grands-parents"]
    return [FAMILLE | {"commune": (ERIZE, SAINT_REMY)[i % 2], "garde": gardes[i % 3]} for i in range(n)]


@pytest.mark.parametrize("format", ["csv", "xlsx"])
def test_cinq_mille_lignes_importees_entierement(coordinateur, enquete, entetes, format, ids_des_reponses_rendus):
    lignes = lignes_variees(5000)
    contenu = texte_csv(entetes, lignes).encode() if format == "csv" else classeur(entetes, lignes)
    debut = time.perf_counter()
    reponse = importer(coordinateur, enquete, contenu, nom=f"reponses.{format}")
    duree = time.perf_counter() - debut
    assert reponse.status_code == 302, reponse.context and reponse.context["erreurs"][:5]
    assert message(reponse) == ["5000 réponses importées, 0 déjà présente."]
    assert enquete.reponses.count() == 5000
    assert enquete.reponses.filter(valeurs__option__libelle="Crèche").count() == 1667
    print(f"Import de 5 000 lignes ({format.upper()}, {len(contenu) / 1024:.0f} Kio) : {duree:.1f} s")


def test_une_erreur_au_milieu_rien_n_est_importe(coordinateur, enquete, entetes):
    lignes = lignes_variees(1000)
    lignes[499] = lignes[499] | {"garde": "Halte-garderie"}
    lignes[700] = lignes[700] | {"adultes": "deux"}
    reponse = importer(coordinateur, enquete, texte_csv(entetes, lignes).encode())
    assert reponse.context["lignes_en_erreur"] == [501, 702]  # the header is row 1
    assert erreurs(reponse)[(501, "garde")].startswith("« Halte-garderie » n'est pas une réponse possible.")
    assert erreurs(reponse)[(702, "adultes")] == "Saisissez un nombre entier."
    page = reponse.content.decode()
    assert "Aucune réponse n'a été importée" in page and "2 lignes du fichier sont à corriger" in page
    assert enquete.reponses.count() == 0


def test_requetes_de_l_import_independantes_du_nombre_de_lignes(coordinateur, enquete, entetes):
    def requetes(n, numero):
        contenu = texte_csv(entetes, lignes_variees(n) + [FAMILLE | {"idee": f"fichier {numero}"}]).encode()
        with CaptureQueriesContext(connection) as capturees:
            assert importer(coordinateur, enquete, contenu).status_code == 302
        return len(capturees)

    assert requetes(10, 1) == requetes(300, 2)


def test_l_import_reste_protege_contre_les_requetes_d_un_autre_site(charte, enquete, entetes):
    """The view reads the upload itself (to stop a huge one): the CSRF check must still apply."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(charte.membres.get().utilisateur)
    reponse = importer(client, enquete, texte_csv(entetes, [FAMILLE]).encode())
    assert reponse.status_code == 403
    assert enquete.reponses.count() == 0
