from django.db.models import Count, Sum
from django.shortcuts import render
from django.utils import timezone

from charte.decorators import permission_charte
from charte.fraicheur import contexte_paresseux, resume
from charte.graphiques import gantt_svg
from charte.models import Avancement, Membre
from evaluation.models import Indicateur
from evaluation.suivi import etats, indicateurs_suivis
from plan_actions.models import ZERO, FicheAction, Jalon, taux

ENTREES_RECENTES = 8
JALONS_EN_RETARD_AFFICHES = 10
TOTAUX = ("budget_prevu", "budget_realise", "finance", "finance_acquis")  # FicheAction.objects.avec_totaux()


@permission_charte("charte.voir")
def tableau_de_bord(request, charte_slug):
    """The charter at a glance: timeline, current stage, what is late, territory, people.

    The page's body is a shared block (`{% bloc_partage %}`): its values are computed only when the block is
    rendered again, i.e. once per change of the charter, per day and per set of rights.
    """
    charte = request.charte
    aujourd_hui = timezone.localdate()
    peut_voir_journal = request.user.has_perm("charte.voir_journal", charte)
    return render(
        request,
        "rapports/tableau_de_bord.html",
        {
            "charte": charte,
            "peut_gerer": request.user.has_perm("charte.gerer", charte),
            "peut_cosigner": request.user.has_perm("charte.cosigner_jalon", charte),
            "peut_voir_journal": peut_voir_journal,
            "aujourd_hui": aujourd_hui,
            **contexte_paresseux(
                lambda: contenu_du_tableau(charte, aujourd_hui, peut_voir_journal),
                *("etapes", "avancement", "gantt", "territoire", "roles", "nb_membres", "journal"),
                *("plan", "evaluation"),
            ),
        },
    )


def contenu_du_tableau(charte, aujourd_hui, peut_voir_journal):
    """The dashboard's figures: only computed when its shared block is not in the cache."""
    etapes = list(charte.etapes.select_related("jalon_valide_par", "jalon_cosigne_par", "soumise_par"))
    nb_par_role = resume(charte, "roles", lambda: membres_par_role(charte))
    return {
        "etapes": [(etape, etape.statut(aujourd_hui)) for etape in etapes],
        "avancement": Avancement.de(etapes, aujourd_hui),
        "gantt": gantt_svg(etapes, aujourd_hui),
        "territoire": resume(
            charte, "territoire", lambda: charte.communes.aggregate(nb=Count("id"), population=Sum("population"))
        ),
        "roles": [(libelle, nb_par_role[role]) for role, libelle in Membre.Role.choices if role in nb_par_role],
        "nb_membres": sum(nb_par_role.values()),
        "journal": list(charte.journal.select_related("auteur")[:ENTREES_RECENTES]) if peut_voir_journal else [],
        # Shared by the blocks of every set of rights (and per day: lateness moves with the date).
        "plan": resume(charte, "plan", lambda: synthese_du_plan(charte, aujourd_hui), aujourd_hui),
        "evaluation": resume(charte, "evaluation", lambda: synthese_de_l_evaluation(charte, aujourd_hui), aujourd_hui),
    }


def membres_par_role(charte):
    return dict(charte.membres.values_list("role").annotate(nb=Count("id")).values_list("role", "nb"))


def synthese_du_plan(charte, aujourd_hui):
    """The plan at a glance, in four queries whatever its size: fiches per status, money, late milestones."""
    Statut = FicheAction.Statut
    nb_par_statut = dict(charte.fiches.order_by().values_list("statut").annotate(nb=Count("id")))
    # Money of the plan as adopted: drafts commit nobody yet, abandoned fiches will spend nothing more.
    # The aggregates must not reuse the annotations' names: Django would then sum a missing column (0 on SQLite).
    sommes = (
        FicheAction.objects.de(charte)
        .filter(statut__in=FicheAction.STATUTS_DU_PLAN)
        .avec_totaux()
        .aggregate(**{f"total_{nom}": Sum(nom) for nom in TOTAUX})
    )
    totaux = {nom: sommes[f"total_{nom}"] or ZERO for nom in TOTAUX}
    en_retard = (
        Jalon.objects.en_retard(aujourd_hui)
        .filter(fiche__charte=charte)
        .select_related("fiche")
        .order_by("date_prevue", "fiche__numero", "id")
    )
    jalons_en_retard = list(en_retard[:JALONS_EN_RETARD_AFFICHES])
    nb_en_retard = en_retard.count()
    return {
        "nb_fiches": sum(nb_par_statut.values()),
        "statuts": [
            (statut, libelle, nb_par_statut[statut]) for statut, libelle in Statut.choices if statut in nb_par_statut
        ],
        "totaux": totaux,
        "couverture": taux(totaux["finance"], totaux["budget_prevu"]),
        "reste_a_financer": max(totaux["budget_prevu"] - totaux["finance"], ZERO),
        "jalons_en_retard": jalons_en_retard,
        "nb_jalons_en_retard": nb_en_retard,
        "autres_jalons_en_retard": nb_en_retard - len(jalons_en_retard),
    }


def synthese_de_l_evaluation(charte, aujourd_hui):
    """Indicators at a glance, in two queries: how many, average attainment of the measured ones, what is due."""
    indicateurs = Indicateur.objects.filter(charte=charte)
    suivis = etats(list(indicateurs_suivis(indicateurs, series=False)), charte, aujourd_hui, False)
    taux_mesures = [s.taux_borne for s in suivis if s.taux_borne is not None]
    attendues = sorted((s for s in suivis if s.en_retard), key=lambda s: s.prochaine)
    return {
        "nb_indicateurs": len(suivis),
        "taux_moyen": round(sum(taux_mesures) / len(taux_mesures)) if taux_mesures else None,
        "attendues": attendues[:JALONS_EN_RETARD_AFFICHES],
        "nb_attendues": len(attendues),
        "autres_attendues": max(len(attendues) - JALONS_EN_RETARD_AFFICHES, 0),
    }
