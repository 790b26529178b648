"""Filling in a form found in a page: as served, then as a person who got it right, then with hostile values."""

import re
from collections import Counter, deque
from urllib.parse import urlsplit

from django.urls import URLResolver, get_resolver, resolve
from hypothesis import given
from hypothesis import strategies as st

from priorisation.models import Seance
from tests.factories import PrioriteFactory
from tests.hostile.envoi import envoyer, suivre, verifier_refus
from tests.hostile.pages import Formulaire
from tests.hostile.valeurs import texte_hostile
from tests.permissions import ATTENDU, POST_SEULEMENT
from tests.test_permissions import preparer, url_de

# What a person would type in an empty field, tried in this order until the form stops complaining.
MOT_DE_PASSE = "un-mot-de-passe-Solide-42"
CANDIDATS = ["Texte d'essai", "Oui\nNon", "3", "2025-06-01", "famille@exemple.fr", MOT_DE_PASSE]
CANDIDATS_PAR_GENRE = {
    "number": ["3", "2026"],
    "date": ["2025-06-01"],
    "email": ["famille@exemple.fr"],
    "password": [MOT_DE_PASSE],
}
TEXTES = ("text", "textarea", "search")
LIGNE = re.compile(r"-\d+-")  # "budget-1-id": a field of a row of a table
# Downloads are checked elsewhere; the exploration reads pages.
FICHIERS = re.compile(r"(\.(xlsx|csv|png|pdf|svg)$|/pdf/$|/export)")


def valeurs_servies(formulaire):
    """What the browser sends when the person submits the form untouched."""
    donnees = {}
    for champ in formulaire.champs.values():
        if champ.genre in ("checkbox", "radio") or (champ.genre == "select" and champ.multiple):
            if champ.coches:
                donnees[champ.nom] = list(champ.coches)
        elif champ.genre == "select":
            choisie = champ.coches[-1] if champ.coches else (champ.options[0] if champ.options else None)
            if choisie is not None:
                donnees[champ.nom] = choisie
        elif champ.genre != "file":
            donnees[champ.nom] = champ.valeur
    return donnees


def candidats(champ):
    """Plausible values for the field, the most likely first."""
    if champ.genre in ("select", "radio", "checkbox"):
        return [option for option in champ.options if option not in ("", "null")] or [""]
    return CANDIDATS_PAR_GENRE.get(champ.genre, CANDIDATS)


