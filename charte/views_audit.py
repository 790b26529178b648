"""The charter's audit trail: every traced change, narrowed by kind of object, action and author."""

from dataclasses import dataclass

import django_filters
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse

from charte import audit
from charte.decorators import permission_charte
from charte.models import Trace

TRACES_PAR_PAGE = 50
SYSTEME = "systeme"


class TraceFilter(django_filters.FilterSet):
    genre = django_filters.ChoiceFilter(method="filtrer_genre", label="Objet", empty_label="Tous")
    action = django_filters.ChoiceFilter(choices=Trace.Action.choices, label="Action", empty_label="Toutes")
    auteur = django_filters.ChoiceFilter(method="filtrer_auteur", label="Auteur", empty_label="Tous")

    class Meta:
        model = Trace
        fields = ["genre", "action", "auteur"]

    def __init__(self, *args, charte, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["genre"].extra["choices"] = audit.genres()
        # Only the people who changed something in this charter, then the system.
        auteurs = get_user_model().objects.filter(pk__in=charte.traces.values("auteur_id"))
        self.filters["auteur"].extra["choices"] = [
            *((str(personne.pk), str(personne)) for personne in auteurs.order_by("last_name", "username")),
            (SYSTEME, "Système (tâches, commandes)"),
        ]
        for champ in self.form.fields.values():
            champ.widget.attrs["class"] = "form-select form-select-sm"

    def filtrer_genre(self, queryset, name, genre):
        app_label, _, modele = genre.partition(".")
        return queryset.filter(type_objet__app_label=app_label, type_objet__model=modele)

    def filtrer_auteur(self, queryset, name, auteur):
        if auteur == SYSTEME:
            return queryset.filter(auteur__isnull=True)
        return queryset.filter(auteur_id=auteur)


@dataclass
class LigneAudit:
    trace: Trace
    genre: str
    lien: str | None  # the object's page, while it exists


def lignes(traces, charte):
    """The page's traces with the kind of their object and a link to it when it has a page and still exists.

    An object is gone when the trail holds its deletion: one query for the whole page.
    """
    traces = list(traces)
    supprimes = set(
        charte.traces.filter(action=Trace.Action.SUPPRESSION, objet_id__in={t.objet_id for t in traces}).values_list(
            "type_objet_id", "objet_id"
        )
    )
    regles = audit.regles_par_label()
    resultat = []
    for trace in traces:
        regle = regles.get(f"{trace.type_objet.app_label}.{trace.type_objet.model}")
        lien = None
        if regle and regle.lien and (trace.type_objet_id, trace.objet_id) not in supprimes:
            lien = reverse(regle.lien, args=[charte.slug, trace.objet_id])
        resultat.append(LigneAudit(trace, regle.nom if regle else trace.type_objet.name, lien))
    return resultat


@permission_charte("charte.voir_audit")
def journal_d_audit(request, charte_slug):
    charte = request.charte
    filtre = TraceFilter(
        request.GET or None, queryset=charte.traces.select_related("auteur", "type_objet"), charte=charte
    )
    page = Paginator(filtre.qs, TRACES_PAR_PAGE).get_page(request.GET.get("page"))
    parametres = request.GET.copy()
    parametres.pop("page", None)
    return render(
        request,
        "charte/audit.html",
        {
            "charte": charte,
            "filtre": filtre,
            "page": page,
            "lignes": lignes(page.object_list, charte) if page.object_list else [],
            "filtre_actif": any(parametres.values()),
            "requete": parametres.urlencode(),
        },
    )
