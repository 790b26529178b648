"""Download of a whole charter (backup, move to another installation): see rapports/sauvegarde.py."""

import tempfile

from django.http import FileResponse
from django.utils import timezone

from charte.decorators import permission_charte
from rapports.sauvegarde import exporter


@permission_charte("rapports.sauvegarder")
def sauvegarde(request, charte_slug):
    """The charter's zip; the families' own words and household profiles only for those who read them."""
    charte = request.charte
    complete = request.user.has_perm("diagnostic.voir_tout", charte)
    # Written to a temporary file, not to memory (a national-size charter weighs megabytes); the
    # response closes it once sent.
    fichier = tempfile.TemporaryFile()  # noqa: SIM115
    exporter(charte, fichier, donnees_personnelles=complete, par=request.user)
    fichier.seek(0)
    nom = f"sauvegarde-{charte.slug}-{timezone.localdate():%Y-%m-%d}{'' if complete else '-sans-donnees-familles'}.zip"
    return FileResponse(fichier, as_attachment=True, filename=nom, content_type="application/zip")
