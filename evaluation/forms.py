from crispy_forms.helper import FormHelper
from django import forms
from django.utils import timezone

from charte.forms import DateInput
from evaluation.models import Indicateur, Mesure
from plan_actions.forms import organisations_de


class IndicateurForm(forms.ModelForm):
    class Meta:
        model = Indicateur
        fields = [
            "libelle",
            "objectif",
            "niveau",
            "nature",
            "unite",
            "perimetre",
            "sens",
            "valeur_reference",
            "date_reference",
            "cible",
            "echeance",
            "source",
            "methode",
            "frequence",
            "calcul",
            "responsable",
            "valide_le",
            "valide_par",
        ]
        widgets = {"date_reference": DateInput(), "echeance": DateInput(), "valide_le": DateInput()}
        localized_fields = ["valeur_reference", "cible"]

    def __init__(self, *args, charte, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsable"].queryset = organisations_de(charte).order_by("nom")
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean(self):
        donnees = super().clean()
        if donnees.get("nature") == Indicateur.Nature.QUALITATIF and donnees.get("calcul"):
            self.add_error("calcul", "Un indicateur qualitatif ne se calcule pas : choisissez « saisi ».")
        reference, date_reference = donnees.get("valeur_reference"), donnees.get("date_reference")
        if reference is not None and date_reference is None:
            self.add_error("date_reference", "Datez la valeur de référence : la mesure part de cette date.")
        return donnees


class MesureForm(forms.ModelForm):
    class Meta:
        model = Mesure
        fields = ["date", "valeur", "appreciation", "commentaire"]
        widgets = {
            "date": DateInput(),
            "appreciation": forms.Textarea(attrs={"rows": 2}),
            "commentaire": forms.Textarea(attrs={"rows": 2}),
        }
        localized_fields = ["valeur"]

    def __init__(self, *args, indicateur, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.indicateur = indicateur
        self.initial.setdefault("date", timezone.localdate())
        if indicateur.quantitatif:
            self.fields["valeur"].required = True
            self.fields["valeur"].label = f"Valeur{f' ({indicateur.unite})' if indicateur.unite else ''}"
            del self.fields["appreciation"]
        else:
            self.fields["appreciation"].required = True
            del self.fields["valeur"]
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise forms.ValidationError("Une mesure porte sur ce qui est constaté : pas de date future.")
        if Mesure.objects.filter(indicateur=self.instance.indicateur, date=date).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError("Une mesure existe déjà à cette date pour cet indicateur.")
        return date
