"""The action plan: the list of fiches, one fiche (read, edit, review, follow), baselines and the signature."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from charte.convertisseurs import id_demande
from charte.decorators import permission_charte
from charte.fraicheur import contexte_paresseux, formulaire_de_filtres, resume
from charte.models import Etape
from charte.services import ConflitDeVersion
from plan_actions import services
from plan_actions.filtres import FicheFilter
from plan_actions.forms import (
    ChoixOrganisations,
    CommentaireForm,
    FicheForm,
    FinancementsDuFinanceur,
    RenvoiForm,
    SignatureForm,
    SuiviForm,
    VersionForm,
    tableaux_de_la_fiche,
)
from plan_actions.instantanes import comparer_plans, fiches_pour_instantane, instantane_du_plan
from plan_actions.models import FicheAction, Financement, Historique, nombre_de

MODIFICATIONS_PAR_PAGE = 100
TOTAUX = ("budget_prevu", "budget_realise", "finance", "finance_acquis")


def _fiche(request, pk, permission=None, queryset=None):
    """The fiche `pk` of the request's charter (404 otherwise), if the user holds `permission` on it (403)."""
    queryset = FicheAction.objects.select_related("pilote") if queryset is None else queryset
    fiche = get_object_or_404(queryset.filter(charte=request.charte), pk=pk)
    fiche.charte = request.charte  # already read by the middleware, with its territory
    if permission and not request.user.has_perm(permission, fiche):
        raise PermissionDenied("Votre rôle ou votre organisation ne permet pas cette action sur cette fiche.")
    return fiche


def vers_fiche(fiche, ancre=""):
    return redirect(reverse("plan_actions:fiche", args=[fiche.charte.slug, fiche.pk]) + ancre)


def _erreur(request, erreur):
    messages.error(request, " ".join(erreur.messages))


# --- the plan -----------------------------------------------------------------------------------


@permission_charte("plan_actions.voir")
def plan(request, charte_slug):
    charte = request.charte
    requete = request.GET.urlencode()
    return render(
        request,
        "plan_actions/plan.html",
        {
            "charte": charte,
            "peut_proposer": request.user.has_perm("plan_actions.proposer", charte),
            "peut_gerer": request.user.has_perm("plan_actions.gerer", charte),
            "requete": requete,
            **contexte_paresseux(
                lambda: fiches_du_plan(charte, request.GET, requete),
                *("formulaire_de_filtres", "fiches", "totaux", "nb_total", "etape", "sans_priorites"),
            ),
        },
    )


def fiches_du_plan(charte, parametres, requete):
    """The plan's table for these filters: only computed when its shared block is not in the cache."""
    aujourd_hui = timezone.localdate()
    fiches = (
        FicheAction.objects.de(charte)
        .avec_totaux()
        .avec_retards(aujourd_hui)
        .select_related("pilote")
        .prefetch_related("priorites")
    )
    filtre = FicheFilter(parametres or None, queryset=fiches, charte=charte)
    liste = list(filtre.qs)
    return {
        "formulaire_de_filtres": formulaire_de_filtres(charte, "plan", filtre, "les fiches", requete),
        "fiches": liste,
        "totaux": {nom: sum(getattr(f, nom) for f in liste) for nom in TOTAUX},
        "nb_total": charte.fiches.count(),
        "etape": charte.etapes.get(numero=Etape.Numero.PLAN),
        "sans_priorites": not charte.priorites.exists(),
    }


# --- one fiche ----------------------------------------------------------------------------------


def fiches_detaillees():
    """A fiche with everything its page shows, in a fixed number of queries."""
    # The COPIL decisions and the indicators of the fiche: reverse relations read by name, so that
    # plan_actions imports nothing of the later stages.
    decisions = FicheAction._meta.get_field("decisions").related_model  # rapports.Decision, without importing it
    return (
        fiches_pour_instantane(FicheAction.objects.select_related("proposee_par", "validee_par"))
        .prefetch_related(
            Prefetch("decisions", queryset=decisions.objects.select_related("seance")), "indicateurs__mesures"
        )
        .annotate(nb_modifications=nombre_de(Historique))
        .avec_totaux()
    )


