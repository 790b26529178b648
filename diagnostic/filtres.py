import django_filters
from django import forms

from diagnostic.models import Reponse
from territoires.models import Commune, Famille


class ReponseFilter(django_filters.FilterSet):
    """Narrow the results to some households: by commune, profile or channel."""

    commune = django_filters.ModelChoiceFilter(
        field_name="famille__commune", queryset=Commune.objects.none(), label="Commune", empty_label="Toutes"
    )
    etape_vie = django_filters.ChoiceFilter(
        field_name="famille__etape_vie",
        choices=Famille.EtapeVie.choices,
        label="Situation familiale",
        empty_label="Toutes",
    )
    monoparentale = django_filters.ChoiceFilter(
        field_name="famille__monoparentale",
        choices=[(True, "Oui"), (False, "Non")],
        label="Famille monoparentale",
        empty_label="Toutes",
    )
    affiliation_msa = django_filters.ChoiceFilter(
        field_name="famille__affiliation_msa",
        choices=Famille.AffiliationMsa.choices,
        label="Affiliée MSA",
        empty_label="Toutes",
    )
    canal = django_filters.ChoiceFilter(choices=Reponse.Canal.choices, label="Canal", empty_label="Tous")

    class Meta:
        model = Reponse
        fields = ["commune", "etape_vie", "monoparentale", "affiliation_msa", "canal"]

    def __init__(self, *args, charte, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["commune"].queryset = charte.communes.order_by("nom")
        for filtre in self.form.fields.values():
            filtre.widget.attrs["class"] = "form-select form-select-sm"
        self.form.fields["commune"].widget = forms.Select(
            attrs={"class": "form-select form-select-sm"}, choices=self.form.fields["commune"].choices
        )
