"""The evaluation grid of each action, the families' view before/after, the final assessment.

The changes users must be able to trace (a grid drafted or validated, the assessment written or
adopted) are each one function below that writes the change and its journal entry in one transaction.
"""

import hashlib
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from charte.decorators import permission_charte
from charte.models import Etape, Journal
from charte.services import ConflitDeVersion
from evaluation.comparaison import (
    SEUIL_REPONDANTS,
    choisir_enquetes,
    comparer,
    creer_enquete_satisfaction,
    enquetes_de,
    enquetes_par_defaut,
    plus_fortes_evolutions,
)
from evaluation.forms_bilan import QUESTIONS, AdoptionForm, BilanForm, ChoixEnquetesForm, EtatCritere, GrilleForm
from evaluation.models import AppreciationAction, BilanFinal, Critere, Indicateur
from evaluation.suivi import etats, indicateurs_suivis, par_priorite
from plan_actions.bilans import BilanDesActions, bilans_par_priorite
from plan_actions.models import FicheAction

EVALUATION = Etape.Numero.EVALUATION


def _pluriel(nombre, mot):
    return f"{nombre} {mot}{'s' if nombre > 1 else ''}"


# --- the evaluation grid of a fiche -------------------------------------------------------------------


def _fiche(request, pk):
    fiche = get_object_or_404(FicheAction.objects.de(request.charte).avec_totaux().select_related("pilote"), pk=pk)
    fiche.charte = request.charte  # the rules read it: no second query
    return fiche


def appreciations_de(fiche):
    return {
        a.critere: a
        for a in AppreciationAction.objects.filter(fiche=fiche).select_related("redigee_par", "validee_par")
    }


def jeton_de(appreciations):
    """A fingerprint of the grid as stored: a save made from a page opened on another state is refused."""
    etat = sorted(
        (critere, str(a.redigee_le), str(a.validee_le), a.niveau, a.justification)
        for critere, a in appreciations.items()
    )
    return hashlib.sha256(repr(etat).encode()).hexdigest()[:20]


@transaction.atomic
def enregistrer_grille(fiche, saisies, par, jeton_lu, valider=False):
    """Save the criteria that changed (each loses its validation); `valider` then stamps the whole grid.

    Returns (labels of the criteria changed, number of criteria validated).
    """
    FicheAction.objects.select_for_update().filter(pk=fiche.pk).first()  # one save of this grid at a time
    appreciations = appreciations_de(fiche)
    if jeton_de(appreciations) != jeton_lu:
        raise ConflitDeVersion(fiche)
    maintenant = timezone.now()
    modifies = []
    for critere, (niveau, justification) in saisies.items():
        appreciation = appreciations.get(critere)
        if appreciation is None and niveau is None:
            continue
        if appreciation is not None and (appreciation.niveau, appreciation.justification) == (niveau, justification):
            continue
        modifies.append(Critere(critere).label)
        if niveau is None:  # emptied: the criterion is to be evaluated again
            appreciations.pop(critere).delete()
            continue
        appreciation = appreciation or AppreciationAction(fiche=fiche, critere=critere)
        appreciation.niveau, appreciation.justification = niveau, justification
        appreciation.redigee_par, appreciation.redigee_le = par, maintenant
        # What the coordinator validated is no longer what is written.
        appreciation.validee_par = appreciation.validee_le = None
        appreciation.save()
        appreciations[critere] = appreciation
    valides = _valider(appreciations, par, maintenant) if valider else 0
    if modifies:
        Journal.noter(
            fiche.charte,
            par,
            f"Grille d'évaluation de la fiche n° {fiche.numero} : {_pluriel(len(modifies), 'critère')} "
            f"rédigé{'s' if len(modifies) > 1 else ''} ({', '.join(modifies)})",
        )
    if valides:
        Journal.noter(fiche.charte, par, f"Grille d'évaluation de la fiche n° {fiche.numero} validée")
    return modifies, valides


