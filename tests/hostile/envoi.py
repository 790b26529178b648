"""Sending a request and judging the answer as a person would: never a server error, never someone
else's script running in the page, and when a form comes back refused, an error in French."""

import traceback
from collections import Counter
from urllib.parse import urlsplit

from django.db import transaction
from django.test import Client

from tests.hostile.pages import erreurs_en_anglais, est_html, lire

COMPTEUR = {"hostiles": 0, "toutes": 0, "statuts": Counter()}
STATUTS_ATTENDUS = {200, 204, 302, 400, 403, 404, 405, 409, 410, 429}


def client_de(utilisateur=None):
    """A test client that answers a crash with a 500 page, as production does (the test reads it)."""
    client = Client(raise_request_exception=False)
    if utilisateur is not None:
        client.force_login(utilisateur)
    return client


def contenu(reponse):
    """The body, read the way a WSGI server reads it (a streamed file is consumed, then closed)."""
    if reponse.streaming:
        return b"".join(reponse.streaming_content)
    return reponse.content


def envoyer(client, methode, url, donnees=None, hostile=True):
    """One request; fails on a 5xx (with the server's traceback) or on active content in the page.

    A savepoint around it keeps the test's transaction usable after a database error in the view,
    so hypothesis can go on shrinking the failing example.
    """
    COMPTEUR["toutes"] += 1
    COMPTEUR["hostiles"] += hostile
    point = transaction.savepoint()
    reponse = client.get(url, donnees) if methode == "GET" else client.post(url, donnees or {})
    corps = contenu(reponse)
    if reponse.status_code >= 500:
        transaction.savepoint_rollback(point)
        cause = "".join(traceback.format_exception(*reponse.exc_info, limit=-6)) if reponse.exc_info else corps[:500]
        raise AssertionError(f"{methode} {url} → {reponse.status_code}\n{resume(donnees)}\n{cause}")
    transaction.savepoint_commit(point)
    if hostile:
        COMPTEUR["statuts"][reponse.status_code] += 1
    assert reponse.status_code in STATUTS_ATTENDUS, f"{methode} {url} → {reponse.status_code}"
    page = None
    if est_html(reponse):
        page = lire(corps, reponse.charset, url)
        assert not page.contenu_actif, f"{methode} {url} : contenu actif {page.contenu_actif}\n{resume(donnees)}"
    return reponse, page


def suivre(client, reponse):
    """The page a redirect leads to (where what was just saved is usually shown), checked the same way."""
    cible = reponse["Location"]
    if urlsplit(cible).netloc:
        return None
    return envoyer(client, "GET", cible, hostile=False)


def verifier_refus(page, donnees):
    """A redisplayed form says what is wrong, in French (the values sent are not counted as words)."""
    assert page.erreurs or page.champs_en_erreur, f"formulaire refusé sans message d'erreur\n{resume(donnees)}"
    envoyees = [v for v in (donnees or {}).values() for v in (v if isinstance(v, list) else [v])]
    anglais = [texte for texte in erreurs_en_anglais(page) if not any(v and v in texte for v in envoyees)]
    assert not anglais, f"message d'erreur qui n'est pas en français : {anglais}"


def resume(donnees):
    """The data sent, shortened (100 000 characters do not help reading a failure)."""

    def court(valeur):
        if isinstance(valeur, list):
            return [court(v) for v in valeur]
        return valeur if len(valeur) < 80 else f"{valeur[:40]!r}…({len(valeur)} caractères)"

    return {nom: court(valeur) for nom, valeur in (donnees or {}).items() if nom != "csrfmiddlewaretoken"}
