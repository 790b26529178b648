import functools
import hashlib
import secrets

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Max, Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from charte.decorators import permission_charte
from charte.fraicheur import contexte_paresseux, formulaire_de_filtres
from charte.graphiques import barres_svg
from charte.limites import depasse
from charte.models import Charte, Journal
from diagnostic.filtres import ReponseFilter
from diagnostic.forms import QuestionnaireForm
from diagnostic.forms_edition import NouvelleEnqueteForm, ParametresEnqueteForm, QuestionForm, SectionForm
from diagnostic.models import Enquete, Option, Question, Reponse, Section
from diagnostic.resultats import TEXTES_AFFICHES, TYPES_CROISABLES, croiser, resultats
from diagnostic.services import (
    StructureVerrouillee,
    creer_enquete,
    deplacer_question,
    enregistrer_question,
    enregistrer_reponse,
    lire_gabarit,
    structure,
)
from territoires.models import Commune

DUREE_CACHE_RESULTATS = 60 * 60


def _enquete(request, pk):
    return get_object_or_404(
        Enquete.objects.de(request.charte).annotate(nb_reponses=Count("reponses"), derniere=Max("reponses")), pk=pk
    )


def _question(request, pk):
    return get_object_or_404(
        Question.objects.filter(enquete__charte=request.charte).select_related("enquete", "section"), pk=pk
    )


def questions_ordonnees(enquete):
    # Explicit order: an aggregate (answer counts) would otherwise drop the model's default ordering.
    return (
        enquete.questions.select_related("section", "condition_option")
        .prefetch_related(Prefetch("options", queryset=Option.objects.order_by("ordre", "id")))
        .order_by("section__ordre", "section_id", "ordre", "id")
    )


def questions_visibles(request, enquete):
    """The questions whose results the user may read: all for coordinators and referents, else the
    published ones without free text (families' words stay with the charter's team)."""
    questions = questions_ordonnees(enquete)
    if not request.user.has_perm("diagnostic.voir_tout", request.charte):
        questions = questions.filter(resultats_publies=True).exclude(type__in=Question.TYPES_TEXTE)
    return questions


def vers_enquete(enquete):
    return redirect("diagnostic:enquete", charte_slug=enquete.charte.slug, pk=enquete.pk)


@permission_charte("diagnostic.voir")
def enquetes(request, charte_slug):
    liste = Enquete.objects.de(request.charte).annotate(
        nb_reponses=Count("reponses"), nb_questions=Count("questions", distinct=True)
    )
    return render(request, "diagnostic/enquetes.html", {"charte": request.charte, "enquetes": liste})


@permission_charte("diagnostic.gerer")
def nouvelle_enquete(request, charte_slug):
    chartes = Charte.objects.accessibles(request.user)
    existantes = Enquete.objects.filter(charte__in=chartes).select_related("charte").order_by("charte__nom", "titre")
    form = NouvelleEnqueteForm(request.POST or None, enquetes_existantes=existantes)
    if form.is_valid():
        source = form.cleaned_data["source"]
        if source == "gabarit":
            donnees = lire_gabarit()
        elif source == "vide":
            donnees = {"titre": "", "introduction": "", "sections": [{"titre": "Questions", "questions": []}]}
        else:
            donnees = structure(get_object_or_404(existantes, pk=source))
        enquete = creer_enquete(request.charte, donnees, par=request.user, titre=form.cleaned_data["titre"])
        messages.success(request, "Le questionnaire est créé (brouillon) : adaptez-le puis publiez-le.")
        return vers_enquete(enquete)
    return render(request, "diagnostic/nouvelle_enquete.html", {"charte": request.charte, "form": form})


@permission_charte("diagnostic.voir")
def enquete(request, charte_slug, pk):
    enquete = _enquete(request, pk)
    sections = enquete.sections.prefetch_related(
        Prefetch("questions", queryset=questions_ordonnees(enquete).annotate(nb_valeurs=Count("valeurs")))
    )
    return render(
        request,
        "diagnostic/enquete.html",
        {
            "charte": request.charte,
            "enquete": enquete,
            "sections": sections,
            "peut_gerer": request.user.has_perm("diagnostic.gerer", request.charte),
            "peut_saisir": request.user.has_perm("diagnostic.saisir", request.charte),
            "lien_public": request.build_absolute_uri(f"/e/{enquete.jeton}/"),
            "motif_fermeture": enquete.motif_fermeture(),
        },
    )


