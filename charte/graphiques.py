"""SVG charts drawn by the server, used alike by the pages and the PDF reports."""

from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format

LARGEUR, MARGE_GAUCHE, MARGE_DROITE = 960, 210, 20
HAUTEUR_LIGNE, HAUT, BAS = 44, 34, 16
ECART_MIN_LIBELLES = 70
COULEURS = {"validée": "#198754", "en retard": "#dc3545", "en cours": "#0d6efd", "à venir": "#adb5bd"}


@dataclass
class LigneGantt:
    libelle: str
    statut: str
    couleur: str
    x: float
    largeur: float
    y: float
    x_jalon: float
    jalon_valide: bool
    infobulle: str


def gantt_svg(etapes, aujourd_hui=None):
    """The charter's stages as a Gantt chart with a "today" marker, as an SVG string."""
    aujourd_hui = aujourd_hui or timezone.localdate()
    etapes = list(etapes)
    debut = min(e.date_debut for e in etapes)
    fin = max(max(e.date_fin, e.echeance_jalon) for e in etapes)
    duree = max((fin - debut).days, 1)
    largeur_utile = LARGEUR - MARGE_GAUCHE - MARGE_DROITE

    def x(date):
        return MARGE_GAUCHE + largeur_utile * (date - debut).days / duree

    lignes = []
    for rang, etape in enumerate(etapes):
        statut = etape.statut(aujourd_hui)
        lignes.append(
            LigneGantt(
                libelle=f"{etape.numero}. {etape.get_numero_display()}",
                statut=statut,
                couleur=COULEURS[statut],
                x=round(x(etape.date_debut), 1),
                largeur=round(max(x(etape.date_fin) - x(etape.date_debut), 2), 1),
                y=HAUT + rang * HAUTEUR_LIGNE,
                x_jalon=round(x(etape.echeance_jalon), 1),
                jalon_valide=etape.jalon_valide,
                infobulle=(
                    f"{etape.get_numero_display()} : du {date_format(etape.date_debut)} au {date_format(etape.date_fin)}"
                    f" — jalon « {etape.libelle_jalon} » attendu le {date_format(etape.echeance_jalon)} ({statut})"
                ),
            )
        )
    hauteur = HAUT + len(etapes) * HAUTEUR_LIGNE + BAS
    # Year marks; one too close to the start label would be written over it.
    annees = [
        {"x": round(x(d), 1), "libelle": d.year}
        for d in (debut.replace(year=a, month=1, day=1) for a in range(debut.year + 1, fin.year + 1))
        if x(d) - MARGE_GAUCHE >= ECART_MIN_LIBELLES
    ]
    contexte = {
        "largeur": LARGEUR,
        "hauteur": hauteur,
        "lignes": lignes,
        "annees": [{"x": MARGE_GAUCHE, "libelle": date_format(debut, "M Y")}] + annees,
        "bas_grille": hauteur - BAS,
        "aujourd_hui": date_format(aujourd_hui),
        "x_aujourd_hui": round(x(aujourd_hui), 1) if debut <= aujourd_hui <= fin else None,
        "legende": COULEURS,
    }
    return render_to_string("components/gantt.svg", contexte)


HAUTEUR_BARRE, ECART_BARRES, LARGEUR_LIBELLE, LARGEUR_BARRES = 22, 8, 340, 320
LIBELLE_MAX = 46  # characters that fit in LARGEUR_LIBELLE at 13 px


def barres_svg(barres, titre):
    """Horizontal bar chart of counts (`barres`: objects with libelle, effectif, pourcentage)."""
    barres = list(barres)
    maximum = max((b.effectif for b in barres), default=0) or 1
    lignes = [
        {
            "libelle": b.libelle if len(b.libelle) <= LIBELLE_MAX else b.libelle[: LIBELLE_MAX - 1] + "…",
            "libelle_complet": b.libelle,
            "y": i * (HAUTEUR_BARRE + ECART_BARRES),
            "largeur": round(LARGEUR_BARRES * b.effectif / maximum, 1),
            "effectif": b.effectif,
            "pourcentage": b.pourcentage,
        }
        for i, b in enumerate(barres)
    ]
    contexte = {
        "titre": titre,
        "lignes": lignes,
        "hauteur": max(len(barres) * (HAUTEUR_BARRE + ECART_BARRES), HAUTEUR_BARRE),
        "largeur": LARGEUR_LIBELLE + LARGEUR_BARRES + 90,
        "x_barres": LARGEUR_LIBELLE,
        "hauteur_barre": HAUTEUR_BARRE,
    }
    return render_to_string("components/barres.svg", contexte)
