"""SVG charts of the action plan (Gantt of the fiches, budget bars), one drawing for the pages and the PDFs.

Every colour and size is an SVG attribute, not a CSS class: WeasyPrint draws the same file as the browser.
"""

import datetime
from dataclasses import dataclass, field

from django.template.loader import render_to_string
from django.utils.formats import date_format

from charte.templatetags.francais import euros
from plan_actions.models import FicheAction

Statut = FicheAction.Statut

# --- Gantt of the fiches ---------------------------------------------------------------------------
LARGEUR, MARGE_GAUCHE, MARGE_DROITE = 960, 310, 16
HAUT = 46  # year labels and the "today" label
HAUTEUR_LIGNE, HAUTEUR_GROUPE, HAUTEUR_BARRE, DEMI_JALON = 22, 28, 12, 6
LIBELLE_MAX, GROUPE_MAX = 43, 120  # characters that fit at 12 px in the label column, across the width
ANNEE_MIN = 34  # px a year needs for its label


@dataclass(frozen=True)
class Couleurs:
    fond: str  # the whole bar
    avancement: str  # the part done, darker
    contour: str = "none"
    tirets: str = ""  # stroke-dasharray


COULEURS_STATUT = {
    Statut.BROUILLON: Couleurs("#dee2e6", "#adb5bd"),
    Statut.PROPOSEE: Couleurs("#ced4da", "#868e96"),
    Statut.VALIDEE: Couleurs("#9ec5fe", "#0d6efd"),
    Statut.EN_COURS: Couleurs("#96e0cc", "#0f9f7f"),
    Statut.REALISEE: Couleurs("#a3cfbb", "#146c43"),
    Statut.REPORTEE: Couleurs("#fecba1", "#e8590c"),
    # Light and dashed: still visible (what was planned), clearly out of the plan.
    Statut.ABANDONNEE: Couleurs("#ffffff", "#dee2e6", "#868e96", "4 2"),
}
LEGENDE_STATUTS = [
    ("Brouillon, proposée", COULEURS_STATUT[Statut.PROPOSEE]),
    ("Validée", COULEURS_STATUT[Statut.VALIDEE]),
    ("En cours", COULEURS_STATUT[Statut.EN_COURS]),
    ("Réalisée", COULEURS_STATUT[Statut.REALISEE]),
    ("Reportée", COULEURS_STATUT[Statut.REPORTEE]),
    ("Abandonnée", COULEURS_STATUT[Statut.ABANDONNEE]),
]
JALON_ATTEINT, JALON_A_VENIR, JALON_EN_RETARD = "#343a40", "#ffffff", "#dc3545"
ROSE_AUJOURD_HUI = "#d63384"


@dataclass
class Groupe:
    """A header row of the Gantt (a priority, a domain) and the fiches listed under it."""

    libelle: str
    fiches: list = field(default_factory=list)
    vide: str = ""  # what to say when no fiche is drawn under it


def tronquer(texte, longueur):
    return texte if len(texte) <= longueur else texte[: longueur - 1].rstrip() + "…"


def date_courte(date):
    return date_format(date, "SHORT_DATE_FORMAT")


