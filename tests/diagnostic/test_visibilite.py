"""Families' free text and household profiles: read by the coordinator and the référent, by nobody else.

Distinctive words are written in an open answer, in an « autre, précisez » answer and in a household's
profile; every page, export and report that could show them is then opened by each role.
"""

import dataclasses
import io
import json
import secrets
import zipfile

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from diagnostic.models import Besoin, Enquete, PreuveQuestion, Question, Reponse
from diagnostic.services import creer_enquete, enregistrer_reponse
from rapports.contextes import contexte_du_rapport
from rapports.models import Rapport
from tests.diagnostic.conftest import QUESTIONNAIRE, option, question
from tests.factories import PrioriteFactory

IDEE = "MARQUEUR-TEXTE-LIBRE-7Q"
AUTRE = "MARQUEUR-AUTRE-PRECISEZ-4K"
AGES = "17, 23, 29"  # a household's children, as the raw export writes them
MARQUEURS = [IDEE, AUTRE]
ROLES = ["coordinateur", "referent", "partenaire", "observateur", "national"]
LISENT = {"coordinateur", "referent"}  # diagnostic.voir_tout


def repondre(enquete):
    garde = option(enquete, "garde", "Autre")
    profil = {
        "commune": enquete.charte.communes.order_by("nom").first(),
        "nombre_adultes": 1,
        "nombre_enfants": 3,
        "ages_enfants": [17, 23, 29],
        "monoparentale": True,
        "etape_vie": "adolescence",
        "affiliation_msa": "oui",
    }
    valeurs = [
        {"question": garde.question, "option": garde, "texte": AUTRE},
        {"question": question(enquete, "satisfaction"), "nombre": 4},
        {"question": question(enquete, "idee"), "texte": IDEE},
    ]
    enregistrer_reponse(
        enquete, profil=profil, valeurs=valeurs, canal=Reponse.Canal.EN_LIGNE, jeton=secrets.token_hex(8)
    )


@pytest.fixture
def enquetes(enquete, personnes):
    """The diagnostic survey and a satisfaction survey (same codes), every result published, each answered;
    the « garde » question cited as evidence of a need (so the reports print it)."""
    satisfaction = creer_enquete(enquete.charte, QUESTIONNAIRE, par=None, titre="Satisfaction")
    for sondage in (enquete, satisfaction):
        sondage.statut = Enquete.Statut.PUBLIEE
        sondage.save()
        Question.objects.filter(enquete=sondage).update(resultats_publies=True)
        repondre(sondage)
    besoin = Besoin.objects.create(charte=enquete.charte, domaine="petite_enfance", titre="Faire garder son enfant")
    PreuveQuestion.objects.create(besoin=besoin, question=question(enquete, "garde"), constat="1 famille sur 1")
    PrioriteFactory(charte=enquete.charte, besoin=besoin)
    return enquete, satisfaction


def texte_de(reponse):
    """Everything a person receives: a page, a CSV, a workbook's cells, a zip's documents."""
    contenu = b"".join(reponse.streaming_content) if reponse.streaming else reponse.content
    type_ = reponse.get("Content-Type", "")
    if "spreadsheetml" in type_:
        classeur = load_workbook(io.BytesIO(contenu), read_only=True)
        return "\n".join(str(c) for feuille in classeur for ligne in feuille.iter_rows(values_only=True) for c in ligne)
    if "zip" in type_:
        with zipfile.ZipFile(io.BytesIO(contenu)) as archive:
            return json.dumps(json.loads(archive.read("charte.json")), ensure_ascii=False)
    return contenu.decode("utf-8-sig")


