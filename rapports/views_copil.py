"""The steering committee (COPIL): its meetings, what each decided, and the charter's decision log."""

from dataclasses import dataclass

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, F, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from charte.decorators import permission_charte
from charte.models import Journal
from charte.services import ConflitDeVersion
from plan_actions.services import figer_version
from rapports.filtres import DecisionFilter
from rapports.forms_copil import SeanceForm, decisions_de_la_seance
from rapports.models import Decision, Rapport, SeanceCopil

Statut = Decision.Statut
DECISIONS_PAR_PAGE = 50
# Every object a decision may point at, read with the decision (one query whatever their number).
OBJETS_LIES = ("besoin", "priorite", "fiche", "etape")
# How each status shows: its colour, and its heading when the meeting's decisions are grouped.
BADGES = {
    Statut.A_PRENDRE: "text-bg-warning",
    Statut.ADOPTEE: "text-bg-success",
    Statut.AJOURNEE: "text-bg-secondary",
    Statut.REJETEE: "text-bg-danger",
}
GROUPES = {
    Statut.A_PRENDRE: "À prendre",
    Statut.ADOPTEE: "Adoptées",
    Statut.AJOURNEE: "Ajournées",
    Statut.REJETEE: "Rejetées",
}


@dataclass(frozen=True)
class Lien:
    """What a decision is about, as the pages show it: the kind of object, its name, where to read it."""

    genre: str
    libelle: str
    url: str


def lien_vers_objet(decision, slug):
    """The decision's object with its page, or None; the objects must be select_related."""
    if decision.fiche_id:
        return Lien("Fiche action", str(decision.fiche), reverse("plan_actions:fiche", args=[slug, decision.fiche_id]))
    if decision.priorite_id:
        return Lien("Priorité", str(decision.priorite), reverse("priorisation:seances", args=[slug]))
    if decision.besoin_id:
        return Lien("Besoin", decision.besoin.titre, reverse("diagnostic:besoins", args=[slug]))
    if decision.etape_id:
        return Lien("Jalon", decision.etape.libelle_jalon, reverse("rapports:tableau_de_bord", args=[slug]))
    return None


def avec_liens(decisions, slug):
    for decision in decisions:
        decision.lien = lien_vers_objet(decision, slug)
        decision.badge = BADGES[decision.statut]
    return decisions


def _seance(request, pk):
    """The meeting `pk` of the request's charter (404 otherwise), with the plan version it was shown."""
    seances = request.charte.copils.select_related("version_plan", "creee_par").defer("version_plan__contenu")
    return get_object_or_404(seances, pk=pk)


# --- reading ------------------------------------------------------------------------------------


@permission_charte("rapports.voir")
def copils(request, charte_slug):
    charte = request.charte
    aujourd_hui = timezone.localdate()
    seances = list(
        charte.copils.select_related("version_plan")
        .defer("version_plan__contenu")
        .annotate(
            nb_decisions=Count("decisions"),
            nb_a_prendre=Count("decisions", filter=Q(decisions__statut=Statut.A_PRENDRE)),
            nb_adoptees=Count("decisions", filter=Q(decisions__statut=Statut.ADOPTEE)),
        )
        .prefetch_related(Prefetch("rapports", queryset=Rapport.objects.select_related("demande_par")))
        .order_by("-date", "-id")  # an aggregate drops the model's default ordering
    )
    return render(
        request,
        "rapports/copils.html",
        {
            "charte": charte,
            # The next meeting first, then the past ones from the most recent.
            "groupes": [
                ("À venir", sorted((s for s in seances if s.date >= aujourd_hui), key=lambda s: (s.date, s.pk))),
                ("Passées", [s for s in seances if s.date < aujourd_hui]),
            ],
            "nb_seances": len(seances),
            "peut_gerer": request.user.has_perm("rapports.gerer_copil", charte),
        },
    )


@permission_charte("rapports.voir")
def copil(request, charte_slug, pk):
    charte = request.charte
    seance = _seance(request, pk)
    liste = avec_liens(list(seance.decisions.select_related(*OBJETS_LIES)), charte.slug)
    groupes = [
        (GROUPES[statut], BADGES[statut], [d for d in liste if d.statut == statut])
        for statut in Statut
        if any(d.statut == statut for d in liste)
    ]
    return render(
        request,
        "rapports/copil.html",
        {
            "charte": charte,
            "seance": seance,
            "groupes": groupes,
            "nb_decisions": len(liste),
            "rapports": seance.rapports.select_related("demande_par"),
            "a_venir": seance.date >= timezone.localdate(),
            "peut_gerer": request.user.has_perm("rapports.gerer_copil", charte),
            "peut_demander": request.user.has_perm("rapports.demander", charte),
        },
    )


