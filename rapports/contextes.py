"""What each report shows: one context per report kind, shared by the HTML preview and the PDF."""

from django.utils import timezone


def contexte_du_rapport(rapport):
    charte = rapport.charte
    return {
        "rapport": rapport,
        "charte": charte,
        "seance": rapport.seance,
        "fiche": rapport.fiche,
        "le": timezone.localdate(),
    }