def _valider(appreciations, par, maintenant):
    manquants = [libelle for critere, libelle in Critere.choices if critere not in appreciations]
    if manquants:
        raise ValidationError(
            f"La grille se valide complète : évaluez encore {', '.join(manquants)}. Rien n'a été enregistré."
        )
    a_valider = [a for a in appreciations.values() if a.validee_le is None]
    for appreciation in a_valider:
        appreciation.validee_par, appreciation.validee_le = par, maintenant
    AppreciationAction.objects.bulk_update(a_valider, ["validee_par", "validee_le"])
    return len(a_valider)


@permission_charte("evaluation.voir")
def grille(request, charte_slug, pk):
    """The six criteria of a fiche: drafted by its pilot, validated by the coordinator, read by all."""
    charte = request.charte
    fiche = _fiche(request, pk)
    peut_rediger = request.user.has_perm("plan_actions.modifier_fiche", fiche)
    peut_valider = request.user.has_perm("evaluation.gerer", charte)
    appreciations = appreciations_de(fiche)
    form = None
    if request.method == "POST":
        if not peut_rediger:
            raise PermissionDenied("Seuls l'organisation pilote de l'action et le coordinateur remplissent sa grille.")
        valider = "valider" in request.POST
        if valider and not peut_valider:
            raise PermissionDenied("Seul le coordinateur valide une grille d'évaluation.")
        form = GrilleForm(request.POST, appreciations=appreciations, jeton=jeton_de(appreciations))
        if form.is_valid():
            reponse = _enregistrer_grille(request, fiche, form, valider)
            if reponse is not None:
                return reponse
        else:
            messages.error(request, "La grille n'est pas enregistrée : corrigez les critères signalés en rouge.")
    elif peut_rediger:
        form = GrilleForm(appreciations=appreciations, jeton=jeton_de(appreciations))
    indicateurs = list(indicateurs_suivis(Indicateur.objects.filter(charte=charte, fiche=fiche)))
    return render(
        request,
        "evaluation/grille.html",
        {
            "charte": charte,
            "fiche": fiche,
            "form": form,
            "lignes": form.lignes() if form else _lignes_en_lecture(appreciations),
            "etats": etats(indicateurs, charte),
            "peut_valider": peut_valider,
            "validee": len(appreciations) == len(Critere.choices) and all(a.validee_le for a in appreciations.values()),
        },
    )


def _enregistrer_grille(request, fiche, form, valider):
    """Save the grid from a valid form: a redirect when done, None to show the form again."""
    try:
        modifies, valides = enregistrer_grille(
            fiche, form.saisies(), request.user, form.cleaned_data["jeton"], valider=valider
        )
    except ConflitDeVersion:
        messages.error(
            request,
            "Quelqu'un a modifié cette grille pendant que vous la remplissiez : rien n'a été enregistré. "
            "Vos saisies sont conservées ci-dessous, avec l'état enregistré de chaque critère ; "
            "vérifiez-les puis enregistrez à nouveau.",
        )
        form.appreciations = appreciations_de(fiche)
        form.data = form.data.copy()
        form.data["jeton"] = jeton_de(form.appreciations)
        return None
    except ValidationError as erreur:
        form.add_error(None, erreur)
        return None
    if valides:
        messages.success(request, "Grille validée : elle figurera au bilan final.")
    elif modifies:
        messages.success(
            request,
            f"Grille enregistrée ({_pluriel(len(modifies), 'critère')} modifié{'s' if len(modifies) > 1 else ''}).",
        )
    else:
        messages.info(request, "Rien n'a changé dans la grille.")
    return redirect("evaluation:grille", charte_slug=fiche.charte.slug, pk=fiche.pk)


@dataclass
class LigneLue(EtatCritere):
    critere: str
    libelle: str
    question: str
    appreciation: AppreciationAction | None


def _lignes_en_lecture(appreciations):
    return [
        LigneLue(critere, libelle, QUESTIONS[critere], appreciations.get(critere))
        for critere, libelle in Critere.choices
    ]


# --- the final assessment -----------------------------------------------------------------------------


def _compte_d_appreciations(**filtre):
    appreciations = (
        AppreciationAction.objects.filter(fiche=OuterRef("pk"), **filtre)
        .order_by()
        .values("fiche")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(appreciations, output_field=IntegerField()), Value(0))


