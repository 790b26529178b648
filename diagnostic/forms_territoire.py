"""Forms and list filters of the territory figures and the interviews (diagnostic, beside the surveys)."""

import django_filters
from crispy_forms.helper import FormHelper
from django import forms
from django.db import connection
from django.utils import timezone

from charte.forms import ChampsCachesSignales
from diagnostic.models import Domaine, DonneeTerritoriale, Entretien
from territoires.models import Commune, Organisation

# The spaces people put between thousands: plain, non-breaking, and the narrow one French typography uses.
ESPACES_DES_MILLIERS = (" ", "\xa0", "\u202f")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        # The browser's date picker only reads ISO dates, whatever the language of the page.
        super().__init__(format="%Y-%m-%d", **kwargs)


class NombreFrancais(forms.DecimalField):
    """A decimal typed the French way: « 12,5 » or « 1 234,5 » (a dot is accepted too)."""

    def __init__(self, **kwargs):
        super().__init__(localize=True, **kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            for espace in ESPACES_DES_MILLIERS:
                value = value.replace(espace, "")
        return super().to_python(value)


def refuser_une_date_future(date):
    if date and date > timezone.localdate():
        raise forms.ValidationError("La date ne peut pas être dans le futur.")
    return date


class FormulaireSansBalise(forms.ModelForm):
    """Crispy renders the fields; the template writes the <form> tag and its buttons."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class DonneeForm(ChampsCachesSignales, FormulaireSansBalise):
    """A territory figure. A partner answers for their own organisation: the field is then not offered.

    On a correction, the form carries the version it was opened on, so that a save made meanwhile by
    someone else is detected instead of silently overwritten.
    """

    valeur = NombreFrancais(label="Valeur", max_digits=14, decimal_places=2, help_text="ex. 12,5")
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = DonneeTerritoriale
        fields = ["domaine", "libelle", "valeur", "unite", "commune", "date", "source", "organisation"]
        widgets = {"date": DateInput()}

    def __init__(self, *args, charte, organisation_imposee=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = charte.communes.order_by("nom")
        self.fields["commune"].empty_label = "Tout le territoire"
        if organisation_imposee is not None:
            del self.fields["organisation"]
            self.instance.organisation = organisation_imposee
        else:
            self.fields["organisation"].queryset = Organisation.objects.order_by("nom")
            self.fields["organisation"].empty_label = "Choisissez l'organisation"
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
            # Show « 25 » or « 12,5 » as it was typed, not the stored « 25,00 ».
            self.initial["valeur"] = self.instance.valeur.normalize()
        else:
            # A new figure has no concurrent writer to detect.
            del self.fields["version"]

    def clean_date(self):
        return refuser_une_date_future(self.cleaned_data["date"])


class EntretienForm(FormulaireSansBalise):
    domaines = forms.MultipleChoiceField(
        label="Domaines abordés",
        choices=Domaine.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Cochez au moins un domaine."},
    )

    class Meta:
        model = Entretien
        fields = ["date", "type", "personnes", "domaines", "constats"]
        widgets = {"date": DateInput(), "constats": forms.Textarea(attrs={"rows": 8})}
        help_texts = {
            "constats": "Ce que l'entretien apprend sur les besoins des familles. "
            "Ne nommez aucune famille ni aucun enfant, et évitez les détails qui permettraient de les reconnaître."
        }

    def clean_date(self):
        return refuser_une_date_future(self.cleaned_data["date"])


def _selects_bootstrap(filtre):
    for champ in filtre.form.fields.values():
        champ.widget.attrs["class"] = "form-select form-select-sm"


class DonneeFilter(django_filters.FilterSet):
    """Narrow the figures by domain, provider or commune; every choice belongs to the charter."""

    domaine = django_filters.ChoiceFilter(choices=Domaine.choices, label="Domaine", empty_label="Tous")
    organisation = django_filters.ModelChoiceFilter(
        queryset=Organisation.objects.none(), label="Organisation", empty_label="Toutes"
    )
    commune = django_filters.ModelChoiceFilter(
        queryset=Commune.objects.none(), label="Commune", empty_label="Toutes", null_label="Tout le territoire"
    )

    class Meta:
        model = DonneeTerritoriale
        fields = ["domaine", "organisation", "commune"]

    def __init__(self, *args, charte, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["commune"].queryset = charte.communes.order_by("nom")
        # Only the providers of this charter: the list of every organisation would reveal other territories'.
        self.filters["organisation"].queryset = (
            Organisation.objects.filter(donneeterritoriale__charte=charte).distinct().order_by("nom")
        )
        _selects_bootstrap(self)


class EntretienFilter(django_filters.FilterSet):
    domaine = django_filters.ChoiceFilter(
        choices=Domaine.choices, label="Domaine", empty_label="Tous", method="filtrer_domaine"
    )
    type = django_filters.ChoiceFilter(choices=Entretien.Type.choices, label="Avec", empty_label="Tous")

    class Meta:
        model = Entretien
        fields = ["domaine", "type"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _selects_bootstrap(self)

    def filtrer_domaine(self, queryset, name, code):
        if connection.features.supports_json_field_contains:
            return queryset.filter(domaines__contains=[code])
        # SQLite (local runs) has no JSON containment: match the quoted code in the stored list instead.
        return queryset.filter(domaines__icontains=f'"{code}"')
