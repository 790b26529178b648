from django import forms

from charte.forms import FormulaireSansBalise
from rapports.models import Rapport


class DemandeRapportForm(FormulaireSansBalise):
    type = forms.ChoiceField(label="Rapport", choices=Rapport.Type.choices)
    seance = forms.ModelChoiceField(
        label="Pour le COPIL du",
        queryset=None,
        required=False,
        empty_label="(aucun : rapport hors séance)",
        help_text="Le rapport est archivé avec cette séance du comité de pilotage.",
    )
    fiche = forms.ModelChoiceField(
        label="Fiche action", queryset=None, required=False, help_text="Pour une fiche action seulement."
    )

    def __init__(self, *args, charte, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["seance"].queryset = charte.copils.all()
        self.fields["fiche"].queryset = charte.fiches.all()

    def clean(self):
        donnees = super().clean()
        if donnees.get("type") == Rapport.Type.FICHE and not donnees.get("fiche"):
            self.add_error("fiche", "Choisissez la fiche action à imprimer.")
        if donnees.get("type") != Rapport.Type.FICHE:
            donnees["fiche"] = None
        return donnees
