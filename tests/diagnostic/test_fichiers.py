"""Survey files: what a coordinator sees when exporting, importing and printing the QR code."""

import copy
import csv
import io
from datetime import datetime

import pytest
import segno
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from diagnostic.models import Enquete, Reponse
from diagnostic.resultats import resultats
from diagnostic.services import creer_enquete
from diagnostic.views import questions_ordonnees
from tests.conftest import compter_requetes
from tests.diagnostic.conftest import QUESTIONNAIRE, option, profil, question, repondre_en_masse
from tests.factories import CommuneFactory

# The shared test questionnaire, plus a multiple choice with « autre, précisez ».
QUESTIONNAIRE_FICHIERS = copy.deepcopy(QUESTIONNAIRE)
QUESTIONNAIRE_FICHIERS["sections"][0]["questions"].append(
    {
        "code": "aides",
        "texte": "Quelles aides connaissez-vous ?",
        "type": "choix_multiple",
        "options": [{"libelle": "CAF"}, {"libelle": "Autre", "autre": True}],
    }
)
ENTETES = [
    "id",
    "reçue le",
    "canal",
    "commune",
    "adultes",
    "enfants",
    "âges des enfants",
    "monoparentale",
    "étape de vie",
    "affiliation MSA",
    "garde",
    "garde:autre",
    "difficulte:Horaires",
    "difficulte:Coût",
    "difficulte:Distance",
    "satisfaction",
    "distance",
    "services:Crèche",
    "services:PMI",
    "idee",
    "aides:CAF",
    "aides:Autre",
    "aides:autre",
]
INSEE_TRIAUCOURT = "55519"
PNG = b"\x89PNG\r\n\x1a\n"
LIGNE_VALIDE = {
    "commune": "Beausite",
    "adultes": "2",
    "enfants": "0",
    "monoparentale": "non",
    "étape de vie": "Parents d'enfants (3-11 ans)",
    "affiliation MSA": "Oui",
    "garde": "Grands-parents",
}


@pytest.fixture
def enquete(charte):
    charte.communes.add(CommuneFactory(nom="Beausite", territoire=charte.territoire))
    charte.communes.add(CommuneFactory(nom="Triaucourt", code_insee=INSEE_TRIAUCOURT, territoire=charte.territoire))
    enquete = creer_enquete(charte, QUESTIONNAIRE_FICHIERS, par=None)
    enquete.statut = Enquete.Statut.PUBLIEE
    enquete.save()
    return enquete


@pytest.fixture
def jumelle(enquete):
    """A second survey with the same questions, to import into."""
    return creer_enquete(enquete.charte, QUESTIONNAIRE_FICHIERS, par=None, titre="Saisies papier")


@pytest.fixture
def coordinateur(client_de, charte):
    return client_de(charte.membres.get().utilisateur)


def remplir(enquete, reponses, autres=None, **profil_autres):
    """The public form's POST data, from answers given by code and label."""
    donnees = profil(enquete, **profil_autres)
    for code, valeur in reponses.items():
        q = question(enquete, code)
        nom = f"q{q.pk}"
        if q.type == "choix_unique":
            donnees[nom] = option(enquete, code, valeur).pk
        elif q.type == "choix_multiple":
            donnees[nom] = [option(enquete, code, libelle).pk for libelle in valeur]
        elif q.type == "grille":
            donnees |= {f"{nom}_{option(enquete, code, ligne).pk}": n for ligne, n in valeur.items()}
        else:
            donnees[nom] = valeur
    for code, texte in (autres or {}).items():
        donnees[f"q{question(enquete, code).pk}_autre"] = texte
    return donnees


def repondre(client, enquete, *args, **kwargs):
    reponse = client.post(reverse("questionnaire_public", args=[enquete.jeton]), remplir(enquete, *args, **kwargs))
    assert reponse.status_code == 302, reponse.context["form"].errors


