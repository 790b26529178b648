"""Reading the application's HTML as a browser would: its forms, its links, its errors, its active content.

The hostile tests discover what to send from the pages themselves (the <form> a person fills in),
so a new form is exercised without being declared here.
"""

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

# Words of Django's (or anyone's) English messages; none may appear in an error shown to a person.
ANGLAIS = re.compile(
    r"\b(the|this|that|is|are|must|enter|ensure|select|please|field|value|valid|invalid|required|"
    r"characters?|number|should|cannot|not allowed|tampered|missing|error)\b",
    re.IGNORECASE,
)
CLASSES_D_ERREUR = {"invalid-feedback", "alert-danger", "text-danger", "errorlist"}
# Containers that never hold text typed by someone: scripts are checked separately.
TYPES_DE_SCRIPT_INERTES = {"application/json", "application/ld+json"}


@dataclass
class Champ:
    nom: str
    genre: str  # text, textarea, number, date, email, select, checkbox, radio, hidden, password, file...
    valeur: str = ""
    options: list = field(default_factory=list)  # select, radio and checkbox groups: the values offered
    multiple: bool = False
    requis: bool = False
    coches: list = field(default_factory=list)  # checkbox and radio: the values checked in the page as served


@dataclass
class Formulaire:
    action: str
    methode: str
    champs: dict = field(default_factory=dict)  # name -> Champ (radio and checkbox grouped by name)
    boutons: list = field(default_factory=list)  # (name, value) of the named submit buttons

    def visibles(self):
        return [champ for champ in self.champs.values() if champ.genre not in ("hidden", "file")]


@dataclass
class Page:
    formulaires: list = field(default_factory=list)
    liens: list = field(default_factory=list)
    erreurs: list = field(default_factory=list)  # texts of the error elements
    champs_en_erreur: set = field(default_factory=set)  # inputs marked is-invalid or followed by an error
    contenu_actif: list = field(default_factory=list)  # what a browser would run: must stay empty


