"""An indicator's series against its baseline and target, as an SVG chart (the page and the PDF use it)."""

import datetime
from decimal import Decimal

from django.template.loader import render_to_string
from django.utils.formats import date_format, number_format

LARGEUR, HAUTEUR = 640, 240
UN = Decimal(1)  # the scale's lowest top; a Decimal, so that it can be subtracted from the values
GAUCHE, DROITE, HAUT, BAS = 56, 96, 16, 28


def _nombre(valeur):
    return number_format(valeur, 2 if valeur != int(valeur) else 0, use_l10n=True, force_grouping=True)


def serie_svg(etat):
    """Points of the measurements, a dashed line for the baseline and one for the target; None if nothing to draw."""
    indicateur = etat.indicateur
    points = [(m.date, m.valeur) for m in etat.mesures if m.valeur is not None]
    if indicateur.valeur_reference is not None and indicateur.date_reference:
        points.insert(0, (indicateur.date_reference, indicateur.valeur_reference))
    if not points and indicateur.cible is None:
        return None
    dates = [d for d, _v in points] + [d for d in (indicateur.echeance,) if d]
    debut, fin = min(dates, default=datetime.date.today()), max(dates, default=datetime.date.today())
    valeurs = [v for _d, v in points] + [v for v in (indicateur.cible, indicateur.valeur_reference) if v is not None]
    haut_echelle = max(max(valeurs, default=UN), UN) * 11 / 10
    bas_echelle = min(min(valeurs, default=0), 0)
    largeur_utile, hauteur_utile = LARGEUR - GAUCHE - DROITE, HAUTEUR - HAUT - BAS
    jours = max((fin - debut).days, 1)

    def x(date):
        return round(GAUCHE + largeur_utile * (date - debut).days / jours, 1)

    def y(valeur):
        return round(HAUT + hauteur_utile * float((haut_echelle - valeur) / (haut_echelle - bas_echelle)), 1)

    def horizontale(valeur, libelle):
        return {"y": y(valeur), "libelle": f"{libelle} : {_nombre(valeur)}"} if valeur is not None else None

    contexte = {
        "largeur": LARGEUR,
        "hauteur": HAUTEUR,
        "gauche": GAUCHE,
        "droite": LARGEUR - DROITE,
        "bas": HAUTEUR - BAS,
        "titre": indicateur.libelle,
        "points": [
            {"x": x(d), "y": y(v), "infobulle": f"{date_format(d)} : {_nombre(v)} {indicateur.unite}".strip()}
            for d, v in points
        ],
        "trace": " ".join(f"{x(d)},{y(v)}" for d, v in points),
        "reference": horizontale(indicateur.valeur_reference, "Référence"),
        "cible": horizontale(indicateur.cible, "Cible"),
        "graduations": [
            {"y": y(v), "libelle": _nombre(v)} for v in (bas_echelle, (haut_echelle + bas_echelle) / 2, haut_echelle)
        ],
        "annees": [
            {"x": x(datetime.date(a, 1, 1)), "libelle": a}
            for a in range(debut.year + 1, fin.year + 1)
            if debut < datetime.date(a, 1, 1) <= fin
        ],
        "debut": date_format(debut, "M Y"),
        "fin": date_format(fin, "M Y"),
    }
    return render_to_string("components/serie.svg", contexte)