def pages_du_diagnostic(enquete):
    slug, pk = enquete.charte.slug, enquete.pk
    garde, satisfaction = question(enquete, "garde"), question(enquete, "satisfaction")
    return {
        "résultats": reverse("diagnostic:resultats", args=[slug, pk]),
        "résultats filtrés": reverse("diagnostic:resultats", args=[slug, pk]) + "?etape_vie=adolescence&canal=en_ligne",
        "croisement": reverse("diagnostic:croisement", args=[slug, pk])
        + f"?ligne={garde.pk}&colonne={satisfaction.pk}",
        "questionnaire": reverse("diagnostic:enquete", args=[slug, pk]),
        "export agrégé CSV": reverse("diagnostic:export_resultats", args=[slug, pk, "csv"]),
        "export agrégé XLSX": reverse("diagnostic:export_resultats", args=[slug, pk, "xlsx"]),
        "besoins": reverse("diagnostic:besoins", args=[slug]),
        "comparaison avant / après": reverse("evaluation:comparaison", args=[slug]),
        **{
            f"aperçu du rapport {type_}": reverse("rapports:apercu", args=[slug, type_])
            for type_ in ("diagnostic", "copil", "evaluation")
        },
    }


@pytest.mark.parametrize("role", ROLES)
def test_les_textes_libres_ne_sont_lus_que_par_le_coordinateur_et_le_referent(enquetes, personnes, client_de, role):
    enquete, _satisfaction = enquetes
    client = client_de(personnes[role])
    for nom, url in pages_du_diagnostic(enquete).items():
        reponse = client.get(url)
        assert reponse.status_code == 200, (nom, reponse.status_code)
        texte = texte_de(reponse)
        # The results (filtered or not) show the families' words to those who read them; nothing else
        # shows them, not even to those: neither the aggregated files, nor the reports, nor any profile.
        lus = {m for m in MARQUEURS if m in texte}
        attendus = set(MARQUEURS) if nom.startswith("résultats") and role in LISENT else set()
        assert lus == attendus and AGES not in texte, (role, nom)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("format", ["csv", "xlsx"])
def test_les_reponses_brutes_et_les_profils_des_foyers_ne_sont_exportes_qu_a_qui_les_lit(
    enquetes, personnes, client_de, role, format
):
    enquete, _satisfaction = enquetes
    url = reverse("diagnostic:export_reponses", args=[enquete.charte.slug, enquete.pk, format])
    reponse = client_de(personnes[role]).get(url)
    if role not in LISENT:
        assert reponse.status_code == 403 and not [m for m in [*MARQUEURS, AGES] if m in texte_de(reponse)]
        return
    texte = texte_de(reponse)
    assert IDEE in texte and AUTRE in texte and AGES in texte


@pytest.mark.parametrize("role", ROLES)
def test_la_sauvegarde_de_la_charte_ne_contient_textes_et_foyers_que_pour_le_coordinateur(
    enquetes, personnes, client_de, role
):
    enquete, _satisfaction = enquetes
    reponse = client_de(personnes[role]).get(reverse("rapports:sauvegarde", args=[enquete.charte.slug]))
    if role not in {"coordinateur", "national"}:
        assert reponse.status_code == 403
        return
    texte = texte_de(reponse)
    # Ages are stored as a list in the backup: look for them as JSON writes them.
    for marqueur in [*MARQUEURS, "[17, 23, 29]"]:
        assert (marqueur in texte) is (role == "coordinateur"), (role, marqueur)


def contient(objet, marqueur, vus=None):
    """Whether `marqueur` appears in a report's context: its strings, lists, dicts and dataclasses."""
    vus = vus if vus is not None else set()
    if id(objet) in vus:
        return False
    vus.add(id(objet))
    if isinstance(objet, str):
        return marqueur in objet
    if isinstance(objet, dict):
        return any(contient(v, marqueur, vus) for v in objet.values())
    if isinstance(objet, list | tuple | set):
        return any(contient(v, marqueur, vus) for v in objet)
    if dataclasses.is_dataclass(objet):
        return any(contient(getattr(objet, f.name), marqueur, vus) for f in dataclasses.fields(objet))
    return False


@pytest.mark.parametrize("type_", [Rapport.Type.COPIL, Rapport.Type.DIAGNOSTIC, Rapport.Type.EVALUATION])
def test_les_contextes_des_rapports_ne_portent_aucun_texte_des_familles(enquetes, type_):
    """Reports are read by every member: their context holds no family's words, printed or not."""
    enquete, _satisfaction = enquetes
    contexte = contexte_du_rapport(Rapport(charte=enquete.charte, type=type_))
    assert contexte["resultats"] if type_ != Rapport.Type.EVALUATION else contexte["echelles"]
    assert not [m for m in MARQUEURS if contient(contexte, m)]