class LecteurDePage(HTMLParser):
    def __init__(self, adresse):
        super().__init__(convert_charrefs=True)
        self.adresse = adresse
        self.page = Page()
        self.formulaire = None
        self.select = None
        self.option = None
        self.textarea = None
        self.erreur_ouverte = []  # stack of open elements, True where an error element starts
        self.script = None
        self.modeles = 0  # depth of <template> elements: their fields are not sent
        self.dernier_champ = None  # the visible field read last in the current form
        self.erreurs_apres = []  # (error's index, field read just before it)

    # Forms ------------------------------------------------------------------------------------
    def handle_starttag(self, balise, attributs):
        attrs = {nom: (valeur if valeur is not None else "") for nom, valeur in attributs}
        self.relever_contenu_actif(balise, attrs)
        classes = set(attrs.get("class", "").split())
        if "is-invalid" in classes:
            self.page.champs_en_erreur.add(attrs.get("name", ""))
        if balise not in VIDES:
            self.erreur_ouverte.append(bool(classes & CLASSES_D_ERREUR))
            if classes & CLASSES_D_ERREUR:
                self.page.erreurs.append("")
                # An error written right after a field is that field's, even without is-invalid on it.
                if self.formulaire is not None and self.dernier_champ:
                    self.erreurs_apres.append((len(self.page.erreurs) - 1, self.dernier_champ))
        if balise == "a" and attrs.get("href"):
            self.page.liens.append(urljoin(self.adresse, attrs["href"]))
        elif balise == "form":
            self.formulaire = Formulaire(
                action=urljoin(self.adresse, attrs.get("action") or self.adresse),
                methode=attrs.get("method", "get").lower(),
            )
            self.page.formulaires.append(self.formulaire)
        elif balise == "template":
            self.modeles += 1
        elif balise == "option" and self.select is not None:
            self.option = attrs | {"texte": ""}
        elif self.formulaire is None or self.modeles or "name" not in attrs or "disabled" in attrs:
            return
        elif balise == "input":
            self.ajouter_input(attrs)
            if attrs.get("type", "text").lower() not in ("hidden", "submit", "image", "button"):
                self.dernier_champ = attrs["name"]
        elif balise == "button" and attrs.get("type", "submit") == "submit":
            self.formulaire.boutons.append((attrs["name"], attrs.get("value", "")))
        elif balise == "select":
            self.select = Champ(attrs["name"], "select", multiple="multiple" in attrs, requis="required" in attrs)
            self.formulaire.champs[self.select.nom] = self.select
            self.dernier_champ = self.select.nom
        elif balise == "textarea":
            self.textarea = Champ(attrs["name"], "textarea", requis="required" in attrs)
            self.formulaire.champs[self.textarea.nom] = self.textarea
            self.dernier_champ = self.textarea.nom

    def ajouter_input(self, attrs):
        genre = attrs.get("type", "text").lower()
        nom = attrs["name"]
        if genre in ("submit", "image"):
            self.formulaire.boutons.append((nom, attrs.get("value", "")))
            return
        if genre in ("checkbox", "radio"):
            champ = self.formulaire.champs.setdefault(nom, Champ(nom, genre, multiple=genre == "checkbox"))
            champ.options.append(attrs.get("value", "on"))
            if "checked" in attrs:
                champ.coches.append(attrs.get("value", "on"))
            champ.requis = champ.requis or "required" in attrs
            return
        self.formulaire.champs[nom] = Champ(nom, genre, valeur=attrs.get("value", ""), requis="required" in attrs)

    def handle_endtag(self, balise):
        if balise not in VIDES and self.erreur_ouverte:
            self.erreur_ouverte.pop()
        if balise == "form":
            self.formulaire, self.dernier_champ = None, None
        elif balise == "select":
            self.select = None
        elif balise == "option" and self.option is not None:
            self.fermer_option()
        elif balise == "textarea" and self.textarea is not None:
            # A browser drops the newline that follows <textarea>.
            self.textarea.valeur = self.textarea.valeur.removeprefix("\n")
            self.textarea = None
        elif balise == "template":
            self.modeles -= 1
        elif balise == "script":
            self.script = None

    def fermer_option(self):
        valeur = self.option.get("value", self.option["texte"].strip())
        self.select.options.append(valeur)
        if "selected" in self.option:
            self.select.coches.append(valeur)
        self.option = None

    def handle_data(self, texte):
        if self.option is not None:
            self.option["texte"] += texte
        if self.textarea is not None:
            self.textarea.valeur += texte
        if any(self.erreur_ouverte) and texte.strip():
            self.page.erreurs[-1] += texte
        if self.script is not None and texte.strip():
            self.page.contenu_actif.append(f"script en ligne : {texte.strip()[:80]}")

    # Active content -----------------------------------------------------------------------------
    def relever_contenu_actif(self, balise, attrs):
        """Anything a browser would execute that the application did not write itself."""
        for nom, valeur in attrs.items():
            if nom.startswith("on"):
                self.page.contenu_actif.append(f"<{balise} {nom}={valeur[:60]}>")
            if nom in ("href", "src", "action", "formaction", "data") and valeur.strip().lower().startswith(
                ("javascript:", "data:text/html", "vbscript:")
            ):
                self.page.contenu_actif.append(f"<{balise} {nom}={valeur[:60]}>")
        if balise == "script" and attrs.get("type", "").lower() not in TYPES_DE_SCRIPT_INERTES:
            if not attrs.get("src"):
                self.script = balise
            elif urlsplit(attrs["src"]).netloc:
                self.page.contenu_actif.append(f"<script src={attrs['src'][:60]}>")
        if balise in ("iframe", "object", "embed", "base", "meta") and (
            balise != "meta" or attrs.get("http-equiv", "").lower() == "refresh"
        ):
            self.page.contenu_actif.append(f"<{balise}>")


VIDES = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


def lire(corps, charset, adresse):
    """The page's forms, links, errors and active content (an HTML response only)."""
    lecteur = LecteurDePage(adresse)
    lecteur.feed(corps.decode(charset or "utf-8"))
    lecteur.close()
    page = lecteur.page
    # A red asterisk is not an error: only a message counts.
    page.champs_en_erreur |= {nom for i, nom in lecteur.erreurs_apres if len(page.erreurs[i].strip()) > 1}
    page.erreurs = [texte.strip() for texte in page.erreurs if len(texte.strip()) > 1]
    return page


def est_html(reponse):
    return reponse.get("Content-Type", "").startswith("text/html")


def erreurs_en_anglais(page):
    """The error texts of the page that are not in French."""
    return [texte.strip() for texte in page.erreurs if ANGLAIS.search(texte)]
