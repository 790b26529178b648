from django.db.models import Count, Sum
from django.shortcuts import render
from django.utils import timezone

from charte.decorators import permission_charte
from charte.graphiques import gantt_svg
from charte.models import Avancement, Membre

ENTREES_RECENTES = 8


@permission_charte("charte.voir")
def tableau_de_bord(request, charte_slug):
    """The charter at a glance: timeline, current stage, what is late, territory, people."""
    charte = request.charte
    aujourd_hui = timezone.localdate()
    etapes = list(charte.etapes.select_related("jalon_valide_par", "jalon_cosigne_par", "soumise_par"))
    territoire = charte.communes.aggregate(nb=Count("id"), population=Sum("population"))
    nb_par_role = dict(charte.membres.values_list("role").annotate(nb=Count("id")).values_list("role", "nb"))
    roles = [(libelle, nb_par_role[role]) for role, libelle in Membre.Role.choices if role in nb_par_role]
    peut_voir_journal = request.user.has_perm("charte.voir_journal", charte)
    return render(
        request,
        "rapports/tableau_de_bord.html",
        {
            "charte": charte,
            "etapes": [(etape, etape.statut(aujourd_hui)) for etape in etapes],
            "avancement": Avancement.de(etapes, aujourd_hui),
            "gantt": gantt_svg(etapes, aujourd_hui),
            "territoire": territoire,
            "roles": roles,
            "nb_membres": sum(nb_par_role.values()),
            "peut_gerer": request.user.has_perm("charte.gerer", charte),
            "peut_cosigner": request.user.has_perm("charte.cosigner_jalon", charte),
            "peut_voir_journal": peut_voir_journal,
            "journal": charte.journal.select_related("auteur")[:ENTREES_RECENTES] if peut_voir_journal else [],
            "aujourd_hui": aujourd_hui,
        },
    )
