from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_not_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from charte.decorators import permission_charte
from charte.double_facteur import invitation_a_activer
from charte.filtres import CharteFilter
from charte.forms import (
    CalendrierFormSet,
    CreationCompteForm,
    InvitationForm,
    JalonForm,
    MembreForm,
    NouvelleCharteForm,
    RechercheTerritoireForm,
)
from charte.fraicheur import contexte_paresseux
from charte.models import Charte, Etape, Invitation, Journal, Membre
from charte.services import ConflitDeVersion, creer_charte, enregistrer_calendrier, inviter
from territoires.models import Territoire

RESULTATS_RECHERCHE_MAX = 20
CHARTES_PAR_PAGE = 25


def tableau_de_bord(charte):
    return redirect("rapports:tableau_de_bord", charte_slug=charte.slug)


def liste(request):
    """The charters of the person; national staff see all of them (a page at a time), with stage and progress.

    The table is a shared block: national staff all read the same one, until any charter changes.
    """
    return render(
        request,
        "charte/liste.html",
        {
            "lecteur": "national" if request.user.voit_toutes_les_chartes else request.user.pk,
            "requete_complete": request.GET.urlencode(),
            "peut_creer": request.user.has_perm("charte.creer"),
            "double_facteur": invitation_a_activer(request.user),
            **contexte_paresseux(
                lambda: page_de_chartes(request), "chartes", "page", "filtre", "filtre_actif", "requete"
            ),
        },
    )


def page_de_chartes(request):
    filtre = CharteFilter(request.GET or None, queryset=Charte.objects.accessibles(request.user).order_by("nom"))
    page = Paginator(filtre.qs, CHARTES_PAR_PAGE).get_page(request.GET.get("page"))
    # Stages and member counts for the charters of this page only.
    chartes = (
        Charte.objects.filter(pk__in=[charte.pk for charte in page])
        .select_related("territoire")
        .prefetch_related("etapes")
        .annotate(nb_membres=Count("membres", distinct=True))
        .order_by("nom")
    )
    parametres = request.GET.copy()
    parametres.pop("page", None)
    return {
        "chartes": chartes,
        "page": page,
        "filtre": filtre,
        "filtre_actif": any(request.GET.get(nom) for nom in filtre.form.fields),
        "requete": parametres.urlencode(),
    }


@permission_required("charte.creer", raise_exception=True)
def nouvelle(request):
    """First step of creating a charter: find the intercommunality by name or SIREN."""
    form = RechercheTerritoireForm(request.GET or None)
    territoires = None
    if form.is_valid():
        territoires = Territoire.objects.recherche(form.cleaned_data["q"])[:RESULTATS_RECHERCHE_MAX]
    return render(request, "charte/nouvelle.html", {"form": form, "territoires": territoires})


@permission_required("charte.creer", raise_exception=True)
def nouvelle_sur_territoire(request, siren):
    territoire = get_object_or_404(Territoire.objects.annotate(nb_communes=Count("communes")), siren=siren)
    form = NouvelleCharteForm(
        request.POST or None, initial={"nom": f"Charte territoriale « Avec les familles » — {territoire.nom}"}
    )
    if form.is_valid():
        charte = creer_charte(
            territoire=territoire,
            nom=form.cleaned_data["nom"],
            date_debut=form.cleaned_data["date_debut"],
            par=request.user,
        )
        messages.success(request, f"La charte « {charte} » est créée avec {territoire.nb_communes} communes.")
        return tableau_de_bord(charte)
    return render(request, "charte/nouvelle_sur_territoire.html", {"form": form, "territoire": territoire})


@permission_charte("charte.gerer")
def calendrier(request, charte_slug):
    charte = request.charte
    formset = CalendrierFormSet(request.POST or None, queryset=charte.etapes.all())
    if request.method == "POST" and formset.is_valid():
        try:
            # Only the charter's own stages: rows added to the page (extra=0 offers none) are not stages.
            enregistrer_calendrier(charte, [form.instance for form in formset.initial_forms], par=request.user)
        except ConflitDeVersion as conflit:
            messages.error(
                request,
                f"L'étape « {conflit.args[0]} » a été modifiée par quelqu'un d'autre pendant que vous travailliez : "
                "rien n'a été enregistré. Voici les dates à jour ; refaites vos changements.",
            )
            return redirect("charte:calendrier", charte_slug=charte.slug)
        messages.success(request, "Le calendrier est enregistré.")
        return tableau_de_bord(charte)
    return render(request, "charte/calendrier.html", {"charte": charte, "formset": formset})