@permission_charte("diagnostic.gerer")
def parametres(request, charte_slug, pk):
    enquete = _enquete(request, pk)
    form = ParametresEnqueteForm(request.POST or None, instance=enquete)
    if form.is_valid():
        form.save()
        messages.success(request, "Les paramètres du questionnaire sont enregistrés.")
        return vers_enquete(enquete)
    return render(
        request,
        "diagnostic/formulaire.html",
        {"charte": request.charte, "form": form, "titre": "Paramètres du questionnaire", "enquete": enquete},
    )


STATUTS = {
    "publier": (Enquete.Statut.PUBLIEE, "publié : le lien public accepte les réponses"),
    "clore": (Enquete.Statut.CLOSE, "clos : le lien public n'accepte plus de réponse"),
    "rouvrir": (Enquete.Statut.PUBLIEE, "rouvert"),
}


@require_POST
@permission_charte("diagnostic.gerer")
def changer_statut(request, charte_slug, pk):
    enquete = _enquete(request, pk)
    action = request.POST.get("action")
    if action not in STATUTS:
        messages.error(request, "Action inconnue : rien n'a changé.")
        return vers_enquete(enquete)
    statut, libelle = STATUTS[action]
    if action == "publier" and not enquete.questions.exists():
        messages.error(request, "Ajoutez au moins une question avant de publier.")
        return vers_enquete(enquete)
    with transaction.atomic():
        enquete.statut = statut
        enquete.save(update_fields=["statut"])
        Journal.noter(request.charte, request.user, f"Questionnaire « {enquete} » {libelle.split(' :')[0]}")
    messages.success(request, f"Questionnaire {libelle}.")
    return vers_enquete(enquete)


@permission_charte("diagnostic.gerer")
def nouvelle_section(request, charte_slug, pk):
    enquete = _enquete(request, pk)
    form = SectionForm(request.POST or None)
    if form.is_valid():
        form.instance.enquete = enquete
        form.instance.ordre = enquete.sections.count()
        form.save()
        enquete.structure_modifiee()
        return vers_enquete(enquete)
    return render(
        request,
        "diagnostic/formulaire.html",
        {"charte": request.charte, "form": form, "titre": "Nouvelle section", "enquete": enquete},
    )


def _editer_question(request, enquete, question, titre):
    form = QuestionForm(request.POST or None, instance=question, enquete=enquete)
    if form.is_valid():
        try:
            enregistrer_question(form.instance, form.libelles(), form.cleaned_data["libelle_autre"].strip())
        except StructureVerrouillee as erreur:
            form.add_error("lignes", str(erreur))
        else:
            messages.success(request, "La question est enregistrée.")
            return vers_enquete(enquete)
    return render(
        request,
        "diagnostic/formulaire.html",
        {"charte": request.charte, "form": form, "titre": titre, "enquete": enquete},
    )


@permission_charte("diagnostic.gerer")
def nouvelle_question(request, charte_slug, pk, section_pk):
    enquete = _enquete(request, pk)
    section = get_object_or_404(Section.objects.filter(enquete=enquete), pk=section_pk)
    question = Question(enquete=enquete, section=section, ordre=section.questions.count())
    return _editer_question(request, enquete, question, f"Nouvelle question — {section}")


@permission_charte("diagnostic.gerer")
def modifier_question(request, charte_slug, pk):
    question = _question(request, pk)
    return _editer_question(request, question.enquete, question, "Modifier la question")


@require_POST
@permission_charte("diagnostic.gerer")
def supprimer_question(request, charte_slug, pk):
    question = _question(request, pk)
    if question.valeurs.exists():
        messages.error(request, "Des familles ont déjà répondu à cette question : elle ne peut plus être supprimée.")
    elif question.preuves.exists():
        messages.error(request, "Cette question est citée comme preuve d'un besoin : retirez-la d'abord du besoin.")
    else:
        question.delete()
        question.enquete.structure_modifiee()
        messages.success(request, "La question est supprimée.")
    return vers_enquete(question.enquete)