def fiches_evaluees(charte):
    """Every fiche with its totals, priorities and where its grid stands (criteria drafted, validated, durability)."""
    durabilite = AppreciationAction.objects.filter(fiche=OuterRef("pk"), critere=Critere.DURABILITE).values("niveau")
    return list(
        FicheAction.objects.de(charte)
        .avec_totaux()
        .annotate(
            nb_criteres=_compte_d_appreciations(),
            nb_valides=_compte_d_appreciations(validee_le__isnull=False),
            durabilite=Subquery(durabilite[:1], output_field=IntegerField()),
        )
        .select_related("pilote")
        .prefetch_related("priorites")
    )


def durabilite_des_actions(fiches):
    """How many fiches of the plan got each durability level in their grid (the basis of the recommendations)."""
    du_plan = [f for f in fiches if f.statut in FicheAction.STATUTS_DU_PLAN]
    niveaux = [
        (libelle, sum(f.durabilite == niveau for f in du_plan)) for niveau, libelle in AppreciationAction.Niveau.choices
    ]
    return {"niveaux": niveaux, "non_evaluees": sum(f.durabilite is None for f in du_plan), "total": len(du_plan)}


SECTIONS = {
    "realisations": "Ce qui a été réalisé",
    "avis_des_familles": "Ce qu'en disent les familles",
    "recommandations": "Recommandations pour la suite",
}


def sections_vides(bilan):
    return [libelle for champ, libelle in SECTIONS.items() if bilan is None or not getattr(bilan, champ).strip()]


def _etape_verrouillee(charte):
    """The stage-4 step, locked: an adoption and a save of the texts never cross."""
    etape = Etape.objects.select_for_update().get(charte=charte, numero=EVALUATION)
    etape.charte = charte
    return etape


def _etape_et_bilan(charte):
    """The stage-4 step and the assessment (an unsaved one if none yet), in one query."""
    etape = Etape.objects.select_related("jalon_valide_par", "charte__bilan").get(charte=charte, numero=EVALUATION)
    try:
        bilan = etape.charte.bilan
    except BilanFinal.DoesNotExist:
        bilan = BilanFinal(charte=charte)
    etape.charte = charte
    return etape, bilan


@transaction.atomic
def enregistrer_bilan(charte, textes, version_lue, par):
    """Save the assessment's texts from a form opened on `version_lue`: refused if someone saved since."""
    if _etape_verrouillee(charte).jalon_valide:
        raise ValidationError("Le bilan final est adopté : il ne se modifie plus.")
    bilan, _ = BilanFinal.objects.get_or_create(charte=charte)
    if not BilanFinal.objects.filter(pk=bilan.pk, version=version_lue).update(
        **textes, version=F("version") + 1, modifie_le=timezone.now()
    ):
        raise ConflitDeVersion(bilan)
    Journal.noter(charte, par, f"Bilan final modifié (version {version_lue + 1})")


@transaction.atomic
def adopter(charte, par, le, instance):
    """The assessment adopted by the steering committee: the stage-4 gate is validated."""
    etape = _etape_verrouillee(charte)  # two adoptions at once: the second waits, then is refused
    if etape.jalon_valide:
        raise ValidationError(
            f"Le bilan final est déjà adopté (le {etape.jalon_valide_le:%d/%m/%Y}, {etape.jalon_instance})."
        )
    bilan = BilanFinal.objects.select_for_update().filter(charte=charte).first()
    vides = sections_vides(bilan)
    if vides:
        raise ValidationError(
            "Le bilan ne peut pas être adopté : rédigez d'abord " + ", ".join(f"« {s} »" for s in vides) + "."
        )
    etape.valider_jalon(par=par, le=le, instance=instance)
    Journal.noter(charte, par, f"Bilan final adopté (version {bilan.version}) le {le:%d/%m/%Y} ({instance})")


