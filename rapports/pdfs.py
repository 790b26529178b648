"""Reports rendered to HTML (the preview) and to PDF (WeasyPrint), from the same context."""

from django.template.loader import render_to_string

from rapports.contextes import contexte_du_rapport

GABARITS = {
    "copil": "rapports/pdf/copil.html",
    "diagnostic": "rapports/pdf/diagnostic.html",
    "fiche": "rapports/pdf/fiche.html",
    "evaluation": "rapports/pdf/evaluation.html",
}


def html_du_rapport(rapport):
    return render_to_string(GABARITS[rapport.type], contexte_du_rapport(rapport))


def pdf_du_rapport(rapport):
    """The report as PDF bytes, and its number of pages."""
    from weasyprint import HTML  # heavy import: only the workers pay for it

    document = HTML(string=html_du_rapport(rapport), base_url=".").render()
    return document.write_pdf(), len(document.pages)
