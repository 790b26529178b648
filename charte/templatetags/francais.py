from django import template

register = template.Library()


@register.filter
def pluriel(nombre, suffixe="s"):
    """French plural: 0 and 1 take the singular (« 0 réponse », « 2 réponses »)."""
    try:
        return suffixe if abs(int(nombre)) >= 2 else ""
    except (TypeError, ValueError):
        return ""
