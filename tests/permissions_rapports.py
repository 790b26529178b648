"""Expected access to the COPIL and report pages (merged into tests/permissions.py's table).

Every member (and the national staff) reads the COPIL meetings, the decision log and the reports;
the coordinator records meetings and decisions; the coordinator and the référent ask for reports.
"""

import datetime

from rapports.models import Rapport, SeanceCopil

TOUS = {"coordinateur", "referent", "partenaire", "observateur", "national"}
COORDINATEUR = {"coordinateur"}
DEMANDEURS = {"coordinateur", "referent"}
SAUVEGARDE = {"coordinateur", "national"}  # the whole charter in one file

ATTENDU = {
    "rapports:copils": {"GET": TOUS, "POST": TOUS},
    "rapports:nouveau_copil": {"GET": COORDINATEUR, "POST": COORDINATEUR},
    "rapports:copil": {"GET": TOUS, "POST": TOUS},
    "rapports:modifier_copil": {"GET": COORDINATEUR, "POST": COORDINATEUR},
    "rapports:decisions": {"GET": TOUS, "POST": TOUS},
    "rapports:rapports": {"GET": TOUS, "POST": DEMANDEURS},
    "rapports:apercu": {"GET": TOUS, "POST": TOUS},
    "rapports:rapport": {"GET": TOUS, "POST": TOUS},
    "rapports:etat_rapport": {"GET": TOUS, "POST": TOUS},
    "rapports:telecharger": {"GET": TOUS, "POST": TOUS},
    "rapports:sauvegarde": {"GET": SAUVEGARDE, "POST": SAUVEGARDE},
}

SANS_ARGUMENT = {
    "rapports:copils",
    "rapports:nouveau_copil",
    "rapports:decisions",
    "rapports:rapports",
    "rapports:sauvegarde",
}
COPIL_ADRESSE_PAR_ID = {"rapports:copil", "rapports:modifier_copil"}


def rapport_pret(charte):
    """A finished report with its file (the download needs one)."""
    from django.core.files.base import ContentFile

    rapport = Rapport.objects.create(charte=charte, type=Rapport.Type.COPIL, statut=Rapport.Statut.PRET)
    rapport.fichier.save(f"essai-{rapport.pk}.pdf", ContentFile(b"%PDF-1.4 essai"))
    return rapport


def arguments(page, charte):
    """URL arguments (besides charte_slug) for `page`, creating the objects it needs in `charte`."""
    if page in SANS_ARGUMENT:
        return {}
    if page in COPIL_ADRESSE_PAR_ID:
        return {"pk": SeanceCopil.objects.create(charte=charte, date=datetime.date(2025, 7, 10)).pk}
    if page == "rapports:apercu":
        return {"type": "copil"}
    return {"pk": rapport_pret(charte).pk}