def contexte_fiche(fiche):
    """Everything a fiche page shows (the screen and the printable sheet read the same); `fiche` is detailed."""
    aujourd_hui = timezone.localdate()
    lignes = list(fiche.lignes_budget.all())
    financements = list(fiche.financements.all())
    annees = sorted({ligne.annee for ligne in lignes} | {f.annee for f in financements})
    return {
        "charte": fiche.charte,
        "fiche": fiche,
        "aujourd_hui": aujourd_hui,
        "jalons": [(jalon, jalon.en_retard(aujourd_hui)) for jalon in fiche.jalons.all()],
        "budget_par_annee": [
            {
                "annee": annee,
                "prevu": sum(ligne.montant_prevu for ligne in lignes if ligne.annee == annee),
                "realise": sum(ligne.montant_realise or 0 for ligne in lignes if ligne.annee == annee),
                "finance": sum(f.montant for f in financements if f.annee == annee),
            }
            for annee in annees
        ],
        "suivis": list(fiche.suivis.select_related("auteur")),
        "commentaires": list(fiche.commentaires.select_related("auteur")),
    }


@permission_charte("plan_actions.voir")
def fiche(request, charte_slug, pk):
    # The fiche and all it shows (a dozen queries), read again only once the charter has changed.
    contexte = resume(
        request.charte,
        f"fiche:{pk}",
        lambda: contexte_fiche(_fiche(request, pk, queryset=fiches_detaillees())),
        timezone.localdate(),
    )
    fiche = contexte["fiche"]
    fiche.charte = contexte["charte"] = request.charte  # the cached copy would carry a stale charter
    contexte |= droits_sur(request.user, fiche)
    contexte |= {
        "form_suivi": SuiviForm(initial={"avancement": fiche.avancement, "statut": fiche.statut}),
        "form_commentaire": CommentaireForm(),
    }
    return render(request, "plan_actions/fiche.html", contexte)


def droits_sur(user, fiche):
    return {
        "peut_modifier": user.has_perm("plan_actions.modifier_fiche", fiche),
        "peut_suivre": user.has_perm("plan_actions.suivre_fiche", fiche) and not fiche.en_redaction,
        "peut_valider": user.has_perm("plan_actions.valider_fiche", fiche),
        "peut_commenter": user.has_perm("plan_actions.commenter_fiche", fiche),
    }


@permission_charte("plan_actions.voir")
def historique_fiche(request, charte_slug, pk):
    """Every change of the fiche, its budget, financing, partners and milestones: who, when, old → new."""
    fiche = _fiche(request, pk)
    modifications = fiche.historique.select_related("auteur")
    page = Paginator(modifications, MODIFICATIONS_PAR_PAGE).get_page(request.GET.get("page"))
    return render(request, "plan_actions/historique.html", {"charte": request.charte, "fiche": fiche, "page": page})


@permission_charte("plan_actions.voir")
def impression_fiche(request, charte_slug, pk):
    fiche = _fiche(request, pk, queryset=fiches_detaillees())
    return render(request, "plan_actions/impression_fiche.html", contexte_fiche(fiche))


def _editer(request, fiche, enregistrer, titre):
    """The fiche form and its four tables; `enregistrer(form, tableaux)` saves them (may raise a conflict)."""
    charte = request.charte
    organisations = ChoixOrganisations(charte)
    initial = _valeurs_initiales(request, fiche)
    form = FicheForm(request.POST or None, instance=fiche, charte=charte, organisations=organisations, initial=initial)
    tableaux = tableaux_de_la_fiche(fiche, organisations, request.POST or None)
    if request.method == "POST" and form.is_valid() and all(t.is_valid() for t in tableaux.values()):
        try:
            fiche = enregistrer(form, tableaux)
        except ConflitDeVersion:
            messages.error(
                request,
                "Quelqu'un a enregistré cette fiche pendant que vous la modifiiez : rien n'a été enregistré. "
                "Vos saisies sont conservées ci-dessous ; ouvrez la fiche dans un autre onglet pour voir "
                "la version à jour, puis enregistrez à nouveau.",
            )
            form.data = form.data.copy()
            form.data["version"] = FicheAction.objects.get(pk=fiche.pk).version
        else:
            return vers_fiche(fiche)
    elif request.method == "POST":
        messages.error(request, "La fiche n'est pas enregistrée : corrigez les champs signalés en rouge.")
    return render(
        request,
        "plan_actions/fiche_form.html",
        {"charte": charte, "fiche": fiche, "form": form, "tableaux": tableaux.values(), "titre": titre},
    )


def _valeurs_initiales(request, fiche):
    """A new fiche starts piloted by the author's organisation, answering the priority it was opened from."""
    if fiche.pk:
        return {}
    initial = {"responsable": request.user.pk}
    if request.membre and request.membre.organisation_id:
        initial["pilote"] = request.membre.organisation_id
    if id_demande(request, "priorite") is not None:
        initial["priorites"] = [id_demande(request, "priorite")]
    return initial


