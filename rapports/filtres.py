import django_filters
from django.db.models import Q

from plan_actions.models import FicheAction
from rapports.models import Decision, SeanceCopil

# The kinds of object a decision may be about, as the URL names them → the decision's field.
GENRES = {"besoin": "besoin", "priorite": "priorite", "fiche": "fiche", "jalon": "etape"}


class DecisionFilter(django_filters.FilterSet):
    """The charter's decision log narrowed by status, meeting, kind of object, fiche or words."""

    q = django_filters.CharFilter(method="rechercher", label="Mots")
    statut = django_filters.ChoiceFilter(choices=Decision.Statut.choices, label="Statut", empty_label="Tous")
    seance = django_filters.ModelChoiceFilter(queryset=SeanceCopil.objects.none(), label="COPIL", empty_label="Tous")
    objet = django_filters.ChoiceFilter(
        method="filtrer_objet",
        label="Porte sur",
        empty_label="Tout",
        choices=[
            ("besoin", "un besoin"),
            ("priorite", "une priorité"),
            ("fiche", "une fiche action"),
            ("jalon", "un jalon"),
            ("aucun", "aucun objet précis"),
        ],
    )
    fiche = django_filters.ModelChoiceFilter(
        queryset=FicheAction.objects.none(), label="Fiche action", empty_label="Toutes"
    )

    class Meta:
        model = Decision
        fields = ["q", "statut", "seance", "objet", "fiche"]

    def __init__(self, *args, charte, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["seance"].queryset = charte.copils.all()
        self.filters["fiche"].queryset = charte.fiches.order_by("numero")
        for champ in self.form.fields.values():
            champ.widget.attrs["class"] = "form-select form-select-sm"
        self.form.fields["q"].widget.attrs.update(
            {"class": "form-control form-control-sm", "type": "search", "placeholder": "ex. micro-crèche"}
        )

    def rechercher(self, queryset, name, mots):
        """Words found in the decision or in the name of what it is about."""
        for mot in mots.split():
            queryset = queryset.filter(
                Q(texte__icontains=mot)
                | Q(fiche__titre__icontains=mot)
                | Q(priorite__intitule__icontains=mot)
                | Q(besoin__titre__icontains=mot)
            )
        return queryset

    def filtrer_objet(self, queryset, name, genre):
        if genre == "aucun":
            return queryset.filter(**{f"{champ}__isnull": True for champ in GENRES.values()})
        return queryset.filter(**{f"{GENRES[genre]}__isnull": False})