class Saisie:
    """A form of the application and the values that a person filling it in correctly would give."""

    def __init__(self, client, page, action, formulaire):
        self.client, self.page, self.action = client, page, action
        self.formulaire = formulaire
        self.essai = Counter()  # field -> index of the candidate value in use
        self.perime = True  # something was saved since the form was read: its hidden values are stale
        self.acceptee = False  # the correct values found by apprendre() were accepted

    def relire(self):
        """The form as served now (fresh hidden values: version numbers, tokens), read again after a save."""
        if self.page is None or not self.perime:
            return self.formulaire
        _, page = envoyer(self.client, "GET", self.page, hostile=False)
        self.perime = False
        trouve = formulaire_vers(page, self.action) if page else None
        self.formulaire = trouve or self.formulaire
        return trouve

    def valeurs_correctes(self, formulaire):
        donnees = valeurs_servies(formulaire)
        for champ in formulaire.champs.values():
            if champ.nom in self.essai or (champ.requis and not donnees.get(champ.nom)):
                valeurs = candidats(champ)
                valeur = valeurs[self.essai[champ.nom] % len(valeurs)]
                donnees[champ.nom] = [valeur] if champ.genre == "checkbox" else valeur
        return donnees

    def apprendre(self, essais=8, charges=None):
        """Submit the form the way a careful person would, correcting each field the page points at
        (or, when the page does not point at fields, filling in the empty ones).

        With `charges` (an iterator of markup), markup goes into every text field that accepts it.
        """
        refuses = set()  # text fields that do not take markup (a number typed as text, a code...)
        for _ in range(essais):
            formulaire = self.relire()
            if formulaire is None:
                return
            donnees = self.valeurs_correctes(formulaire)
            if charges is not None:
                marques = [c.nom for c in formulaire.champs.values() if c.genre in TEXTES and c.nom not in refuses]
                donnees |= {nom: next(charges) for nom in marques}
            reponse, page = envoyer(self.client, "POST", self.action, donnees, hostile=charges is not None)
            self.perime = True
            self.acceptee = reponse.status_code == 302
            signales = self.a_corriger(formulaire, donnees, page) if page and page.erreurs else []
            if reponse.status_code != 200 or not signales:
                return
            for nom in signales:
                if charges is not None and nom in marques:
                    refuses.add(nom)
                    continue
                rempli = nom in self.essai or (formulaire.champs.get(nom) and formulaire.champs[nom].requis)
                self.essai[nom] += 1 if rempli else 0

    def a_corriger(self, formulaire, donnees, page):
        """The fields to change after a refusal: those the page marks and the empty lists and boxes, else
        the empty text fields, else all those already changed. A table's empty rows stay empty."""
        vides = [
            c
            for c in formulaire.visibles()
            if not donnees.get(c.nom) and c.nom not in self.essai and not LIGNE.search(c.nom)
        ]
        choix = {c.nom for c in vides if c.genre in ("select", "radio", "checkbox")}
        return list(page.champs_en_erreur | choix) or [c.nom for c in vides] or list(self.essai)


def formulaire_vers(page, action):
    """The form of the page that posts to `action`."""
    for formulaire in page.formulaires:
        if formulaire.methode == "post" and urlsplit(formulaire.action).path == urlsplit(action).path:
            return formulaire
    return None


@st.composite
def donnees_hostiles(draw, saisie, formulaire, noms, boutons):
    """The correct values with one to three fields made hostile: replaced, repeated or left out.

    The fields and buttons to pick from are fixed for the whole run (`noms`, `boutons`): hypothesis
    replays its choices and a form that grew a row meanwhile must not change what they mean.
    """
    donnees = saisie.valeurs_correctes(formulaire)
    inconnu = draw(st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1, max_size=20))
    cibles = draw(st.lists(st.sampled_from([*noms, inconnu]), min_size=1, max_size=3, unique=True))
    for nom in cibles:
        maniere = draw(st.sampled_from(["remplacer", "omettre", "repeter"]))
        if maniere == "omettre":
            donnees.pop(nom, None)
        elif maniere == "repeter":
            donnees[nom] = draw(st.lists(texte_hostile, min_size=2, max_size=3))
        else:
            donnees[nom] = draw(texte_hostile)
    if boutons:
        nom, valeur = draw(st.sampled_from(boutons))
        donnees[nom] = valeur
    return donnees


def harceler(saisie):
    """Hypothesis sends the form again and again, one to three fields made hostile each time; every answer
    is checked (no 5xx, no active content, a refusal explained in French, the saved text shown as text)."""

    noms = sorted(nom for nom in saisie.formulaire.champs if nom != "csrfmiddlewaretoken")
    boutons = list(saisie.formulaire.boutons)

    @given(st.data())
    def essai(data):
        # Once the form is gone (the fiche was proposed, the member removed...), its last fields are sent.
        formulaire = saisie.relire() or saisie.formulaire
        donnees = data.draw(donnees_hostiles(saisie, formulaire, noms, boutons))
        reponse, lue = envoyer(saisie.client, "POST", saisie.action, donnees)
        saisie.perime = reponse.status_code != 200
        if reponse.status_code == 302:
            suivre(saisie.client, reponse)
        elif reponse.status_code == 200 and lue and formulaire_vers(lue, saisie.action):
            verifier_refus(lue, donnees)

    essai()