def periode_du_graphique(groupes, debut, fin):
    """The implementation period widened to every dated fiche and milestone, from month start to month end."""
    dates = [debut, fin]
    for fiche in (f for g in groupes for f in g.fiches if a_des_dates(f)):
        dates += [fiche.date_debut, fiche.date_fin]
        dates += [jalon.date_reelle or jalon.date_prevue for jalon in fiche.jalons.all()]
    premier, dernier = min(dates), max(dates)
    mois_suivant = (dernier.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    return premier.replace(day=1), mois_suivant - datetime.timedelta(days=1)


def a_des_dates(fiche):
    return fiche.date_debut is not None and fiche.date_fin is not None


class Echelle:
    """Dates to x coordinates over the plot area."""

    def __init__(self, debut, fin):
        self.debut, self.duree = debut, max((fin - debut).days + 1, 1)
        self.largeur = LARGEUR - MARGE_GAUCHE - MARGE_DROITE

    def x(self, date):
        return round(MARGE_GAUCHE + self.largeur * (date - self.debut).days / self.duree, 1)


def gantt_plan_svg(groupes, debut, fin, aujourd_hui, note=""):
    """The plan's fiches as a Gantt chart grouped under header rows, as an SVG string.

    `groupes`: Groupe objects whose fiches come with their milestones (jalons) prefetched; fiches
    without both dates are skipped (the page lists them). `debut`, `fin`: the implementation period
    (stage 3), shaded; the chart widens to show every fiche. `note` is added under the legend.
    """
    groupes = list(groupes)
    premier, dernier = periode_du_graphique(groupes, debut, fin)
    echelle = Echelle(premier, dernier)
    lignes, y = [], HAUT
    for groupe in groupes:
        lignes.append(
            {"type": "groupe", "y": y, "libelle": tronquer(groupe.libelle, GROUPE_MAX), "infobulle": groupe.libelle}
        )
        y += HAUTEUR_GROUPE
        datees = [f for f in groupe.fiches if a_des_dates(f)]
        for rang, fiche in enumerate(datees):
            lignes.append(ligne_de_fiche(fiche, y, rang, echelle, aujourd_hui))
            y += HAUTEUR_LIGNE
        if not datees:
            message = groupe.vide if not groupe.fiches else "Actions sans dates : voir la liste sous le graphique"
            lignes.append({"type": "vide", "y": y, "libelle": message})
            y += HAUTEUR_LIGNE
    bas_grille = y
    legende, hauteur_legende = disposer_legende(bas_grille + 18, note)
    contexte = {
        "largeur": LARGEUR,
        "hauteur": bas_grille + 18 + hauteur_legende,
        "x_libelles": 8,
        "x_trace": MARGE_GAUCHE,
        "lignes": lignes,
        "hauteur_ligne": HAUTEUR_LIGNE,
        "hauteur_barre": HAUTEUR_BARRE,
        "hauteur_groupe": HAUTEUR_GROUPE,
        "bas_grille": bas_grille,
        "annees": reperes_annuels(premier, dernier, echelle),
        "trimestres": [echelle.x(d) for d in debuts_de_trimestre(premier, dernier)],
        "mise_en_oeuvre": {"x": echelle.x(debut), "largeur": round(echelle.x(fin) - echelle.x(debut), 1)},
        "aujourd_hui": repere_aujourd_hui(aujourd_hui, premier, dernier, echelle),
        "legende": legende,
        "rose": ROSE_AUJOURD_HUI,
        "resume": resume(groupes, premier, dernier, aujourd_hui),
    }
    return render_to_string("components/gantt_plan.svg", contexte)


def ligne_de_fiche(fiche, y, rang, echelle, aujourd_hui):
    couleurs = COULEURS_STATUT.get(fiche.statut, COULEURS_STATUT[Statut.BROUILLON])
    x = echelle.x(fiche.date_debut)
    # The last day is included: a one-day action still gets a visible bar.
    largeur = max(echelle.x(fiche.date_fin + datetime.timedelta(days=1)) - x, 3)
    jalons = [jalon_dessine(j, y + HAUTEUR_LIGNE / 2, echelle, aujourd_hui) for j in fiche.jalons.all()]
    en_retard = sum(1 for j in jalons if j["en_retard"])
    infobulle = (
        f"{fiche.numero}. {fiche.titre} — {fiche.get_statut_display().lower()}, avancement {fiche.avancement} %,"
        f" du {date_courte(fiche.date_debut)} au {date_courte(fiche.date_fin)}"
    )
    if en_retard:
        infobulle += f" — {en_retard} étape{'s' if en_retard > 1 else ''} clé{'s' if en_retard > 1 else ''} en retard"
    return {
        "type": "fiche",
        "y": y,
        "zebre": rang % 2 == 1,
        "libelle": tronquer(f"{fiche.numero}. {fiche.titre}", LIBELLE_MAX),
        "infobulle": infobulle,
        "x": x,
        "y_barre": y + (HAUTEUR_LIGNE - HAUTEUR_BARRE) / 2,
        "largeur": round(largeur, 1),
        "largeur_avancement": round(largeur * min(fiche.avancement, 100) / 100, 1),
        "couleurs": couleurs,
        "jalons": jalons,
        "en_retard": en_retard,
    }


def jalon_dessine(jalon, y_centre, echelle, aujourd_hui):
    en_retard = jalon.en_retard(aujourd_hui)
    if jalon.date_reelle:
        etat, couleur = f"atteinte le {date_courte(jalon.date_reelle)}", JALON_ATTEINT
    elif en_retard:
        etat, couleur = "en retard", JALON_EN_RETARD
    else:
        etat, couleur = "à venir", JALON_A_VENIR
    # A reached milestone sits on the day it was reached; the others on their planned day.
    x = echelle.x(jalon.date_reelle or jalon.date_prevue)
    return {
        "chemin": f"M{x},{y_centre - DEMI_JALON} l{DEMI_JALON},{DEMI_JALON} l-{DEMI_JALON},{DEMI_JALON} l-{DEMI_JALON},-{DEMI_JALON} z",
        "couleur": couleur,
        "en_retard": en_retard,
        "infobulle": f"Étape clé « {jalon.libelle} » prévue le {date_courte(jalon.date_prevue)} : {etat}",
    }


def reperes_annuels(premier, dernier, echelle):
    """A gridline on each 1st of January, and each year's label centred on its visible part."""
    reperes = []
    for annee in range(premier.year, dernier.year + 1):
        debut = max(premier, datetime.date(annee, 1, 1))
        suite = min(dernier + datetime.timedelta(days=1), datetime.date(annee + 1, 1, 1))
        x_debut, x_fin = echelle.x(debut), echelle.x(suite)
        reperes.append(
            {
                "x_ligne": x_debut if debut.month == 1 and debut.day == 1 and debut != premier else None,
                "x_libelle": round((x_debut + x_fin) / 2, 1) if x_fin - x_debut >= ANNEE_MIN else None,
                "annee": annee,
            }
        )
    return reperes


def debuts_de_trimestre(premier, dernier):
    return [
        datetime.date(annee, mois, 1)
        for annee in range(premier.year, dernier.year + 1)
        for mois in (4, 7, 10)
        if premier < datetime.date(annee, mois, 1) <= dernier
    ]


def repere_aujourd_hui(aujourd_hui, premier, dernier, echelle):
    if not premier <= aujourd_hui <= dernier:
        return None
    x = echelle.x(aujourd_hui)
    # Near an edge the label is anchored inwards so that it is not cut.
    ancrage = "start" if x - MARGE_GAUCHE < 50 else "end" if LARGEUR - MARGE_DROITE - x < 50 else "middle"
    return {"x": x, "ancrage": ancrage, "date": date_courte(aujourd_hui)}


def resume(groupes, premier, dernier, aujourd_hui):
    """The text alternative of the chart (its data are in the table below it on the page)."""
    fiches = {f.pk: f for g in groupes for f in g.fiches if a_des_dates(f)}
    retards = sum(1 for f in fiches.values() for j in f.jalons.all() if j.en_retard(aujourd_hui))
    return (
        f"{len(fiches)} action{'s' if len(fiches) > 1 else ''} datée{'s' if len(fiches) > 1 else ''}, "
        f"du {date_courte(premier)} au {date_courte(dernier)}, en {len(groupes)} groupe{'s' if len(groupes) > 1 else ''} ; "
        f"{retards} étape{'s' if retards > 1 else ''} clé{'s' if retards > 1 else ''} en retard au {date_courte(aujourd_hui)}."
    )


LARGEUR_CARACTERE = 6.6  # average width of a 12 px character, to lay out the legend
HAUTEUR_LEGENDE = 22


def disposer_legende(y, note):
    """Legend items placed left to right, wrapping to a new line; returns (items, height)."""
    elements = [{"sorte": "statut", "libelle": libelle, "couleurs": c} for libelle, c in LEGENDE_STATUTS]
    elements += [
        {"sorte": "avancement", "libelle": "partie foncée : avancement"},
        {"sorte": "jalon", "libelle": "étape clé atteinte", "couleur": JALON_ATTEINT},
        {"sorte": "jalon", "libelle": "à venir", "couleur": JALON_A_VENIR},
        {"sorte": "jalon", "libelle": "en retard", "couleur": JALON_EN_RETARD},
        {"sorte": "periode", "libelle": "période de mise en œuvre"},
        {"sorte": "aujourd_hui", "libelle": "aujourd'hui"},
    ]
    x, ligne = 8, 0
    for element in elements:
        largeur = 26 + len(element["libelle"]) * LARGEUR_CARACTERE + 16
        if x + largeur > LARGEUR - 8:
            x, ligne = 8, ligne + 1
        element.update(x=int(x), y=y + ligne * HAUTEUR_LEGENDE)
        x += largeur
    lignes = ligne + 1
    if note:
        elements.append({"sorte": "note", "libelle": note, "x": 8, "y": y + lignes * HAUTEUR_LEGENDE})
        lignes += 1
    return elements, lignes * HAUTEUR_LEGENDE


# --- budget charts ---------------------------------------------------------------------------------
BLEU_CLAIR, BLEU, VERT, VERT_MOYEN, VERT_CLAIR = "#9ec5fe", "#0d6efd", "#198754", "#75b798", "#d1e7dd"
LARGEUR_BARRES, LARGEUR_LIBELLE_BARRES, LIBELLE_BARRES_MAX = 420, 300, 44
ECART_LEGENDE = 110


@dataclass(frozen=True)
class Serie:
    """One kind of amount drawn in a chart: its label, colour and the attribute it is read from."""

    libelle: str
    couleur: str
    attribut: str

    def montant(self, objet):
        return getattr(objet, self.attribut) or 0


SERIES_FINANCEMENT = [
    Serie("Versé", VERT, "verse"),
    Serie("Accordé", VERT_MOYEN, "accorde"),
    Serie("Sollicité", VERT_CLAIR, "sollicite"),
]
SERIES_ANNEE = [Serie("Prévu", BLEU_CLAIR, "prevu"), Serie("Réalisé", BLEU, "realise")]
SERIES_DOMAINE = [*SERIES_ANNEE, Serie("Financé", VERT, "finance")]


def legende_des_series(series, x, y):
    return [
        {"x": x + i * ECART_LEGENDE, "y": y, "libelle": s.libelle, "couleur": s.couleur} for i, s in enumerate(series)
    ]


def proportion(montant, maximum, longueur):
    return round(longueur * float(montant) / float(maximum), 1) if maximum else 0


HAUTEUR_BARRE_EMPILEE, ECART_EMPILEES = 20, 10


def financeurs_svg(financeurs, titre="Financements par financeur", series=SERIES_FINANCEMENT):
    """Horizontal bars, one per funder, split by the state of the request (objects with libelle,
    total and the series' attributes: verse, accorde, sollicite)."""
    financeurs = list(financeurs)
    maximum = max((f.total for f in financeurs), default=0)
    pas = HAUTEUR_BARRE_EMPILEE + ECART_EMPILEES
    lignes = []
    for i, financeur in enumerate(financeurs):
        segments, x = [], LARGEUR_LIBELLE_BARRES
        for serie in series:
            largeur = proportion(serie.montant(financeur), maximum, LARGEUR_BARRES)
            if largeur:
                segments.append({"x": x, "largeur": largeur, "couleur": serie.couleur})
                x = round(x + largeur, 1)
        detail = ", ".join(f"{s.libelle.lower()} {euros(s.montant(financeur))}" for s in series)
        lignes.append(
            {
                "y": i * pas,
                "libelle": tronquer(financeur.libelle, LIBELLE_BARRES_MAX),
                "segments": segments,
                "x_texte": round(x + 6, 1),
                "total": euros(financeur.total),
                "infobulle": f"{financeur.libelle} : {euros(financeur.total)} ({detail})",
            }
        )
    hauteur_barres = max(len(lignes), 1) * pas
    contexte = {
        "titre": titre,
        "lignes": lignes,
        "largeur": LARGEUR_LIBELLE_BARRES + LARGEUR_BARRES + 110,
        "hauteur": hauteur_barres + 24,
        "hauteur_barre": HAUTEUR_BARRE_EMPILEE,
        "x_barres": LARGEUR_LIBELLE_BARRES,
        "legende": legende_des_series(series, LARGEUR_LIBELLE_BARRES, hauteur_barres + 10),
    }
    return render_to_string("components/barres_financeurs.svg", contexte)


HAUTEUR_BARRE_GROUPEE, ECART_CATEGORIES = 11, 14


def barres_groupees_svg(categories, titre="Budget par domaine", series=SERIES_DOMAINE):
    """Horizontal grouped bars, one group per category (objects with libelle and the series' attributes)."""
    categories = list(categories)
    maximum = max((s.montant(c) for c in categories for s in series), default=0)
    pas_barre = HAUTEUR_BARRE_GROUPEE + 2
    hauteur_groupe = len(series) * pas_barre
    lignes = []
    for i, categorie in enumerate(categories):
        y = i * (hauteur_groupe + ECART_CATEGORIES)
        barres = []
        for j, serie in enumerate(series):
            montant = serie.montant(categorie)
            largeur = proportion(montant, maximum, LARGEUR_BARRES)
            barres.append(
                {
                    "y": y + j * pas_barre,
                    "y_texte": y + j * pas_barre + HAUTEUR_BARRE_GROUPEE - 1,
                    "largeur": largeur,
                    "x_texte": round(LARGEUR_LIBELLE_BARRES + largeur + 5, 1),
                    "couleur": serie.couleur,
                    "montant": euros(montant),
                    "infobulle": f"{categorie.libelle}, {serie.libelle.lower()} : {euros(montant)}",
                }
            )
        lignes.append(
            {
                "y_libelle": y + hauteur_groupe // 2 + 4,
                "libelle": tronquer(categorie.libelle, LIBELLE_BARRES_MAX),
                "infobulle": categorie.libelle,
                "barres": barres,
            }
        )
    hauteur_barres = max(len(categories), 1) * (hauteur_groupe + ECART_CATEGORIES)
    contexte = {
        "titre": titre,
        "lignes": lignes,
        "largeur": LARGEUR_LIBELLE_BARRES + LARGEUR_BARRES + 110,
        "hauteur": hauteur_barres + 24,
        "bas_axe": hauteur_barres - ECART_CATEGORIES // 2,
        "x_barres": LARGEUR_LIBELLE_BARRES,
        "hauteur_barre": HAUTEUR_BARRE_GROUPEE,
        "legende": legende_des_series(series, LARGEUR_LIBELLE_BARRES, hauteur_barres + 10),
    }
    return render_to_string("components/barres_groupees.svg", contexte)


LARGEUR_COLONNE, ECART_COLONNES, ECART_GROUPES, HAUTEUR_COLONNES = 70, 6, 44, 180
MARGE_AXE, HAUT_COLONNES = 90, 24  # room for the gridlines' amounts; for the amount above the tallest column


def graduations(maximum):
    """Round gridline values up to `maximum` or just above: steps of 1, 2, 2.5 or 5 times a power of ten."""
    if maximum <= 0:
        return [1]
    puissance = 10 ** (len(str(int(maximum))) - 1)
    pas = next(f * puissance for f in (0.1, 0.2, 0.25, 0.5, 1, 2, 2.5, 5, 10) if maximum / (f * puissance) <= 5)
    valeurs = [pas]
    while valeurs[-1] < maximum:
        valeurs.append(valeurs[-1] + pas)
    return valeurs


def colonnes_annuelles_svg(annees, titre="Budget prévu et réalisé par année", series=SERIES_ANNEE):
    """Grouped columns, one group per year (objects with libelle and the series' attributes)."""
    annees = list(annees)
    reperes = graduations(max((float(s.montant(a)) for a in annees for s in series), default=0))
    plafond, y_base = reperes[-1], HAUT_COLONNES + HAUTEUR_COLONNES
    largeur_groupe = len(series) * LARGEUR_COLONNE + (len(series) - 1) * ECART_COLONNES
    groupes = []
    for i, annee in enumerate(annees):
        x_groupe = MARGE_AXE + ECART_GROUPES // 2 + i * (largeur_groupe + ECART_GROUPES)
        colonnes = []
        for j, serie in enumerate(series):
            montant = serie.montant(annee)
            hauteur = proportion(montant, plafond, HAUTEUR_COLONNES)
            x = x_groupe + j * (LARGEUR_COLONNE + ECART_COLONNES)
            colonnes.append(
                {
                    "x": x,
                    "x_texte": x + LARGEUR_COLONNE // 2,
                    "y": round(y_base - hauteur, 1),
                    "hauteur": hauteur,
                    "couleur": serie.couleur,
                    "montant": euros(montant),
                    "infobulle": f"{annee.libelle}, {serie.libelle.lower()} : {euros(montant)}",
                }
            )
        groupes.append({"libelle": annee.libelle, "x_libelle": x_groupe + largeur_groupe // 2, "colonnes": colonnes})
    contexte = {
        "titre": titre,
        "largeur": MARGE_AXE + max(len(annees), 1) * (largeur_groupe + ECART_GROUPES) + 10,
        "hauteur": y_base + 48,
        "largeur_colonne": LARGEUR_COLONNE,
        "y_base": y_base,
        "x_axe": MARGE_AXE,
        "groupes": groupes,
        "graduations": [
            {"y": round(y_base - proportion(r, plafond, HAUTEUR_COLONNES), 1), "libelle": euros(r)} for r in reperes
        ],
        "legende": legende_des_series(series, MARGE_AXE, y_base + 40),
    }
    return render_to_string("components/colonnes_groupees.svg", contexte)