@permission_charte("rapports.voir")
def decisions(request, charte_slug):
    charte = request.charte
    toutes = (
        Decision.objects.filter(seance__charte=charte)
        .select_related("seance", *OBJETS_LIES)
        .order_by("-seance__date", "-seance_id", "ordre", "id")
    )
    filtre = DecisionFilter(request.GET or None, queryset=toutes, charte=charte)
    page = Paginator(filtre.qs, DECISIONS_PAR_PAGE).get_page(request.GET.get("page"))
    avec_liens(page.object_list, charte.slug)
    par_statut = dict(filtre.qs.order_by().values_list("statut").annotate(nb=Count("id")))
    parametres = request.GET.copy()
    parametres.pop("page", None)
    return render(
        request,
        "rapports/decisions.html",
        {
            "charte": charte,
            "filtre": filtre,
            "page": page,
            "par_statut": [(nombre_par_statut(statut, par_statut.get(statut, 0)), BADGES[statut]) for statut in Statut],
            "filtre_actif": any(parametres.values()),
            "requete": parametres.urlencode(),
        },
    )


def nombre_par_statut(statut, nb):
    """« 3 à prendre », « 1 adoptée », « 12 adoptées »."""
    if statut == Statut.A_PRENDRE:
        return f"{nb} à prendre"
    return f"{nb} {statut.label.lower()}{'s' if nb > 1 else ''}"


# --- recording a meeting ------------------------------------------------------------------------


@permission_charte("rapports.gerer_copil")
def nouveau_copil(request, charte_slug):
    return _editer(request, SeanceCopil(charte=request.charte), "Nouvelle séance du COPIL")


@permission_charte("rapports.gerer_copil")
def modifier_copil(request, charte_slug, pk):
    seance = _seance(request, pk)
    return _editer(request, seance, f"Modifier le {seance}")


def _editer(request, seance, titre):
    """The meeting form and its decisions table; both valid → everything is written, else nothing."""
    charte = request.charte
    donnees = request.POST if request.method == "POST" else None
    form = SeanceForm(donnees, instance=seance, charte=charte)
    tableau = decisions_de_la_seance(seance, charte, donnees)
    if donnees is not None:
        # Validate both, so that every mistake is shown at once.
        if all([form.is_valid(), tableau.is_valid()]):
            try:
                seance = enregistrer_seance(charte, request.user, form, tableau)
            except ConflitDeVersion:
                messages.error(
                    request,
                    "Quelqu'un a enregistré cette séance pendant que vous la modifiiez : rien n'a été enregistré. "
                    "Vos saisies sont conservées ci-dessous ; ouvrez la séance dans un autre onglet pour voir la "
                    "version à jour, puis enregistrez à nouveau.",
                )
                form.data = form.data.copy()
                form.data["version"] = SeanceCopil.objects.get(pk=seance.pk).version
            else:
                messages.success(request, message_enregistre(seance, form))
                return redirect("rapports:copil", charte_slug=charte.slug, pk=seance.pk)
        else:
            messages.error(request, "La séance n'est pas enregistrée : corrigez les champs signalés en rouge.")
    return render(
        request,
        "rapports/copil_form.html",
        {"charte": charte, "seance": seance, "form": form, "tableau": tableau, "titre": titre},
    )


@transaction.atomic
def enregistrer_seance(charte, par, form, tableau):
    """Write the meeting, its decisions and (if asked) the plan as presented, with the journal entry."""
    nouvelle = form.instance.pk is None
    champs = [
        SeanceCopil._meta.get_field(nom).verbose_name
        for nom in form.changed_data
        if nom not in ("figer_plan", "version")
    ]
    if not nouvelle:
        version_lue = form.cleaned_data.get("version") or 0
        if not SeanceCopil.objects.filter(pk=form.instance.pk, version=version_lue).update(version=F("version") + 1):
            raise ConflitDeVersion(form.instance)
        form.instance.version = version_lue + 1
    seance = form.save(commit=False)
    seance.charte = charte
    if nouvelle:
        seance.creee_par = par
    if form.cleaned_data["figer_plan"]:
        seance.version_plan = figer_version(charte, par, f"Plan présenté au COPIL du {seance.date:%d/%m/%Y}")
    seance.save()
    tableau.instance = seance
    # Rows keep the order they were typed in; rows left unchanged keep theirs.
    for rang, ligne in enumerate(tableau.forms):
        ligne.instance.ordre = rang
    tableau.save()
    action = resume(seance, nouvelle, champs, tableau)
    if action:
        Journal.noter(charte, par, action)
    return seance


def _nombre(n, mot):
    return f"{n} {mot}{'s' if n > 1 else ''}"


def resume(seance, nouvelle, champs, tableau):
    """The journal's line for a save; None when nothing was changed (a version frozen notes itself)."""
    if nouvelle:
        return f"{seance} enregistré ({_nombre(len(tableau.new_objects), 'décision')})"
    parties = [", ".join(champs)] if champs else []
    for objets, mot in (
        (tableau.new_objects, "ajoutée"),
        (tableau.changed_objects, "modifiée"),
        (tableau.deleted_objects, "supprimée"),
    ):
        if objets:
            parties.append(f"{_nombre(len(objets), 'décision')} {mot}{'s' if len(objets) > 1 else ''}")
    return f"{seance} modifié : {' ; '.join(parties)}" if parties else None


def message_enregistre(seance, form):
    nb = Decision.objects.filter(seance=seance).count()
    message = f"{seance} enregistré ({_nombre(nb, 'décision')})."
    if form.cleaned_data["figer_plan"]:
        message += f" Le plan présenté est figé : « {seance.version_plan.libelle} »."
    return message