@require_POST
@permission_charte("diagnostic.gerer")
def deplacer(request, charte_slug, pk):
    question = _question(request, pk)
    deplacer_question(question, -1 if request.POST.get("sens") == "haut" else 1)
    return vers_enquete(question.enquete)


@require_POST
@permission_charte("diagnostic.gerer")
def publier_resultat(request, charte_slug, pk):
    question = _question(request, pk)
    question.resultats_publies = not question.resultats_publies
    question.save(update_fields=["resultats_publies"])
    return redirect("diagnostic:resultats", charte_slug=charte_slug, pk=question.enquete_id)


@functools.lru_cache(maxsize=64)
def structure_en_cache(enquete_pk, version_structure):
    """The questions and options of a survey, read once per structure version (public form's hot path)."""
    return list(questions_ordonnees(Enquete(pk=enquete_pk)))


@functools.lru_cache(maxsize=64)
def formulaire_en_cache(enquete_pk, version_structure, charte_pk):
    """The questionnaire's fields, built once per structure version (QuestionnaireForm.lier); a change of the
    charter's communes is a new version too (diagnostic.signals)."""
    return QuestionnaireForm(
        enquete=Enquete(pk=enquete_pk),
        questions=structure_en_cache(enquete_pk, version_structure),
        communes=Commune.objects.filter(chartes=charte_pk).order_by("nom"),
    )


def _questionnaire(request, enquete):
    modele = formulaire_en_cache(enquete.pk, enquete.version_structure, enquete.charte_id)
    return modele.lier(request.POST or None, enquete=enquete, initial={"jeton": secrets.token_urlsafe(24)})


@permission_charte("diagnostic.saisir")
def saisie_papier(request, charte_slug, pk):
    enquete = _enquete(request, pk)
    form = _questionnaire(request, enquete)
    if form.is_valid():
        _reponse, nouvelle = enregistrer_reponse(
            enquete,
            profil=form.profil(),
            valeurs=form.valeurs(),
            canal=Reponse.Canal.PAPIER,
            jeton=form.cleaned_data["jeton"],
            par=request.user,
        )
        if nouvelle:
            messages.success(request, "Questionnaire papier enregistré. Vous pouvez saisir le suivant.")
        else:
            messages.info(request, "Ce questionnaire était déjà enregistré : il n'a pas été compté deux fois.")
        return redirect("diagnostic:saisie", charte_slug=charte_slug, pk=enquete.pk)
    return render(
        request,
        "diagnostic/questionnaire.html",
        {"enquete": enquete, "form": form, "charte": request.charte, "papier": True},
    )


def enquete_publique(request, jeton):
    # Storing a submission reads the survey's own row only; a page also shows its territory (a query with joins).
    enquetes = Enquete.objects if request.method == "POST" else Enquete.objects.select_related("charte__territoire")
    return get_object_or_404(enquetes, jeton=jeton)


@login_not_required
def questionnaire_public(request, jeton):
    """The public form of a survey: no account, anonymous, one submission per displayed form."""
    enquete = enquete_publique(request, jeton)
    motif = enquete.motif_fermeture()
    if motif:
        return render(request, "diagnostic/questionnaire_ferme.html", {"enquete": enquete, "motif": motif})
    form = _questionnaire(request, enquete)
    if request.method == "POST" and depasse(request, "questionnaire", settings.LIMITE_QUESTIONNAIRES_PAR_MINUTE):
        # The family's answers stay on screen: they only have to send them again a moment later.
        contexte = {"enquete": enquete, "form": form, "papier": False, "limite_atteinte": True}
        return render(request, "diagnostic/questionnaire.html", contexte, status=429)
    if form.is_valid():
        enregistrer_reponse(
            enquete,
            profil=form.profil(),
            valeurs=form.valeurs(),
            canal=Reponse.Canal.EN_LIGNE,
            jeton=form.cleaned_data["jeton"],
        )
        return redirect("questionnaire_merci", jeton=jeton)
    return render(request, "diagnostic/questionnaire.html", {"enquete": enquete, "form": form, "papier": False})


@login_not_required
def questionnaire_merci(request, jeton):
    enquete = enquete_publique(request, jeton)
    return render(request, "diagnostic/questionnaire_merci.html", {"enquete": enquete})


