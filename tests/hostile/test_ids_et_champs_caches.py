"""Every field of every charter form that carries an id, and every hidden field, tried one by one.

- An id of another charter's object (in a list, a box to tick or a hidden field) is refused with an
  error, or answers 404: it is never saved.
- A hidden field left out or tampered with (a stale or truncated page), or a NUL character typed in
  a field (PostgreSQL refuses it in any text), is not a server error and, when the form is refused,
  the page says so in French.
- Every URL that names an object by its id answers 404 with the id of another charter's object.
"""

import re

import pytest
from django.urls import resolve, reverse
from django.urls.converters import IntConverter

from tests.hostile.chartes import liens_entre_chartes, modeles_possibles, objets_de
from tests.hostile.envoi import client_de, envoyer, verifier_refus
from tests.hostile.formulaires import (
    LIGNE,
    PAGES_QUI_RECOIVENT,
    adresse_de,
    formulaire_vers,
    motifs,
    role_pour,
    saisie_de,
)
from tests.permissions import ATTENDU, POST_SEULEMENT
from tests.test_permissions import url_de

CACHES_ALTERES = ["abc", "99999999999999999999"]
# Django reads neither bound of a table from the page; and every table counts its rows the same way.
IGNORES = re.compile(r"-(MIN|MAX)_NUM_FORMS$")
COMPTE_DE_LIGNES = re.compile(r"^[\w]+-(TOTAL|INITIAL)_FORMS$")


def semblable(nom):
    """The name shared by the fields tried once for all: one row of a table, one table's row count."""
    return COMPTE_DE_LIGNES.sub(r"*-\1_FORMS", LIGNE.sub("-N-", nom))


def valeurs_d_id(champ):
    """The ids a field offers (options) or carries (hidden value); empty when it holds no id."""
    valeurs = [v for v in champ.options if v] if champ.options else [champ.valeur]
    return valeurs if valeurs and all(v.isdecimal() for v in valeurs) else []


def ids_etrangers(champ, charte, autre):
    """For each model the field's ids may belong to, one id of the other charter's rows of that model."""
    offerts = valeurs_d_id(champ)
    for modele in modeles_possibles(offerts, charte):
        for pk in objets_de(modele, autre).exclude(pk__in=offerts).values_list("pk", flat=True)[:1]:
            yield modele.__name__, str(pk)


@pytest.mark.parametrize("page", PAGES_QUI_RECOIVENT)
def test_ids_d_une_autre_charte_champs_caches_et_nul(page, charte, personnes, autre_charte):
    url, _ = adresse_de(page, charte), adresse_de(page, autre_charte)
    client = client_de(personnes[role_pour(page)])
    saisie = saisie_de(client, charte, page, url)
    saisie.apprendre()
    vus = set()
    for nom, champ in list(saisie.formulaire.champs.items()):
        if nom == "csrfmiddlewaretoken" or IGNORES.search(nom) or semblable(nom) in vus:
            continue
        vus.add(semblable(nom))
        essais = [(f"id {modele}", pk) for modele, pk in ids_etrangers(champ, charte, autre_charte)]
        if champ.genre == "hidden":
            essais += [("champ caché omis", None)] + [("champ caché altéré", v) for v in CACHES_ALTERES]
        elif champ.genre not in ("file", "select", "radio", "checkbox"):
            essais.append(("caractère NUL", "a\x00b"))  # PostgreSQL refuses it in any text
        for quoi, valeur in essais:
            formulaire = saisie.relire() or saisie.formulaire
            donnees = saisie.valeurs_correctes(formulaire)
            if valeur is None:
                donnees.pop(nom, None)
            else:
                donnees[nom] = [valeur] if champ.genre == "checkbox" or champ.multiple else valeur
            reponse, lue = envoyer(client, "POST", url, donnees)
            saisie.perime = reponse.status_code != 200
            # A hidden id may be ignored on purpose (the row's parent comes from the URL): the database tells.
            if quoi.startswith("id ") and champ.genre != "hidden":
                assert reponse.status_code != 302, f"{page} : {nom} = {quoi} {valeur} d'une autre charte accepté"
            if reponse.status_code == 200 and lue and formulaire_vers(lue, url):
                verifier_refus(lue, donnees)
    assert not liens_entre_chartes()


PAGES_A_ID = sorted(
    nom
    for nom, convertisseurs in motifs()
    if nom in ATTENDU and any(isinstance(c, IntConverter) for c in convertisseurs.values())
)


@pytest.mark.parametrize("page", PAGES_A_ID)
def test_l_id_d_un_objet_d_une_autre_charte_dans_l_adresse_repond_404(page, charte, personnes, autre_charte):
    url, ailleurs = url_de(page, charte), url_de(page, autre_charte)
    ici, la_bas = resolve(url).kwargs, resolve(ailleurs).kwargs
    for nom in ici.keys() - {"charte_slug"}:
        if ici[nom] == la_bas[nom] or not isinstance(ici[nom], int):
            continue
        melange = reverse(page, kwargs=ici | {nom: la_bas[nom]})
        for methode in ("GET", "POST"):
            if ATTENDU[page][methode] is POST_SEULEMENT:
                continue
            reponse, _ = envoyer(client_de(personnes[role_pour(page, methode)]), methode, melange)
            assert reponse.status_code == 404, f"{methode} {melange} ({nom} d'une autre charte) → {reponse.status_code}"