def _page_bilan(request, adoption=None):
    charte = request.charte
    etape, bilan = _etape_et_bilan(charte)
    fiches = fiches_evaluees(charte)
    priorites = list(charte.priorites.all())
    enquetes = enquetes_de(charte)
    avant, apres = enquetes_par_defaut(enquetes, bilan)
    peut_gerer = request.user.has_perm("evaluation.gerer", charte)
    if peut_gerer and not etape.jalon_valide and adoption is None:
        adoption = AdoptionForm()
    return render(
        request,
        "evaluation/bilan.html",
        {
            "charte": charte,
            "bilan": bilan,
            "etape": etape,
            "realisations": bilans_par_priorite(fiches, priorites),
            "ensemble": BilanDesActions("Ensemble du plan", fiches),
            "groupes_indicateurs": par_priorite(_etats_des_indicateurs(charte, fiches), priorites),
            "durabilite": durabilite_des_actions(fiches),
            "avant": avant,
            "apres": apres,
            "sections_vides": sections_vides(bilan),
            "peut_gerer": peut_gerer,
            "adoption": adoption if peut_gerer and not etape.jalon_valide else None,
        },
    )


def _etats_des_indicateurs(charte, fiches):
    """The indicators' states; each gets the fiche already read, with its priorities (no query per row)."""
    par_pk = {f.pk: f for f in fiches}
    indicateurs = list(indicateurs_suivis(Indicateur.objects.filter(charte=charte)))
    for indicateur in indicateurs:
        if indicateur.fiche_id:
            indicateur.fiche = par_pk.get(indicateur.fiche_id, indicateur.fiche)
    return etats(indicateurs, charte)


@permission_charte("evaluation.voir")
def bilan(request, charte_slug):
    """The final assessment: achievements, indicators, families' view, recommendations; its adoption."""
    return _page_bilan(request)


def premier_jet(realisations):
    """A first wording of « what was achieved », priority by priority, from the plan's figures."""
    paragraphes = []
    for r in realisations:
        if not r.fiches:
            continue
        realisees = [f.titre for f in r.fiches if f.statut == FicheAction.Statut.REALISEE]
        autres = [
            f"{f.titre} ({f.get_statut_display().lower()})" for f in r.fiches if f.statut != FicheAction.Statut.REALISEE
        ]
        lignes = [
            f"{r.libelle} — {r.nb_realisees} action{'s' if r.nb_realisees > 1 else ''} réalisée{'s' if r.nb_realisees > 1 else ''} sur {len(r.du_plan)}."
        ]
        lignes += [f"- Réalisé : {t}" for t in realisees] + [f"- {t}" for t in autres]
        paragraphes.append("\n".join(lignes))
    return "\n\n".join(paragraphes)


@permission_charte("evaluation.gerer")
def modifier_bilan(request, charte_slug):
    charte = request.charte
    etape, bilan = _etape_et_bilan(charte)
    if etape.jalon_valide:
        messages.error(
            request,
            "Le bilan final est adopté : il ne se modifie plus. Pour le reprendre, annulez d'abord la validation "
            "du jalon « Bilan final adopté » depuis le tableau de bord.",
        )
        return redirect("evaluation:bilan", charte_slug=charte.slug)
    initial = {}
    if request.method == "GET" and not bilan.realisations:
        initial["realisations"] = premier_jet(bilans_par_priorite(fiches_evaluees(charte), charte.priorites.all()))
    form = BilanForm(request.POST or None, instance=bilan, initial=initial)
    if form.is_valid():
        textes = {champ: form.cleaned_data[champ].strip() for champ in SECTIONS}
        try:
            enregistrer_bilan(charte, textes, form.cleaned_data["version"], request.user)
        except ConflitDeVersion:
            messages.error(
                request,
                "Quelqu'un a enregistré le bilan pendant que vous le rédigiez : rien n'a été enregistré. "
                "Votre texte est conservé ci-dessous ; ouvrez le bilan dans un autre onglet pour lire la version "
                "à jour, reportez-y ce qui manque, puis enregistrez à nouveau.",
            )
            form.data = form.data.copy()
            form.data["version"] = BilanFinal.objects.filter(charte=charte).values_list("version", flat=True).first()
        except ValidationError as erreur:
            messages.error(request, " ".join(erreur.messages))
            return redirect("evaluation:bilan", charte_slug=charte.slug)
        else:
            messages.success(request, "Bilan final enregistré.")
            return redirect("evaluation:bilan", charte_slug=charte.slug)
    return render(
        request,
        "evaluation/bilan_form.html",
        {"charte": charte, "form": form, "bilan": bilan, "premier_jet": bool(initial.get("realisations"))},
    )


