"""Indicators: defined with the actions, measured all along by the organisation responsible, read by all."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from charte.convertisseurs import id_demande
from charte.decorators import permission_charte
from charte.models import Journal
from diagnostic.models import Domaine
from evaluation.forms import IndicateurForm, MesureForm
from evaluation.graphiques import serie_svg
from evaluation.models import Indicateur
from evaluation.suivi import etat, etats, indicateurs_suivis, par_domaine, par_priorite, valeurs_calculees
from plan_actions.models import FicheAction


def _indicateur(request, pk):
    indicateur = get_object_or_404(indicateurs_suivis(Indicateur.objects.filter(charte=request.charte)), pk=pk)
    indicateur.charte = request.charte
    return indicateur


def vers_indicateur(indicateur):
    return redirect("evaluation:indicateur", charte_slug=indicateur.charte.slug, pk=indicateur.pk)


@permission_charte("evaluation.voir")
def indicateurs(request, charte_slug):
    """Every indicator with its attainment, summarised per priority or per domain; late measurements first."""
    charte = request.charte
    requete = indicateurs_suivis(Indicateur.objects.filter(charte=charte)).prefetch_related("fiche__priorites")
    fiche = None
    if id_demande(request, "fiche") is not None:
        fiche = get_object_or_404(charte.fiches, pk=id_demande(request, "fiche"))
        requete = requete.filter(fiche=fiche)
    liste = etats(list(requete), charte)
    groupe = "domaine" if request.GET.get("groupe") == "domaine" else "priorite"
    if groupe == "domaine":
        groupes = par_domaine(liste, Domaine.choices)
    else:
        groupes = par_priorite(liste, charte.priorites.all())
    return render(
        request,
        "evaluation/indicateurs.html",
        {
            "charte": charte,
            "fiche": fiche,
            "etats": liste,
            "groupes": groupes,
            "groupe": groupe,
            "en_retard": [e for e in liste if e.en_retard],
            "peut_gerer": request.user.has_perm("evaluation.gerer", charte),
        },
    )


@permission_charte("evaluation.voir")
def indicateur(request, charte_slug, pk):
    indicateur = _indicateur(request, pk)
    calcules = valeurs_calculees(request.charte) if indicateur.calcul else {}
    suivi = etat(indicateur, calcules, timezone.localdate())
    peut_mesurer = request.user.has_perm("evaluation.mesurer", indicateur)
    return render(
        request,
        "evaluation/indicateur.html",
        {
            "charte": request.charte,
            "etat": suivi,
            "indicateur": indicateur,
            "graphique": serie_svg(suivi) if indicateur.quantitatif else None,
            "form": MesureForm(indicateur=indicateur) if peut_mesurer else None,
            "peut_mesurer": peut_mesurer,
            "peut_definir": request.user.has_perm("evaluation.definir", indicateur),
        },
    )


@permission_charte("evaluation.voir")
def mesurer(request, charte_slug, pk):
    indicateur = _indicateur(request, pk)
    if not request.user.has_perm("evaluation.mesurer", indicateur):
        raise PermissionDenied("Seule l'organisation chargée de cet indicateur en saisit les mesures.")
    form = MesureForm(request.POST or None, indicateur=indicateur)
    if form.is_valid():
        try:
            with transaction.atomic():
                form.instance.saisie_par = request.user
                mesure = form.save()
        except IntegrityError:  # the same date saved at the same time by someone else
            form.add_error("date", "Une mesure existe déjà à cette date pour cet indicateur.")
        else:
            Journal.noter(request.charte, request.user, f"Mesure du {mesure.date:%d/%m/%Y} saisie : « {indicateur} »")
            messages.success(request, "Mesure enregistrée.")
            return vers_indicateur(indicateur)
    return render(
        request, "evaluation/mesure_form.html", {"charte": request.charte, "indicateur": indicateur, "form": form}
    )


def _editer(request, indicateur, titre):
    if not request.user.has_perm("evaluation.definir", indicateur):
        raise PermissionDenied("Les indicateurs d'une action se définissent avec sa fiche (pilote ou coordinateur).")
    form = IndicateurForm(request.POST or None, instance=indicateur, charte=request.charte)
    if form.is_valid():
        nouveau = indicateur.pk is None
        verbe = "défini" if nouveau else "modifié"
        with transaction.atomic():  # the indicator, its audit trace and the journal entry, or nothing
            indicateur = form.save()
            Journal.noter(request.charte, request.user, f"Indicateur « {indicateur} » {verbe}")
        messages.success(request, f"Indicateur {verbe}.")
        return vers_indicateur(indicateur)
    return render(
        request,
        "evaluation/indicateur_form.html",
        {"charte": request.charte, "indicateur": indicateur, "form": form, "titre": titre},
    )


@permission_charte("evaluation.voir")
def nouvel_indicateur(request, charte_slug):
    charte = request.charte
    indicateur = Indicateur(charte=charte)
    if id_demande(request, "fiche") is not None:
        indicateur.fiche = get_object_or_404(FicheAction.objects.de(charte), pk=id_demande(request, "fiche"))
        indicateur.fiche.charte = charte
        indicateur.responsable_id = indicateur.fiche.pilote_id
    titre = f"Nouvel indicateur{f' — fiche n° {indicateur.fiche.numero}' if indicateur.fiche else ' de la charte'}"
    return _editer(request, indicateur, titre)


@permission_charte("evaluation.voir")
def modifier_indicateur(request, charte_slug, pk):
    indicateur = _indicateur(request, pk)
    if indicateur.fiche:
        indicateur.fiche.charte = request.charte
    return _editer(request, indicateur, f"Modifier l'indicateur « {indicateur} »")
