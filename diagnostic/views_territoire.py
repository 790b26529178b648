"""Territory figures and interview notes: the diagnostic's evidence besides the family surveys.

Figures are entered by the coordinator or by a partner for its own organisation; interviews by the
coordinator, the referent and partners. Every change is written to the charter's journal.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, F, Sum
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import number_format
from django.views.decorators.http import require_POST

from charte.decorators import permission_charte
from charte.models import Journal, Membre
from charte.services import ConflitDeVersion
from diagnostic.forms_territoire import DonneeFilter, DonneeForm, EntretienFilter, EntretienForm
from diagnostic.models import Domaine, DonneeTerritoriale, Entretien

REFUS = "Votre rôle dans cette charte ne permet pas cette action."


# ---------------------------------------------------------------- shared helpers


def valeur_francaise(valeur):
    """« 1 234,5 » rather than « 1234.50 »: trailing zeros dropped, French separators."""
    return number_format(valeur.normalize(), force_grouping=True)


def resume_donnee(donnee):
    """How a figure reads in the journal and the messages: « Places en crèche » = 12,5 places (Beausite)."""
    lieu = donnee.commune.nom if donnee.commune_id else "tout le territoire"
    return f"« {donnee.libelle} » = {valeur_francaise(donnee.valeur)} {donnee.unite}".rstrip() + f" ({lieu})"


def exiger(request, perm, objet):
    """Object permissions (own organisation, own interview) are checked once the object is found."""
    if not request.user.has_perm(perm, objet):
        raise PermissionDenied(REFUS)


def dans_la_charte(request, queryset, pk):
    """The object of this charter only: an id taken from another charter answers 404, like a wrong id."""
    objet = get_object_or_404(queryset.filter(charte=request.charte), pk=pk)
    # The rules read objet.charte: hand them the charter already loaded instead of a query per check.
    objet.charte = request.charte
    return objet


def vers_donnees(charte):
    return redirect("diagnostic:donnees", charte_slug=charte.slug)


def vers_entretiens(charte):
    return redirect("diagnostic:entretiens", charte_slug=charte.slug)


# ---------------------------------------------------------------- territory figures


def population_des_communes(charte):
    """Total population and number of communes of the charter, from the reference data (one query)."""
    return charte.communes.aggregate(habitants=Coalesce(Sum("population"), 0), nombre=Count("id"))


def par_domaine(donnees):
    """The figures under each domain, in the method's order of the domains (not the codes' alphabetical order)."""
    groupes = {code: [] for code in Domaine.values}
    for donnee in donnees:
        groupes[donnee.domaine].append(donnee)
    return [(Domaine(code).label, lignes) for code, lignes in groupes.items() if lignes]


def preparer_lignes(request, donnees):
    """Formatted value and the « Modifier » right of each row, computed here so the template stays simple."""
    for donnee in donnees:
        donnee.charte = request.charte
        donnee.valeur_affichee = valeur_francaise(donnee.valeur)
        donnee.modifiable = request.user.has_perm("diagnostic.modifier_donnee", donnee)
    return donnees


@permission_charte("diagnostic.voir")
def donnees(request, charte_slug):
    charte = request.charte
    filtre = DonneeFilter(
        request.GET or None,
        queryset=DonneeTerritoriale.objects.filter(charte=charte).select_related("commune", "organisation"),
        charte=charte,
    )
    lignes = preparer_lignes(request, list(filtre.qs))
    return render(
        request,
        "diagnostic/donnees.html",
        {
            "charte": charte,
            "filtre": filtre,
            "groupes": par_domaine(lignes),
            "nb_donnees": len(lignes),
            "population": population_des_communes(charte),
            "peut_ajouter": request.user.has_perm("diagnostic.ajouter_donnee", charte),
        },
    )


def organisation_imposee(request):
    """A partner speaks for its own organisation only; the coordinator chooses who provides the figure."""
    membre = request.membre
    if membre is not None and membre.role == Membre.Role.PARTENAIRE:
        return membre.organisation
    return None


def formulaire_donnee(request, donnee=None):
    return DonneeForm(
        request.POST or None,
        instance=donnee,
        charte=request.charte,
        organisation_imposee=organisation_imposee(request),
    )


def afficher_formulaire_donnee(request, form, titre):
    return render(
        request,
        "diagnostic/donnee_form.html",
        {
            "charte": request.charte,
            "form": form,
            "titre": titre,
            "donnee": form.instance if form.instance.pk else None,
            "organisation_imposee": organisation_imposee(request),
        },
    )


@transaction.atomic
def creer_donnee(form, charte, par):
    donnee = form.save(commit=False)
    donnee.charte, donnee.saisie_par = charte, par
    donnee.save()
    Journal.noter(charte, par, f"Donnée territoriale ajoutée ({donnee.organisation}) : {resume_donnee(donnee)}")
    return donnee


CHAMPS_MODIFIABLES = ["domaine", "libelle", "valeur", "unite", "commune", "date", "source", "organisation"]


@transaction.atomic
def enregistrer_modification(form, charte, par, avant):
    """Save only if nobody saved the figure since the form was opened (its version is unchanged)."""
    donnee = form.instance
    modifiees = DonneeTerritoriale.objects.filter(
        pk=donnee.pk, charte=charte, version=form.cleaned_data["version"]
    ).update(
        **{champ: getattr(donnee, champ) for champ in CHAMPS_MODIFIABLES},
        # update() skips auto_now: the date of the change is set here.
        modifiee_le=timezone.now(),
        version=F("version") + 1,
    )
    if not modifiees:
        raise ConflitDeVersion(donnee)
    Journal.noter(charte, par, f"Donnée territoriale modifiée : {avant} → {resume_donnee(donnee)}")


def apres_un_conflit(request, pk, libelle):
    """Tell the second writer nothing was saved, and show them the figure as it now stands."""
    a_jour = DonneeTerritoriale.objects.filter(pk=pk, charte=request.charte).first()
    if a_jour is None:
        messages.error(
            request,
            f"La donnée « {libelle} » a été supprimée par quelqu'un d'autre pendant que vous travailliez : "
            "rien n'a été enregistré.",
        )
        return vers_donnees(request.charte)
    messages.error(
        request,
        f"La donnée « {libelle} » a été modifiée par quelqu'un d'autre pendant que vous travailliez : "
        "rien n'a été enregistré. Voici la version à jour ; refaites vos changements si besoin.",
    )
    # The other writer may have given it to another organisation: then the partner can only see the list.
    a_jour.charte = request.charte
    if request.user.has_perm("diagnostic.modifier_donnee", a_jour):
        return redirect("diagnostic:modifier_donnee", charte_slug=request.charte.slug, pk=pk)
    return vers_donnees(request.charte)


@permission_charte("diagnostic.ajouter_donnee")
def nouvelle_donnee(request, charte_slug):
    form = formulaire_donnee(request)
    if form.is_valid():
        creer_donnee(form, request.charte, request.user)
        messages.success(request, "La donnée est enregistrée.")
        return vers_donnees(request.charte)
    return afficher_formulaire_donnee(request, form, "Nouvelle donnée territoriale")


@permission_charte("diagnostic.voir")
def modifier_donnee(request, charte_slug, pk):
    donnee = dans_la_charte(request, DonneeTerritoriale.objects.select_related("commune", "organisation"), pk)
    exiger(request, "diagnostic.modifier_donnee", donnee)
    # Read before the form copies the typed values onto the object.
    libelle, avant = donnee.libelle, resume_donnee(donnee)
    form = formulaire_donnee(request, donnee)
    if form.is_valid():
        try:
            enregistrer_modification(form, request.charte, request.user, avant)
        except ConflitDeVersion:
            return apres_un_conflit(request, pk, libelle)
        messages.success(request, "La donnée est modifiée.")
        return vers_donnees(request.charte)
    return afficher_formulaire_donnee(request, form, "Modifier la donnée territoriale")


def refus_si_preuve(request, objet, sujet, pronom, page_modification):
    """A figure or an interview cited as evidence of a need must not vanish from the synthesis unnoticed:
    the answer that refuses the deletion, or None when nothing cites it."""
    besoin = objet.besoins.first()
    if besoin is None:
        return None
    messages.error(
        request,
        f"{sujet} comme preuve du besoin « {besoin} » : demandez au coordinateur de l'en retirer avant de "
        f"{pronom} supprimer.",
    )
    return redirect(page_modification, charte_slug=request.charte.slug, pk=objet.pk)


@require_POST
@permission_charte("diagnostic.voir")
def supprimer_donnee(request, charte_slug, pk):
    donnee = dans_la_charte(request, DonneeTerritoriale.objects.select_related("commune", "organisation"), pk)
    exiger(request, "diagnostic.modifier_donnee", donnee)
    refus = refus_si_preuve(request, donnee, "Cette donnée est citée", "la", "diagnostic:modifier_donnee")
    if refus:
        return refus
    with transaction.atomic():
        donnee.delete()
        Journal.noter(request.charte, request.user, f"Donnée territoriale supprimée : {resume_donnee(donnee)}")
    messages.success(request, "La donnée est supprimée.")
    return vers_donnees(request.charte)


# ---------------------------------------------------------------- interviews


@permission_charte("diagnostic.voir")
def entretiens(request, charte_slug):
    charte = request.charte
    filtre = EntretienFilter(
        request.GET or None, queryset=Entretien.objects.filter(charte=charte).select_related("auteur")
    )
    liste = list(filtre.qs)
    for entretien in liste:
        entretien.charte = charte
        entretien.modifiable = request.user.has_perm("diagnostic.modifier_entretien", entretien)
    return render(
        request,
        "diagnostic/entretiens.html",
        {
            "charte": charte,
            "filtre": filtre,
            "entretiens": liste,
            "peut_ajouter": request.user.has_perm("diagnostic.ajouter_entretien", charte),
        },
    )


def afficher_formulaire_entretien(request, form, titre):
    return render(
        request,
        "diagnostic/entretien_form.html",
        {
            "charte": request.charte,
            "form": form,
            "titre": titre,
            "entretien": form.instance if form.instance.pk else None,
        },
    )


def description_entretien(entretien):
    return f"Entretien du {entretien.date:%d/%m/%Y} ({entretien.get_type_display().lower()})"


@permission_charte("diagnostic.ajouter_entretien")
def nouvel_entretien(request, charte_slug):
    form = EntretienForm(request.POST or None)
    if form.is_valid():
        with transaction.atomic():
            entretien = form.save(commit=False)
            entretien.charte, entretien.auteur = request.charte, request.user
            entretien.save()
            Journal.noter(request.charte, request.user, f"{description_entretien(entretien)} ajouté")
        messages.success(request, "L'entretien est enregistré.")
        return vers_entretiens(request.charte)
    return afficher_formulaire_entretien(request, form, "Nouvel entretien")


@permission_charte("diagnostic.voir")
def modifier_entretien(request, charte_slug, pk):
    entretien = dans_la_charte(request, Entretien.objects.all(), pk)
    exiger(request, "diagnostic.modifier_entretien", entretien)
    form = EntretienForm(request.POST or None, instance=entretien)
    if form.is_valid():
        with transaction.atomic():
            form.save()
            Journal.noter(request.charte, request.user, f"{description_entretien(entretien)} modifié")
        messages.success(request, "L'entretien est modifié.")
        return vers_entretiens(request.charte)
    return afficher_formulaire_entretien(request, form, "Modifier l'entretien")


@require_POST
@permission_charte("diagnostic.voir")
def supprimer_entretien(request, charte_slug, pk):
    entretien = dans_la_charte(request, Entretien.objects.all(), pk)
    exiger(request, "diagnostic.modifier_entretien", entretien)
    refus = refus_si_preuve(request, entretien, "Cet entretien est cité", "le", "diagnostic:modifier_entretien")
    if refus:
        return refus
    with transaction.atomic():
        entretien.delete()
        Journal.noter(request.charte, request.user, f"{description_entretien(entretien)} supprimé")
    messages.success(request, "L'entretien est supprimé.")
    return vers_entretiens(request.charte)