def _enregistrer_tableaux(fiche, tableaux):
    for tableau in tableaux.values():
        tableau.instance = fiche
        tableau.save()


@permission_charte("plan_actions.proposer")
def nouvelle_fiche(request, charte_slug):
    charte = request.charte

    def enregistrer(form, tableaux):
        def creer(numero):
            form.instance.charte, form.instance.numero, form.instance.creee_par = charte, numero, request.user
            fiche = form.save()
            _enregistrer_tableaux(fiche, tableaux)
            return fiche

        fiche = services.creer_fiche(charte, request.user, creer)
        messages.success(request, f"Fiche n° {fiche.numero} créée en brouillon. Proposez-la quand elle est prête.")
        return fiche

    return _editer(request, FicheAction(charte=charte), enregistrer, "Nouvelle fiche action")


@permission_charte("plan_actions.voir")
def modifier_fiche(request, charte_slug, pk):
    fiche = _fiche(request, pk, "plan_actions.modifier_fiche")

    def enregistrer(form, tableaux):
        def ecrire():
            form.save()
            _enregistrer_tableaux(fiche, tableaux)

        changements = services.modifier_fiche(fiche, request.user, form.cleaned_data.get("version") or 0, ecrire)
        nb = len(changements)
        messages.success(
            request,
            f"Fiche enregistrée ({nb} modification{'s' if nb > 1 else ''} inscrite{'s' if nb > 1 else ''} à l'historique).",
        )
        return fiche

    return _editer(request, fiche, enregistrer, f"Modifier la fiche n° {fiche.numero}")


# --- review -------------------------------------------------------------------------------------


def _action(request, pk, permission, faire, succes):
    fiche = _fiche(request, pk, permission)
    try:
        faire(fiche, request.user)
    except ValidationError as erreur:
        _erreur(request, erreur)
    else:
        messages.success(request, succes)
    return vers_fiche(fiche)


@require_POST
@permission_charte("plan_actions.voir")
def proposer(request, charte_slug, pk):
    return _action(
        request,
        pk,
        "plan_actions.modifier_fiche",
        services.proposer_fiche,
        "Fiche proposée : le référent va l'examiner.",
    )


@require_POST
@permission_charte("plan_actions.voir")
def valider(request, charte_slug, pk):
    return _action(request, pk, "plan_actions.valider_fiche", services.valider_fiche, "Fiche validée.")


@permission_charte("plan_actions.voir")
def renvoyer(request, charte_slug, pk):
    fiche = _fiche(request, pk, "plan_actions.valider_fiche")
    form = RenvoiForm(request.POST or None)
    if form.is_valid():
        try:
            services.renvoyer_fiche(fiche, request.user, form.cleaned_data["motif"])
        except ValidationError as erreur:
            _erreur(request, erreur)
        else:
            messages.success(request, "Fiche renvoyée en brouillon ; le pilote est prévenu par e-mail.")
        return vers_fiche(fiche)
    return render(
        request, "plan_actions/formulaire_court.html", _court(fiche, form, "Renvoyer la fiche pour compléments")
    )


def _court(fiche, form, titre, bouton="Envoyer"):
    return {"charte": fiche.charte, "fiche": fiche, "form": form, "titre": titre, "bouton": bouton}


# --- follow-up ----------------------------------------------------------------------------------


@permission_charte("plan_actions.voir")
def suivi(request, charte_slug, pk):
    fiche = _fiche(request, pk, "plan_actions.suivre_fiche")
    form = SuiviForm(request.POST or None, initial={"avancement": fiche.avancement, "statut": fiche.statut})
    if form.is_valid():
        try:
            services.ajouter_suivi(fiche, request.user, **form.cleaned_data)
        except ValidationError as erreur:
            _erreur(request, erreur)
        else:
            messages.success(request, "Point d'avancement enregistré.")
        return vers_fiche(fiche, "#suivi")
    return render(
        request, "plan_actions/formulaire_court.html", _court(fiche, form, "Point d'avancement", "Enregistrer")
    )


@permission_charte("plan_actions.voir")
def commenter(request, charte_slug, pk):
    fiche = _fiche(request, pk, "plan_actions.commenter_fiche")
    form = CommentaireForm(request.POST or None)
    if form.is_valid():
        services.commenter(fiche, request.user, form.cleaned_data["texte"])
        messages.success(request, "Commentaire publié ; les personnes concernées sont prévenues par e-mail.")
        return vers_fiche(fiche, "#commentaires")
    return render(request, "plan_actions/formulaire_court.html", _court(fiche, form, "Commenter la fiche"))