@require_POST
@permission_charte("evaluation.gerer")
def adopter_bilan(request, charte_slug):
    form = AdoptionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Le bilan n'est pas adopté : corrigez la date ou l'instance ci-dessous.")
        return _page_bilan(request, adoption=form)
    try:
        adopter(request.charte, request.user, form.cleaned_data["le"], form.cleaned_data["instance"])
    except ValidationError as erreur:
        messages.error(request, " ".join(erreur.messages))
    else:
        messages.success(request, "Bilan final adopté : le jalon de l'étape « Évaluation » est validé.")
    return redirect("evaluation:bilan", charte_slug=request.charte.slug)


# --- the families' voice before / after ---------------------------------------------------------------


def _page_comparaison(request, form=None):
    charte = request.charte
    bilan = BilanFinal.objects.filter(charte=charte).first()
    enquetes = enquetes_de(charte)
    avant, apres = enquetes_par_defaut(enquetes, bilan)
    voit_tout = request.user.has_perm("diagnostic.voir_tout", charte)
    peut_gerer = request.user.has_perm("evaluation.gerer", charte)
    if peut_gerer and form is None and len(enquetes) >= 2:
        form = ChoixEnquetesForm(initial={"avant": avant, "apres": apres}, charte=charte, enquetes=enquetes)
    comparaisons = comparer(avant, apres, publiees_seulement=not voit_tout) if avant and apres else []
    avec_graphique = [c for c in comparaisons if c.categories]
    return render(
        request,
        "evaluation/comparaison.html",
        {
            "charte": charte,
            "avant": avant,
            "apres": apres,
            "choix_enregistre": bool(bilan and bilan.enquete_avant_id and bilan.enquete_apres_id),
            "comparaisons": avec_graphique,
            "evolutions": plus_fortes_evolutions(avec_graphique),
            "seuil": SEUIL_REPONDANTS,
            "moyennes": [c for c in comparaisons if not c.categories],
            "form": form,
            "peut_gerer": peut_gerer,
            "voit_tout": voit_tout,
        },
    )


@permission_charte("evaluation.voir")
def comparaison(request, charte_slug):
    """The diagnostic survey against the satisfaction survey, question by question."""
    if request.method != "POST":
        return _page_comparaison(request)
    action = request.POST.get("action")
    if action not in ("choisir", "creer_satisfaction"):
        return redirect("evaluation:comparaison", charte_slug=charte_slug)
    if not request.user.has_perm("evaluation.gerer", request.charte):
        raise PermissionDenied("Seul le coordinateur choisit les enquêtes comparées et crée l'enquête de satisfaction.")
    if action == "creer_satisfaction":
        return _creer_satisfaction(request)
    form = ChoixEnquetesForm(request.POST, charte=request.charte, enquetes=enquetes_de(request.charte))
    if not form.is_valid():
        return _page_comparaison(request, form)
    choisir_enquetes(request.charte, form.cleaned_data["avant"], form.cleaned_data["apres"], request.user)
    messages.success(request, "Les enquêtes comparées sont enregistrées pour le bilan final.")
    return redirect("evaluation:comparaison", charte_slug=charte_slug)


def _creer_satisfaction(request):
    charte = request.charte
    avant, _apres = enquetes_par_defaut(enquetes_de(charte), BilanFinal.objects.filter(charte=charte).first())
    if avant is None:
        messages.error(
            request, "Aucune enquête du diagnostic à reprendre : créez d'abord le questionnaire aux familles."
        )
        return redirect("evaluation:comparaison", charte_slug=charte.slug)
    enquete = creer_enquete_satisfaction(charte, avant, par=request.user)
    messages.success(
        request,
        f"Enquête de satisfaction créée en brouillon à partir de « {avant.titre} » : ses questions fermées (mêmes codes, "
        "pour la comparaison) après une courte section sur les actions menées. Relisez-la, publiez-la, puis revenez "
        "comparer les réponses.",
    )
    return redirect("diagnostic:enquete", charte_slug=charte.slug, pk=enquete.pk)