def explorer(client, depart, prefixe, limite=120):
    """Pages reached by following links from `depart` while they stay under `prefixe` (breadth first)."""
    vus, file, par_chemin = set(), deque(depart), Counter()
    while file and len(vus) < limite:
        adresse = file.popleft()
        chemin = urlsplit(adresse).path
        # A filtered or paginated list shows the same rows: two variants of one path are enough.
        if adresse in vus or not chemin.startswith(prefixe) or FICHIERS.search(chemin) or par_chemin[chemin] >= 2:
            continue
        vus.add(adresse)
        par_chemin[chemin] += 1
        reponse, page = envoyer(client, "GET", adresse, hostile=False)
        if page is not None and reponse.status_code == 200:
            yield adresse, page, reponse
            file.extend(lien.split("#")[0] for lien in page.liens)


PAGES_QUI_RECOIVENT = sorted(page for page, roles in ATTENDU.items() if roles["POST"])


def role_pour(page, methode="POST"):
    """The role that uses the page (the coordinator when allowed); an action without a page: who posts."""
    autorises = ATTENDU[page][methode] or ATTENDU[page]["POST"]
    return "coordinateur" if "coordinateur" in autorises else sorted(autorises)[0]


def seance_en_etat(statut):
    def preparer_la_seance(charte, pk):
        Seance.objects.filter(pk=pk).update(statut=statut)

    return preparer_la_seance


def une_priorite(charte):
    PrioriteFactory(charte=charte)


# Pages whose form only shows in another state than the permissions table's (which checks access only).
ETATS = {
    "priorisation:decision": seance_en_etat(Seance.Statut.CLOSE),
    "priorisation:poids": seance_en_etat(Seance.Statut.PREPARATION),
    "priorisation:nouvelle_seance": une_priorite,
    "plan_actions:nouvelle_fiche": une_priorite,
}


def adresse_de(page, charte):
    """The page's URL on `charte`, with the objects it needs, in the state where its form is offered."""
    preparer(charte, page)
    url = url_de(page, charte)
    if page in ETATS:
        ETATS[page](charte, **{nom: v for nom, v in resolve(url).kwargs.items() if nom != "charte_slug"})
    return url


def ancetres(url):
    """/a/b/c/ → /a/b/, /a/: where the form that posts to an action without a page usually sits."""
    morceaux = url.strip("/").split("/")
    return [f"/{'/'.join(morceaux[:n])}/" for n in range(len(morceaux) - 1, 1, -1)]


def saisie_de(client, charte, page, url):
    """The form that posts to `url`: on the page itself, or for an action without a page, found by
    following the charter's links."""
    if ATTENDU[page]["GET"] is not POST_SEULEMENT:
        _, lue = envoyer(client, "GET", url, hostile=False)
        formulaire = formulaire_vers(lue, url) if lue else None
        return Saisie(client, url, url, formulaire) if formulaire else sans_formulaire(client, url)
    depart = [*ancetres(url), f"/chartes/{charte.slug}/"]
    for adresse, lue, _ in explorer(client, depart, f"/chartes/{charte.slug}/", limite=40):
        formulaire = formulaire_vers(lue, url)
        if formulaire:
            return Saisie(client, adresse, url, formulaire)
    return sans_formulaire(client, url)


def sans_formulaire(client, url):
    """A page that is only read: it is sent fields nobody asked for."""
    return Saisie(client, None, url, Formulaire(action=url, methode="post"))


def motifs(resolver=None, espace="", convertisseurs=None):
    """(name, {argument: converter}) of every URL pattern of the project, the admin's aside."""
    resolver = resolver or get_resolver()
    for motif in resolver.url_patterns:
        tous = (convertisseurs or {}) | getattr(motif.pattern, "converters", {})
        if isinstance(motif, URLResolver):
            if motif.namespace != "admin":
                yield from motifs(motif, f"{espace}{motif.namespace}:" if motif.namespace else espace, tous)
        else:
            yield f"{espace}{motif.name}", tous
