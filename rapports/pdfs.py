"""Reports rendered to HTML (the preview) and to PDF (WeasyPrint), from the same context."""

from pathlib import Path

from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.template.loader import render_to_string
from django.templatetags.static import static

from rapports.contextes import contexte_du_rapport

GABARITS = {
    "copil": "rapports/pdf/copil.html",
    "diagnostic": "rapports/pdf/diagnostic.html",
    "fiche": "rapports/pdf/fiche.html",
    "evaluation": "rapports/pdf/evaluation.html",
}
# The reports' own small print stylesheet: Bootstrap would make WeasyPrint several times slower.
FEUILLE_DE_STYLE = "css/rapport.css"


def _html(rapport, feuille_de_style):
    contexte = contexte_du_rapport(rapport) | {"feuille_de_style": feuille_de_style}
    return render_to_string(GABARITS[rapport.type], contexte)


def html_du_rapport(rapport):
    """The report as a web page (the browser loads the stylesheet from the static files)."""
    return _html(rapport, static(FEUILLE_DE_STYLE))


def chemin_de_la_feuille():
    """The stylesheet as a file: WeasyPrint reads it from the disk, not through the web server."""
    chemin = finders.find(FEUILLE_DE_STYLE) or staticfiles_storage.path(FEUILLE_DE_STYLE)
    return Path(chemin).resolve()


def pdf_du_rapport(rapport):
    """The report as PDF bytes, and its number of pages."""
    from weasyprint import HTML  # heavy import: only the workers pay for it

    feuille = chemin_de_la_feuille()
    document = HTML(string=_html(rapport, feuille.as_uri()), base_url=str(feuille.parent)).render()
    return document.write_pdf(), len(document.pages)