PAGES_DES_JALONS = {Etape.Numero.PLAN: "plan_actions:signer", Etape.Numero.EVALUATION: "evaluation:bilan"}


def _etape(charte, numero):
    return get_object_or_404(Etape.objects.filter(charte=charte), numero=numero)


@permission_charte("charte.gerer")
def jalon(request, charte_slug, numero):
    etape = _etape(request.charte, numero)
    # These gates are passed by the act they record, on the stage's own page: signing the plan also
    # freezes it as a baseline; adopting the final assessment requires its texts.
    if etape.numero in PAGES_DES_JALONS and not etape.jalon_valide:
        return redirect(PAGES_DES_JALONS[etape.numero], charte_slug=charte_slug)
    form = JalonForm(request.POST or None)
    if form.is_valid():
        try:
            etape.valider_jalon(par=request.user, le=form.cleaned_data["le"], instance=form.cleaned_data["instance"])
        except ValidationError as erreur:
            messages.error(request, " ".join(erreur.messages))
        else:
            messages.success(request, f"Jalon « {etape.libelle_jalon} » validé.")
        return tableau_de_bord(request.charte)
    return render(request, "charte/jalon.html", {"charte": request.charte, "etape": etape, "form": form})


@require_POST
@permission_charte("charte.gerer")
def annuler_jalon(request, charte_slug, numero):
    etape = _etape(request.charte, numero)
    etape.annuler_jalon(par=request.user)
    messages.success(request, f"La validation du jalon « {etape.libelle_jalon} » est annulée.")
    return tableau_de_bord(request.charte)


@require_POST
@permission_charte("charte.cosigner_jalon")
def cosigner_jalon(request, charte_slug, numero):
    etape = _etape(request.charte, numero)
    try:
        etape.cosigner_jalon(par=request.user)
    except ValidationError as erreur:
        messages.error(request, " ".join(erreur.messages))
    else:
        messages.success(request, f"Vous avez cosigné le jalon « {etape.libelle_jalon} ».")
    return tableau_de_bord(request.charte)


@permission_charte("charte.voir")
def membres(request, charte_slug):
    charte = request.charte
    peut_gerer = request.user.has_perm("charte.gerer", charte)
    membres = list(charte.membres.select_related("utilisateur", "organisation"))
    invitations = []
    if peut_gerer:
        invitations = charte.invitations.en_attente().select_related("organisation", "invitee_par")
    return render(
        request,
        "charte/membres.html",
        {
            "charte": charte,
            "membres": membres,
            "dernier_coordinateur": _seul_coordinateur(membres),
            "invitations": invitations,
            "peut_gerer": peut_gerer,
        },
    )


@permission_charte("charte.gerer")
def inviter_membre(request, charte_slug):
    charte = request.charte
    form = InvitationForm(request.POST or None, charte=charte)
    if form.is_valid():
        with transaction.atomic():
            organisation = form.organisation_saisie()
            if organisation is not None and organisation.pk is None:
                organisation.save()
            invitation = inviter(
                charte,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                organisation=organisation,
                par=request.user,
            )
        messages.success(
            request,
            f"Invitation envoyée à {invitation.email}. Le lien est valable jusqu'au {invitation.expire_le:%d/%m/%Y}.",
        )
        return redirect("charte:membres", charte_slug=charte.slug)
    return render(request, "charte/inviter.html", {"charte": charte, "form": form})


def _seul_coordinateur(membres):
    """The member who is the charter's only coordinator (who cannot be removed), if there is one."""
    coordinateurs = [m for m in membres if m.role == Membre.Role.COORDINATEUR]
    return coordinateurs[0] if len(coordinateurs) == 1 else None


def _membre(charte, pk):
    return get_object_or_404(charte.membres.select_related("utilisateur", "organisation"), pk=pk)


