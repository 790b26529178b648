"""Hostile values where a form does not go: in the path (tokens, codes, formats) and in the query string
(filters, pagination, pre-selected objects) of every page that can be read."""

import re
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlsplit

import pytest
from django.conf import settings
from django.urls import resolve, reverse
from django.urls.converters import SlugConverter, StringConverter
from hypothesis import example, given
from hypothesis import strategies as st

from tests.hostile.chartes import APPLICATIONS
from tests.hostile.envoi import client_de, envoyer
from tests.hostile.formulaires import adresse_de, motifs, role_pour
from tests.hostile.test_publics import PAGES_HORS_CHARTE, adresse_hors_charte, client_hors_charte
from tests.hostile.valeurs import texte_hostile
from tests.permissions import ATTENDU, POST_SEULEMENT

MARQUE = "segment-a-remplacer"
NUL = "a\x00b"  # PostgreSQL refuses it in any text: whatever reaches a query with it is a server error
# Parameters the views read themselves (request.GET.get("fiche")...), found in the source, not listed here.
LU_PAR_LES_VUES = re.compile(r"request\.GET(?:\.get\(|\[)\"(\w+)\"")
PARAMETRES_DES_VUES = sorted(
    {
        nom
        for application in APPLICATIONS
        for fichier in (Path(settings.BASE_DIR) / application).rglob("*.py")
        for nom in LU_PAR_LES_VUES.findall(fichier.read_text(encoding="utf-8"))
    }
)


def libre(convertisseur):
    """A segment of free text (a token, a code, a format), not a number or a charter's slug."""
    return isinstance(convertisseur, StringConverter) and not isinstance(convertisseur, SlugConverter)


PAGES_A_SEGMENT_LIBRE = sorted(nom for nom, convertisseurs in motifs() if any(map(libre, convertisseurs.values())))


def lecteur(page, personnes):
    """Who opens the page: an allowed member for a charter's page, an MSA agent for a new charter, else nobody."""
    if page in ATTENDU:
        return client_de(personnes[role_pour(page, "GET")])
    return client_de(personnes["coordinateur"] if page.startswith("charte:") else None)


def arguments_reels(page, charte):
    if page in ATTENDU:
        return resolve(adresse_de(page, charte)).kwargs
    return {}


@pytest.mark.parametrize("page", PAGES_A_SEGMENT_LIBRE)
def test_segment_hostile_dans_l_adresse(page, charte, personnes):
    convertisseurs = dict(motifs())[page]
    libres = [nom for nom, c in convertisseurs.items() if libre(c)]
    client = lecteur(page, personnes)
    modele = reverse(page, kwargs=arguments_reels(page, charte) | dict.fromkeys(libres, MARQUE))

    @given(st.lists(texte_hostile.filter(bool), min_size=len(libres), max_size=len(libres)))
    @example([NUL] * len(libres))
    def essai(segments):
        url = modele
        for segment in segments:
            url = url.replace(MARQUE, quote(segment, safe=""), 1)
        for methode in ("GET", "POST"):
            envoyer(client, methode, url)

    essai()


PAGES_LUES = sorted(page for page, roles in ATTENDU.items() if roles["GET"] is not POST_SEULEMENT)


def noms_de_parametres(client, url):
    """The query parameters the page may read: its GET forms' fields, its links' parameters and those the
    views read themselves."""
    reponse, page = envoyer(client, "GET", url, hostile=False)
    noms = set(PARAMETRES_DES_VUES)
    if page is not None:
        for formulaire in page.formulaires:
            if formulaire.methode == "get":
                noms |= set(formulaire.champs)
        for lien in page.liens:
            noms |= {nom for nom, _ in parse_qsl(urlsplit(lien).query)}
    return sorted(noms)


def harceler_la_requete(client, url):
    noms = noms_de_parametres(client, url)
    valeur = st.one_of(texte_hostile, st.lists(texte_hostile, min_size=2, max_size=3))
    inconnu = st.text(min_size=1, max_size=20)

    @given(st.dictionaries(st.one_of(st.sampled_from(noms), inconnu), valeur, min_size=1, max_size=4))
    def essai(parametres):
        envoyer(client, "GET", url, parametres)

    # Always tried: every parameter at once with a NUL, with a word, with a digit int() does not read.
    for valeur_piege in (NUL, "abc", "²"):
        essai = example(dict.fromkeys(noms, valeur_piege))(essai)
    essai()


@pytest.mark.parametrize("page", PAGES_LUES)
def test_parametres_hostiles_d_une_page_de_charte(page, charte, personnes):
    harceler_la_requete(lecteur(page, personnes), adresse_de(page, charte))


@pytest.mark.parametrize("page", PAGES_HORS_CHARTE)
def test_parametres_hostiles_d_une_page_hors_charte(page, charte, personnes, settings):
    settings.LIMITE_QUESTIONNAIRES_PAR_MINUTE = 0
    url = adresse_hors_charte(page, charte)
    harceler_la_requete(client_hors_charte(url, personnes), url)
