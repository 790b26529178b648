from django import template
from django.utils import formats

register = template.Library()


@register.filter
def pluriel(nombre, suffixe="s"):
    """French plural: 0 and 1 take the singular (« 0 réponse », « 2 réponses »)."""
    try:
        return suffixe if abs(int(nombre)) >= 2 else ""
    except (TypeError, ValueError):
        return ""


@register.filter
def euros(montant, decimales=None):
    """An amount the French way, with grouped thousands: « 12 500 € », « 12 500,50 € » (empty for no amount).

    Cents are shown only when there are some, unless `decimales` says how many to show.
    """
    if montant is None or montant == "":
        return ""
    if decimales is None:
        decimales = 0 if montant == int(montant) else 2
    return f"{formats.number_format(montant, decimales, use_l10n=True, force_grouping=True)} €"


@register.filter
def nombre(valeur, decimales=1):
    """A figure without useless zeros, the French way: 48.50 → « 48,5 », 12.00 → « 12 »."""
    if valeur is None or valeur == "":
        return ""
    texte = formats.number_format(valeur, decimales, use_l10n=True, force_grouping=True)
    return texte.rstrip("0").rstrip(",") if "," in texte else texte


@register.filter
def borner(pourcentage, plafond=100):
    """A percentage kept between 0 and `plafond`, for the width of a bar."""
    return max(0, min(int(plafond), int(pourcentage)))