@pytest.fixture
def trois_reponses(client, enquete):
    """Three households who answered online, with an « autre » text, ticks, a grid and a hidden question."""
    triaucourt = enquete.charte.communes.get(nom="Triaucourt")
    repondre(
        client,
        enquete,
        {
            "garde": "Crèche",
            "difficulte": ["Horaires", "Coût"],
            "satisfaction": 4,
            "distance": "12,5",
            "services": {"Crèche": 5, "PMI": 3},
            "idee": "=1+1 plus de places",
            "aides": ["CAF", "Autre"],
        },
        autres={"aides": "Mairie"},
    )
    repondre(
        client,
        enquete,
        {"garde": "Autre", "satisfaction": 2},
        autres={"garde": "Voisine"},
        commune=triaucourt.pk,
        nombre_adultes=1,
        nombre_enfants=2,
        ages_enfants="3, 7",
        monoparentale="oui",
        etape_vie="enfance",
        affiliation_msa="nsp",
    )
    repondre(client, enquete, {"garde": "Grands-parents", "distance": "0", "services": {"Crèche": 1, "PMI": 2}})
    return list(enquete.reponses.order_by("soumise_le", "pk"))


def url(nom, enquete, *args):
    return reverse(f"diagnostic:{nom}", args=[enquete.charte.slug, enquete.pk, *args])


def lire_csv(contenu, separateur=";"):
    assert contenu.startswith(b"\xef\xbb\xbf"), "Excel needs the BOM to read UTF-8"
    return list(csv.reader(io.StringIO(contenu.decode("utf-8-sig"), newline=""), delimiter=separateur))


def en_dicts(lignes):
    entetes, *reste = lignes
    return [dict(zip(entetes, ligne, strict=True)) for ligne in reste]


def fichier_csv(lignes, entetes=None, separateur=";", encodage="utf-8-sig"):
    """A CSV to import: `lignes` are dicts by header; missing cells are empty."""
    entetes = entetes or ENTETES[3:]
    tampon = io.StringIO()
    ecrivain = csv.writer(tampon, delimiter=separateur)
    ecrivain.writerow(entetes)
    ecrivain.writerows([ligne.get(entete, "") for entete in entetes] for ligne in lignes)
    return tampon.getvalue().encode(encodage)


def importer(client, enquete, contenu, nom="reponses.csv", **kwargs):
    return client.post(url("importer", enquete), {"fichier": SimpleUploadedFile(nom, contenu)}, **kwargs)


def message(reponse):
    return [str(m) for m in get_messages(reponse.wsgi_request)]


def resume(enquete):
    """Every figure of the results page, to compare two surveys."""
    return [
        (
            r.question.code,
            r.repondants,
            [(b.libelle, b.effectif) for b in r.barres],
            [(ligne, [b.effectif for b in barres], moyenne) for ligne, barres, moyenne in r.grille],
            sorted(r.textes),
            r.moyenne,
        )
        for r in resultats(questions_ordonnees(enquete), enquete.reponses.all())
    ]


def familles(enquete):
    return sorted(
        (
            f.commune.nom,
            f.nombre_adultes,
            f.nombre_enfants,
            f.ages_enfants,
            f.monoparentale,
            f.etape_vie,
            f.affiliation_msa,
        )
        for f in (r.famille for r in enquete.reponses.select_related("famille__commune"))
    )


# --- raw export -------------------------------------------------------------------------------
def test_export_csv_des_reponses_brutes(coordinateur, enquete, trois_reponses):
    reponse = coordinateur.get(url("export_reponses", enquete, "csv"))
    assert reponse["Content-Type"] == "text/csv; charset=utf-8"
    assert reponse["Content-Disposition"] == 'attachment; filename="questionnaire-dessai-reponses.csv"'
    lignes = lire_csv(reponse.content)
    assert lignes[0] == ENTETES
    creche, autre, grands_parents = en_dicts(lignes)
    assert creche["id"] == str(trois_reponses[0].pk) and creche["canal"] == "En ligne"
    recue = timezone.localtime(trois_reponses[0].soumise_le)
    assert creche["reçue le"] == f"{recue:%d/%m/%Y %H:%M}"
    assert (creche["commune"], creche["garde"], creche["garde:autre"]) == ("Beausite", "Crèche", "")
    assert [creche[f"difficulte:{o}"] for o in ("Horaires", "Coût", "Distance")] == ["1", "1", "0"]
    assert (creche["satisfaction"], creche["distance"], creche["services:Crèche"], creche["services:PMI"]) == (
        "4",
        "12,5",
        "5",
        "3",
    )
    # A text that a spreadsheet would run as a formula is guarded by a quote.
    assert creche["idee"] == "'=1+1 plus de places"
    assert (creche["aides:CAF"], creche["aides:Autre"], creche["aides:autre"]) == ("1", "1", "Mairie")
    assert (autre["garde"], autre["garde:autre"], autre["commune"]) == ("Autre", "Voisine", "Triaucourt")
    assert (autre["enfants"], autre["âges des enfants"], autre["monoparentale"]) == ("2", "3, 7", "oui")
    assert (autre["étape de vie"], autre["affiliation MSA"]) == ("Parents d'enfants (3-11 ans)", "Ne sait pas")
    # Not shown (garde ≠ Crèche) or not ticked at all: empty, not « 0 ».
    assert autre["difficulte:Horaires"] == autre["aides:CAF"] == autre["distance"] == ""
    assert grands_parents["distance"] == "0"