def _perdrait_son_dernier_coordinateur(charte, membre, role_actuel, nouveau_role=None):
    """A charter must never lose its last coordinator (nobody could manage it any more)."""
    if role_actuel != Membre.Role.COORDINATEUR or nouveau_role == Membre.Role.COORDINATEUR:
        return False
    return not charte.membres.filter(role=Membre.Role.COORDINATEUR).exclude(pk=membre.pk).exists()


@permission_charte("charte.gerer")
def modifier_membre(request, charte_slug, pk):
    membre = _membre(request.charte, pk)
    role_actuel = membre.role
    form = MembreForm(request.POST or None, instance=membre)
    if form.is_valid():
        if _perdrait_son_dernier_coordinateur(request.charte, membre, role_actuel, form.cleaned_data["role"]):
            form.add_error("role", "La charte doit garder au moins un coordinateur.")
        else:
            with transaction.atomic():
                form.save()
                Journal.noter(
                    request.charte, request.user, f"Rôle de {membre.utilisateur} : {membre.get_role_display()}"
                )
            messages.success(request, f"Le rôle de {membre.utilisateur} est enregistré.")
            return redirect("charte:membres", charte_slug=request.charte.slug)
    return render(request, "charte/modifier_membre.html", {"charte": request.charte, "membre": membre, "form": form})


@require_POST
@permission_charte("charte.gerer")
def retirer_membre(request, charte_slug, pk):
    membre = _membre(request.charte, pk)
    if _perdrait_son_dernier_coordinateur(request.charte, membre, membre.role):
        messages.error(request, "La charte doit garder au moins un coordinateur.")
    else:
        with transaction.atomic():
            membre.delete()
            Journal.noter(request.charte, request.user, f"{membre.utilisateur} retiré(e) de la charte")
        messages.success(request, f"{membre.utilisateur} n'est plus membre de la charte.")
    return redirect("charte:membres", charte_slug=request.charte.slug)


@require_POST
@permission_charte("charte.gerer")
def annuler_invitation(request, charte_slug, pk):
    invitation = get_object_or_404(request.charte.invitations.en_attente(), pk=pk)
    invitation.annuler(par=request.user)
    messages.success(request, f"L'invitation de {invitation.email} est annulée.")
    return redirect("charte:membres", charte_slug=request.charte.slug)


@permission_charte("charte.voir")
def territoire(request, charte_slug):
    charte = request.charte
    communes = charte.communes.order_by("-population", "nom")
    population = sum(commune.population for commune in communes)
    return render(request, "charte/territoire.html", {"charte": charte, "communes": communes, "population": population})


@permission_charte("charte.voir_journal")
def journal(request, charte_slug):
    entrees = request.charte.journal.select_related("auteur")
    page = Paginator(entrees, 50).get_page(request.GET.get("page"))
    return render(request, "charte/journal.html", {"charte": request.charte, "page": page})


@login_not_required
def accepter_invitation(request, jeton):
    """The one-time link of an invitation: create the account (or use the current one) and join."""
    invitation = get_object_or_404(Invitation.objects.select_related("charte", "organisation"), jeton=jeton)
    motif = invitation.motif_refus()
    if motif:
        return render(request, "comptes/invitation_invalide.html", {"motif": motif}, status=410)
    compte_existant = get_user_model().objects.filter(email__iexact=invitation.email).exists()
    form = None
    if request.user.is_authenticated:
        if request.method == "POST":
            return _rejoindre(request, invitation, request.user)
    elif not compte_existant:
        form = CreationCompteForm(request.POST or None, email=invitation.email)
        if form.is_valid():
            with transaction.atomic():
                utilisateur = form.creer_utilisateur()
                reponse = _rejoindre(request, invitation, utilisateur)
            login(request, utilisateur, backend="charte.backends.IdentifiantOuCourrielBackend")
            return reponse
    connexion = f"{reverse('comptes:connexion')}?next={request.path}"
    return render(
        request,
        "comptes/invitation.html",
        {"invitation": invitation, "form": form, "compte_existant": compte_existant, "connexion": connexion},
    )


def _rejoindre(request, invitation, utilisateur):
    try:
        invitation.accepter(utilisateur)
    except ValidationError as erreur:
        return render(request, "comptes/invitation_invalide.html", {"motif": " ".join(erreur.messages)}, status=410)
    messages.success(request, f"Bienvenue dans la charte « {invitation.charte} ».")
    return tableau_de_bord(invitation.charte)
