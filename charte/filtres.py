import django_filters
from django.db.models import Q

from charte.models import Charte
from territoires.models import Territoire


class CharteFilter(django_filters.FilterSet):
    """The charters list narrowed by words (charter or intercommunality, SIREN) or department."""

    q = django_filters.CharFilter(method="rechercher", label="Charte, intercommunalité ou SIREN")
    departement = django_filters.CharFilter(method="dans_le_departement", label="Département")

    class Meta:
        model = Charte
        fields = ["q", "departement"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.form.fields["q"].widget.attrs.update(
            {"class": "form-control form-control-sm", "type": "search", "placeholder": "ex. Argonne"}
        )
        self.form.fields["departement"].widget.attrs.update(
            {"class": "form-control form-control-sm", "placeholder": "ex. 55", "maxlength": 3}
        )

    def rechercher(self, queryset, name, texte):
        """The intercommunality's own search (SIREN digits or accent-free words), or words of the charter's name."""
        mots = Q()
        for mot in texte.split():
            mots &= Q(nom__icontains=mot)
        return queryset.filter(Q(territoire__in=Territoire.objects.recherche(texte)) | mots)

    def dans_le_departement(self, queryset, name, code):
        # Stored as "55" or "08,51" (an EPCI may straddle departments): match a whole code.
        code = code.strip().upper()
        return queryset.filter(territoire__departements__regex=rf"(^|,){code}(,|$)") if code.isalnum() else queryset