def reponses_filtrees(filtre):
    """The filtered answers, or None when no filter is set (all of them: a cheaper query)."""
    if not filtre.is_bound or (
        filtre.is_valid() and not any(v not in (None, "") for v in filtre.form.cleaned_data.values())
    ):
        return None
    return filtre.qs


def resultats_en_cache(enquete, questions, filtre):
    """The results with their charts, computed again only when an answer, a question or the filter changed.

    The key holds what changes the figures: the answers (count and last id — answers are never
    edited, only anonymised), the structure version, the questions shown and the filter.
    """
    cle = (
        "resultats:"
        + hashlib.sha256(
            repr(
                (
                    enquete.pk,
                    enquete.nb_reponses,
                    enquete.derniere,
                    enquete.anonymisee_le,
                    enquete.version_structure,
                    [(q.pk, q.resultats_publies) for q in questions],
                    sorted(filtre.data.lists()) if filtre.is_bound else None,
                )
            ).encode()
        ).hexdigest()
    )
    liste = cache.get(cle)
    if liste is None:
        liste = resultats(questions, reponses_filtrees(filtre), enquete=enquete)
        for resultat in liste:
            resultat.graphique = barres_svg(resultat.barres, resultat.question.texte) if resultat.barres else ""
        cache.set(cle, liste, DUREE_CACHE_RESULTATS)
    return liste


@permission_charte("diagnostic.voir")
def resultats_enquete(request, charte_slug, pk):
    enquete = _enquete(request, pk)
    voit_tout = request.user.has_perm("diagnostic.voir_tout", request.charte)
    return render(
        request,
        "diagnostic/resultats.html",
        {
            "charte": request.charte,
            "enquete": enquete,
            # What the shared block of the page depends on, besides the charter's version and the reader's rights.
            "etat_des_reponses": (
                enquete.nb_reponses,
                enquete.derniere,
                enquete.anonymisee_le,
                enquete.version_structure,
            ),
            "requete": request.GET.urlencode(),
            "textes_affiches": TEXTES_AFFICHES,
            "voit_tout": voit_tout,
            "peut_gerer": request.user.has_perm("diagnostic.gerer", request.charte),
            "peut_gerer_besoins": request.user.has_perm("diagnostic.gerer_besoins", request.charte),
            **contexte_paresseux(
                lambda: resultats_affiches(request, enquete, voit_tout),
                "formulaire_de_filtres",
                "nb_filtrees",
                "resultats",
            ),
        },
    )


def resultats_affiches(request, enquete, voit_tout):
    """The figures of the results page: only computed when its shared block is not in the cache."""
    filtre = ReponseFilter(request.GET or None, queryset=enquete.reponses.all(), charte=request.charte)
    filtrees = reponses_filtrees(filtre)
    liste = resultats_en_cache(enquete, list(questions_visibles(request, enquete)), filtre)
    if not voit_tout:
        for resultat in liste:
            resultat.textes = []
    return {
        "formulaire_de_filtres": formulaire_de_filtres(
            request.charte, f"resultats:{enquete.pk}", filtre, "les réponses", request.GET.urlencode()
        ),
        "nb_filtrees": enquete.nb_reponses if filtrees is None else filtrees.count(),
        "resultats": liste,
    }


@permission_charte("diagnostic.voir")
def croisement(request, charte_slug, pk):
    """Cross-tabulation of two questions (choices or scales), with the same filters as the results."""
    enquete = _enquete(request, pk)
    questions = list(questions_visibles(request, enquete).filter(type__in=TYPES_CROISABLES))
    par_pk = {str(q.pk): q for q in questions}
    filtre = ReponseFilter(request.GET or None, queryset=enquete.reponses.all(), charte=request.charte)
    ligne, colonne = par_pk.get(request.GET.get("ligne")), par_pk.get(request.GET.get("colonne"))
    tableau = croiser(ligne, colonne, filtre.qs) if ligne and colonne else None
    return render(
        request,
        "diagnostic/croisement.html",
        {
            "charte": request.charte,
            "enquete": enquete,
            "questions": questions,
            "filtre": filtre,
            "ligne": ligne,
            "colonne": colonne,
            "tableau": tableau,
        },
    )