@permission_charte("plan_actions.financer")
def financements(request, charte_slug):
    """A funder's financings across the plan: it keeps their amounts and statuses up to date."""
    charte, organisation = request.charte, request.membre.organisation
    lignes = Financement.objects.filter(fiche__charte=charte, financeur=organisation).select_related("fiche")
    formset = FinancementsDuFinanceur(request.POST or None, queryset=lignes.order_by("fiche__numero", "annee"))
    if request.method == "POST" and formset.is_valid():
        modifies = [form for form in formset.forms if form.has_changed()]
        fiches = {
            form.instance.fiche_id: (form.instance.fiche, form.cleaned_data["version_fiche"]) for form in modifies
        }
        try:
            services.enregistrer_financements(request.user, list(fiches.values()), formset.save)
        except ConflitDeVersion as conflit:
            messages.error(
                request,
                f"La fiche n° {conflit.args[0].numero} a été modifiée pendant votre saisie : rien n'a été enregistré. "
                "Vos montants sont conservés ci-dessous ; rechargez la page pour voir la version à jour.",
            )
        else:
            messages.success(request, f"Financements enregistrés ({len(modifies)} ligne(s) modifiée(s)).")
            return redirect("plan_actions:financements", charte_slug=charte.slug)
    return render(
        request,
        "plan_actions/financements.html",
        {"charte": charte, "organisation": organisation, "formset": formset},
    )


# --- baselines and signature --------------------------------------------------------------------


@permission_charte("plan_actions.voir")
def versions(request, charte_slug):
    charte = request.charte
    peut_gerer = request.user.has_perm("plan_actions.gerer", charte)
    form = VersionForm(request.POST or None)
    if request.method == "POST":
        if not peut_gerer:
            raise PermissionDenied("Seul le coordinateur fige une version du plan.")
        if form.is_valid():
            version = services.figer_version(charte, request.user, form.cleaned_data["libelle"])
            messages.success(request, f"Version « {version.libelle} » figée.")
            return redirect("plan_actions:versions", charte_slug=charte.slug)
    liste = charte.versions_plan.select_related("creee_par").defer("contenu")
    return render(
        request,
        "plan_actions/versions.html",
        {"charte": charte, "versions": liste, "form": form, "peut_gerer": peut_gerer},
    )


@permission_charte("plan_actions.voir")
def comparer(request, charte_slug, pk):
    charte = request.charte
    reference = get_object_or_404(charte.versions_plan.select_related("creee_par"), pk=pk)
    autre = None
    if id_demande(request, "avec") is not None:
        autre = get_object_or_404(charte.versions_plan, pk=id_demande(request, "avec"))
    actuel = autre.contenu if autre else instantane_du_plan(charte)
    fiches = comparer_plans(reference.contenu, actuel)
    return render(
        request,
        "plan_actions/comparer.html",
        {
            "charte": charte,
            "reference": reference,
            "autre": autre,
            "fiches": fiches,
            "autres_versions": charte.versions_plan.exclude(pk=reference.pk).defer("contenu"),
            "resume": {etat: sum(f.etat == etat for f in fiches) for etat in ("nouvelle", "modifiée", "retirée")},
        },
    )


@permission_charte("plan_actions.gerer")
def signer(request, charte_slug):
    charte = request.charte
    etape = charte.etapes.get(numero=Etape.Numero.PLAN)
    form = SignatureForm(request.POST or None)
    if form.is_valid():
        try:
            version = services.signer_plan(charte, request.user, **form.cleaned_data)
        except ValidationError as erreur:
            _erreur(request, erreur)
        else:
            messages.success(request, f"Plan d'actions signé ; la version de référence « {version} » est figée.")
            return redirect("plan_actions:plan", charte_slug=charte.slug)
    statuts = dict(charte.fiches.values_list("statut").annotate(n=Count("pk")).order_by())
    return render(
        request,
        "plan_actions/signer.html",
        {
            "charte": charte,
            "etape": etape,
            "form": form,
            "statuts": [(libelle, statuts.get(valeur, 0)) for valeur, libelle in FicheAction.Statut.choices],
            "nb_proposees": statuts.get(FicheAction.Statut.PROPOSEE, 0),
            "nb_validees": statuts.get(FicheAction.Statut.VALIDEE, 0),
        },
    )