def test_export_xlsx_relu_avec_openpyxl(coordinateur, enquete, trois_reponses):
    reponse = coordinateur.get(url("export_reponses", enquete, "xlsx"))
    assert reponse["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "reponses.xlsx" in reponse["Content-Disposition"]
    onglet = load_workbook(io.BytesIO(reponse.content)).active
    entetes, *lignes = onglet.iter_rows()
    assert [c.value for c in entetes] == ENTETES
    creche = dict(zip(ENTETES, lignes[0], strict=True))
    assert creche["distance"].value == 12.5 and creche["satisfaction"].value == 4
    assert creche["difficulte:Coût"].value == 1 and creche["aides:autre"].value == "Mairie"
    assert isinstance(creche["reçue le"].value, datetime)
    # A text stays a text in Excel, never a formula.
    assert creche["idee"].value == "=1+1 plus de places" and creche["idee"].data_type == "s"


def test_format_inconnu(coordinateur, enquete):
    assert coordinateur.get(url("export_reponses", enquete, "pdf")).status_code == 404
    assert coordinateur.get(url("export_resultats", enquete, "ods")).status_code == 404
    assert coordinateur.get(url("qr_code", enquete, "gif")).status_code == 404


def test_reponses_brutes_reservees_au_coordinateur_et_au_referent(client_de, personnes, enquete):
    adresse = url("export_reponses", enquete, "csv")
    assert client_de(personnes["referent"]).get(adresse).status_code == 200
    assert client_de(personnes["partenaire"]).get(adresse).status_code == 403
    assert client_de(personnes["observateur"]).get(adresse).status_code == 403
    assert client_de(personnes["exterieur"]).get(adresse).status_code == 404


def test_requetes_constantes_de_1_a_50_reponses(coordinateur, enquete):
    for format in ("csv", "xlsx"):
        adresse = url("export_reponses", enquete, format)
        Reponse.objects.all().delete()
        repondre_en_masse(enquete, 1)
        une = compter_requetes(coordinateur, adresse)
        repondre_en_masse(enquete, 49)
        assert compter_requetes(coordinateur, adresse) == une


# --- results export ---------------------------------------------------------------------------
def test_export_des_resultats(coordinateur, enquete, trois_reponses):
    lignes = en_dicts(lire_csv(coordinateur.get(url("export_resultats", enquete, "csv")).content))
    garde = {ligne["réponse"]: ligne for ligne in lignes if ligne["code"] == "garde"}
    assert (garde["Crèche"]["effectif"], garde["Crèche"]["%"], garde["Crèche"]["répondants"]) == ("1", "33,3", "3")
    services = [ligne for ligne in lignes if ligne["code"] == "services" and ligne["ligne de la grille"] == "PMI"]
    assert [ligne["effectif"] for ligne in services] == ["0", "1", "1", "0", "0"]
    assert services[0]["moyenne"] == "2,5"
    assert any(ligne["code"] == "idee" and ligne["répondants"] == "1" for ligne in lignes)

    triaucourt = enquete.charte.communes.get(nom="Triaucourt")
    reponse = coordinateur.get(url("export_resultats", enquete, "xlsx"), {"commune": triaucourt.pk})
    entetes, *lignes = load_workbook(io.BytesIO(reponse.content)).active.iter_rows(values_only=True)
    garde = {ligne[3]: ligne for ligne in lignes if ligne[0] == "garde"}
    assert garde["Autre"][4:7] == (1, 100, 1) and garde["Crèche"][4] == 0


def test_les_partenaires_n_exportent_que_les_resultats_publies_sans_texte(
    client_de, personnes, enquete, trois_reponses
):
    for code in ("garde", "idee"):
        coordinateur = client_de(personnes["coordinateur"])
        coordinateur.post(
            reverse("diagnostic:publier_resultat", args=[enquete.charte.slug, question(enquete, code).pk])
        )
    lignes = en_dicts(lire_csv(client_de(personnes["partenaire"]).get(url("export_resultats", enquete, "csv")).content))
    assert {ligne["code"] for ligne in lignes} == {"garde"}


# --- import -----------------------------------------------------------------------------------
@pytest.mark.parametrize("format", ["csv", "xlsx"])
def test_aller_retour_export_puis_import(coordinateur, enquete, jumelle, trois_reponses, format):
    contenu = coordinateur.get(url("export_reponses", enquete, format)).content
    reponse = importer(coordinateur, jumelle, contenu, nom=f"reponses.{format}")
    assert reponse.status_code == 302
    assert message(reponse) == ["3 réponses importées, 0 déjà présente."]
    assert resume(jumelle) == resume(enquete)
    assert familles(jumelle) == familles(enquete)
    assert set(jumelle.reponses.values_list("canal", flat=True)) == {Reponse.Canal.IMPORT}


def test_les_lignes_fausses_sont_signalees_et_rien_n_est_importe(coordinateur, jumelle):
    contenu = fichier_csv(
        [
            LIGNE_VALIDE,
            LIGNE_VALIDE | {"garde": "Piscine"},
            LIGNE_VALIDE | {"garde": ""},
            LIGNE_VALIDE | {"commune": "Paris"},
            LIGNE_VALIDE | {"aides:CAF": "peut-être", "services:PMI": "7"},
        ]
    )
    reponse = importer(coordinateur, jumelle, contenu)
    assert reponse.status_code == 200
    assert reponse.context["lignes_en_erreur"] == [3, 4, 5, 6]
    erreurs = {(e.ligne, e.colonne): e.message for e in reponse.context["erreurs"]}
    assert erreurs[(3, "garde")].startswith("« Piscine » n'est pas une réponse possible. Réponses possibles : Crèche")
    assert erreurs[(4, "garde")] == "Cette question est obligatoire."
    assert erreurs[(5, "commune")] == "Commune inconnue dans cette charte : « Paris »."
    assert erreurs[(6, "aides:CAF")] == "Écrivez 1 (case cochée) ou 0, pas « peut-être »."
    assert "services:PMI" in {colonne for ligne, colonne in erreurs if ligne == 6}
    page = reponse.content.decode()
    assert "Aucune réponse n'a été importée" in page and "4 lignes du fichier sont à corriger" in page
    assert jumelle.reponses.count() == 0


def test_colonnes_inconnues_ou_manquantes(coordinateur, jumelle):
    entetes = [entete for entete in ENTETES[3:] if entete != "garde"] + ["couleur"]
    reponse = importer(coordinateur, jumelle, fichier_csv([LIGNE_VALIDE], entetes=entetes))
    erreurs = reponse.context["form"].errors["fichier"]
    assert erreurs[0].startswith("Colonnes inconnues : « couleur ».")
    assert erreurs[1] == "Colonnes obligatoires manquantes : « garde »."
    assert jumelle.reponses.count() == 0


def test_fichier_windows_en_latin_1_avec_accents(coordinateur, jumelle):
    ligne = LIGNE_VALIDE | {"commune": INSEE_TRIAUCOURT, "garde": "Crèche", "difficulte:Coût": "1"}
    reponse = importer(coordinateur, jumelle, fichier_csv([ligne], encodage="cp1252"))
    assert reponse.status_code == 302, reponse.context["erreurs"]
    stockee = jumelle.reponses.get()
    assert stockee.famille.commune.nom == "Triaucourt"
    assert {v.option.libelle for v in stockee.valeurs.all()} == {"Crèche", "Coût"}


def test_fichier_utf8_avec_bom_et_virgules(coordinateur, jumelle):
    ligne = LIGNE_VALIDE | {"enfants": "2", "âges des enfants": "3, 7", "étape de vie": "enfance", "distance": "4,5"}
    reponse = importer(coordinateur, jumelle, fichier_csv([ligne], separateur=","))
    assert reponse.status_code == 302, reponse.context["erreurs"]
    stockee = jumelle.reponses.get()
    assert stockee.famille.ages_enfants == [3, 7]
    assert stockee.valeurs.get(question__code="distance").nombre == 4.5


def test_fichier_trop_gros_ou_mauvais_format(coordinateur, jumelle):
    reponse = importer(coordinateur, jumelle, b"x" * (5 * 1024 * 1024 + 1))
    assert reponse.context["form"].errors["fichier"] == [
        "Ce fichier pèse 5,0 Mo : la limite est de 5 Mo. Découpez-le en plusieurs fichiers."
    ]
    reponse = importer(coordinateur, jumelle, b"%PDF", nom="reponses.pdf")
    assert reponse.context["form"].errors["fichier"] == ["Envoyez un fichier .csv ou .xlsx (classeur Excel)."]
    reponse = importer(coordinateur, jumelle, b"pas un classeur", nom="reponses.xlsx")
    assert reponse.context["form"].errors["fichier"] == ["Ce fichier n'est pas un classeur Excel (.xlsx) lisible."]
    assert jumelle.reponses.count() == 0


def test_importer_deux_fois_le_meme_fichier_ne_duplique_rien(coordinateur, jumelle):
    contenu = fichier_csv([LIGNE_VALIDE, LIGNE_VALIDE | {"garde": "Crèche"}])
    page = importer(coordinateur, jumelle, contenu, follow=True).content.decode()
    assert "2 réponses importées, 0 déjà présente." in page
    page = importer(coordinateur, jumelle, contenu, follow=True).content.decode()
    assert "0 réponse importée, 2 déjà présentes." in page
    assert jumelle.reponses.count() == 2


def test_page_d_import_et_fichier_modele(coordinateur, jumelle):
    page = coordinateur.get(url("importer", jumelle)).content.decode()
    assert "Colonnes attendues" in page and url("modele_import", jumelle, "xlsx") in page
    assert lire_csv(coordinateur.get(url("modele_import", jumelle, "csv")).content) == [ENTETES[3:]]
    modele = load_workbook(io.BytesIO(coordinateur.get(url("modele_import", jumelle, "xlsx")).content)).active
    assert list(modele.iter_rows(values_only=True)) == [tuple(ENTETES[3:])]


# --- QR code and links ------------------------------------------------------------------------
def test_qr_code_du_lien_public(client_de, personnes, enquete):
    client = client_de(personnes["observateur"])
    lien = f"http://testserver/e/{enquete.jeton}/"
    attendu = {}
    for format in ("png", "svg"):
        tampon = io.BytesIO()
        segno.make(lien, error="m").save(tampon, kind=format, scale=10, border=4)
        attendu[format] = tampon.getvalue()
    png = client.get(url("qr_code", enquete, "png"))
    assert png["Content-Type"] == "image/png" and png["Content-Disposition"].startswith("attachment")
    # Same bytes as segno makes for the public link: the code holds that link.
    assert png.content.startswith(PNG) and png.content == attendu["png"]
    svg = client.get(url("qr_code", enquete, "svg"))
    assert svg["Content-Type"] == "image/svg+xml" and b"<path" in svg.content and svg.content == attendu["svg"]


def test_liens_vers_les_fichiers_selon_le_role(client_de, personnes, enquete):
    coordinateur = client_de(personnes["coordinateur"]).get(url("enquete", enquete)).content.decode()
    assert url("qr_code", enquete, "svg") in coordinateur and url("qr_code", enquete, "png") in coordinateur
    assert "Importer un fichier" in coordinateur
    partenaire = client_de(personnes["partenaire"]).get(url("enquete", enquete)).content.decode()
    assert url("qr_code", enquete, "svg") in partenaire and "Importer un fichier" not in partenaire
    referent = client_de(personnes["referent"]).get(url("resultats", enquete)).content.decode()
    assert url("export_resultats", enquete, "xlsx") in referent and url("export_reponses", enquete, "csv") in referent
    partenaire = client_de(personnes["partenaire"]).get(url("resultats", enquete)).content.decode()
    assert url("export_resultats", enquete, "csv") in partenaire and "Réponses brutes" not in partenaire
