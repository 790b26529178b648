"""The synthesis of the diagnostic: the families' needs, per domain, with their evidence."""

from django.contrib import messages
from django.db import transaction
from django.db.models import F, Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from charte.convertisseurs import id_demande
from charte.decorators import permission_charte
from charte.models import Etape, Journal
from diagnostic.forms_besoins import BesoinForm, preuves_formset
from diagnostic.models import Besoin, Domaine, PreuveQuestion, Question
from diagnostic.resultats import constat_principal


def jalon_du_diagnostic(charte):
    return charte.etapes.select_related("soumise_par", "jalon_valide_par", "jalon_cosigne_par").get(
        numero=Etape.Numero.DIAGNOSTIC
    )


def motif_gel(etape):
    """Why needs cannot be edited any more (None while the diagnostic is not validated)."""
    if not etape.jalon_valide:
        return None
    return (
        f"Le diagnostic a été validé le {etape.jalon_valide_le:%d/%m/%Y} : les besoins sont figés. Pour les modifier, "
        "le coordinateur rouvre le diagnostic (annuler la validation du jalon sur le tableau de bord), ce qui est "
        "inscrit au journal."
    )


def vers_besoins(charte):
    return redirect("diagnostic:besoins", charte_slug=charte.slug)


def besoins_par_domaine(charte):
    """Every domain of the method in its order, with its needs, their evidence and the priorities they became."""
    besoins = charte.besoins.prefetch_related(
        Prefetch("preuves_questions", queryset=PreuveQuestion.objects.select_related("question")),
        "donnees__commune",
        "entretiens",
        "priorites",
    )
    groupes = {code: (libelle, []) for code, libelle in Domaine.choices}
    for besoin in besoins:
        groupes[besoin.domaine][1].append(besoin)
    return list(groupes.values())


@permission_charte("diagnostic.voir")
def besoins(request, charte_slug):
    charte = request.charte
    etape = jalon_du_diagnostic(charte)
    domaines = besoins_par_domaine(charte)
    return render(
        request,
        "diagnostic/besoins.html",
        {
            "charte": charte,
            "domaines": domaines,
            "nb_besoins": sum(len(b) for _l, b in domaines),
            "etape": etape,
            "motif_gel": motif_gel(etape),
            "peut_gerer": request.user.has_perm("diagnostic.gerer_besoins", charte),
        },
    )


def _editer(request, besoin, titre):
    charte = request.charte
    motif = motif_gel(jalon_du_diagnostic(charte))
    if motif:
        messages.error(request, motif)
        return vers_besoins(charte)
    initial_preuves = []
    question_pk = id_demande(request, "question")
    if besoin.pk is None and question_pk is not None:
        question = get_object_or_404(
            Question.objects.filter(enquete__charte=charte).select_related("enquete", "section"), pk=question_pk
        )
        initial_preuves = [{"question": question.pk, "constat": constat_principal(question)}]
        besoin.domaine = question.section.domaine or ""
    form = BesoinForm(request.POST or None, instance=besoin, charte=charte)
    preuves = preuves_formset(charte, data=request.POST or None, instance=besoin, initial=initial_preuves)
    valide = request.method == "POST" and form.is_valid() and preuves.is_valid()
    if valide and enregistrer_besoin(request, form, preuves):
        return vers_besoins(charte)
    return render(
        request,
        "diagnostic/besoin_form.html",
        {"charte": charte, "form": form, "preuves": preuves, "titre": titre, "besoin": besoin},
    )


@transaction.atomic
def enregistrer_besoin(request, form, preuves):
    """Save the need and its evidence; a need changed meanwhile by someone else is not overwritten."""
    besoin = form.instance
    if besoin.pk:
        version = form.cleaned_data.get("version") or 0
        if not Besoin.objects.filter(pk=besoin.pk, version=version).update(version=F("version") + 1):
            messages.error(
                request,
                "Ce besoin a été modifié par quelqu'un d'autre pendant que vous travailliez : "
                "rien n'a été enregistré. Rechargez la page pour voir la version à jour.",
            )
            transaction.set_rollback(True)
            return False
        besoin.version = version + 1
        action = "modifié"
    else:
        besoin.charte, besoin.creee_par = request.charte, request.user
        action = "créé"
    form.save()
    preuves.instance = besoin
    preuves.save()
    Journal.noter(request.charte, request.user, f"Besoin « {besoin} » {action}")
    messages.success(request, f"Le besoin « {besoin} » est enregistré.")
    return True


@permission_charte("diagnostic.gerer_besoins")
def nouveau_besoin(request, charte_slug):
    return _editer(request, Besoin(), "Nouveau besoin")


@permission_charte("diagnostic.gerer_besoins")
def modifier_besoin(request, charte_slug, pk):
    besoin = get_object_or_404(request.charte.besoins, pk=pk)
    return _editer(request, besoin, "Modifier le besoin")


@require_POST
@permission_charte("diagnostic.gerer_besoins")
def supprimer_besoin(request, charte_slug, pk):
    besoin = get_object_or_404(request.charte.besoins, pk=pk)
    motif = motif_gel(jalon_du_diagnostic(request.charte))
    if motif:
        messages.error(request, motif)
    else:
        with transaction.atomic():
            besoin.delete()
            Journal.noter(request.charte, request.user, f"Besoin « {besoin} » supprimé")
        messages.success(request, f"Le besoin « {besoin} » est supprimé.")
    return vers_besoins(request.charte)


@require_POST
@permission_charte("diagnostic.gerer_besoins")
def soumettre_diagnostic(request, charte_slug):
    """The coordinator asks the COPIL to validate the diagnostic (its needs, with their evidence)."""
    etape = jalon_du_diagnostic(request.charte)
    if not request.charte.besoins.exists():
        messages.error(request, "Identifiez au moins un besoin avant de soumettre le diagnostic.")
    elif etape.jalon_valide:
        messages.error(request, motif_gel(etape))
    else:
        etape.soumettre(par=request.user)
        messages.success(
            request,
            "Le diagnostic est soumis à la validation du COPIL. Le référent de "
            "l'intercommunalité pourra cosigner la validation.",
        )
    return vers_besoins(request.charte)
