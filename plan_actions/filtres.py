import django_filters
from django.db.models import Q

from diagnostic.models import Domaine
from plan_actions.forms import organisations_de
from plan_actions.models import FicheAction
from priorisation.models import Priorite
from territoires.models import Commune, Organisation


class FicheFilter(django_filters.FilterSet):
    """The plan narrowed by domain, priority, organisations, commune, status or year; sortable."""

    domaine = django_filters.ChoiceFilter(choices=Domaine.choices, label="Domaine", empty_label="Tous")
    priorite = django_filters.ModelChoiceFilter(
        field_name="priorites", queryset=Priorite.objects.none(), label="Priorité", empty_label="Toutes"
    )
    pilote = django_filters.ModelChoiceFilter(queryset=Organisation.objects.none(), label="Pilote", empty_label="Tous")
    partenaire = django_filters.ModelChoiceFilter(
        field_name="contributions__organisation",
        queryset=Organisation.objects.none(),
        label="Partenaire",
        empty_label="Tous",
    )
    financeur = django_filters.ModelChoiceFilter(
        field_name="financements__financeur",
        queryset=Organisation.objects.none(),
        label="Financeur",
        empty_label="Tous",
    )
    commune = django_filters.ModelChoiceFilter(
        field_name="communes", queryset=Commune.objects.none(), label="Commune", empty_label="Toutes"
    )
    statut = django_filters.ChoiceFilter(choices=FicheAction.Statut.choices, label="Statut", empty_label="Tous")
    # The page's own bounds, checked here too: a year such as -1 cannot even be compared with a date.
    annee = django_filters.NumberFilter(method="filtrer_annee", label="Année", min_value=2000, max_value=2100)
    tri = django_filters.OrderingFilter(
        fields=(("numero", "numero"), ("titre", "titre"), ("statut", "statut"), ("date_debut", "debut")),
        field_labels={"numero": "Numéro", "titre": "Intitulé", "statut": "Statut", "date_debut": "Début"},
        label="Trier par",
        empty_label="Numéro",
    )

    class Meta:
        model = FicheAction
        fields = ["domaine", "priorite", "pilote", "partenaire", "financeur", "commune", "statut", "annee"]

    def __init__(self, *args, charte, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["priorite"].queryset = charte.priorites.all()
        organisations = organisations_de(charte).order_by("nom")
        for nom in ("pilote", "partenaire", "financeur"):
            self.filters[nom].queryset = organisations
        self.filters["commune"].queryset = charte.communes.order_by("nom")
        for champ in self.form.fields.values():
            champ.widget.attrs["class"] = "form-select form-select-sm"
        self.form.fields["annee"].widget.attrs.update(
            {"class": "form-control form-control-sm", "min": 2000, "max": 2100}
        )

    def filter_queryset(self, queryset):
        # Filters across partners, funders or communes join several rows per fiche.
        return super().filter_queryset(queryset).distinct()

    def filtrer_annee(self, queryset, name, annee):
        """Fiches running during the year, or with budget or financing that year."""
        en_cours = Q(date_debut__year__lte=annee, date_fin__year__gte=annee)
        return queryset.filter(en_cours | Q(lignes_budget__annee=annee) | Q(financements__annee=annee))
