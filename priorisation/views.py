"""Prioritisation sessions: set up by the coordinator, voted by members and guests, ranked live."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from charte.decorators import permission_charte
from charte.graphiques import barres_svg
from charte.models import Etape, Journal
from diagnostic.views_fichiers import TABLEURS, format_accepte, reponse_tableur
from priorisation.forms import (
    ArriveeForm,
    DecisionForm,
    GrilleForm,
    NouvelleSeanceForm,
    PoidsForm,
    PrioritesFormSet,
    RejoindreForm,
)
from priorisation.models import Participant, Priorite, Seance
from priorisation.services import NOTE_MAX, Decision, classement, creer_seance, decider_priorites, enregistrer_notes

NB_A_DISCUTER = 3
TEXTE = "text/plain; charset=utf-8"
NB_RETENUS_PROPOSES = 6  # the method usually retains about six priorities
SEL_COOKIE = "priorisation.invite"
DUREE_COOKIE = 60 * 60 * 24 * 30


def _seance(request, pk):
    return get_object_or_404(Seance.objects.filter(charte=request.charte), pk=pk)


def vers_seance(seance):
    return redirect("priorisation:seance", charte_slug=seance.charte.slug, pk=seance.pk)


def motif_fermeture(seance):
    """Why the session takes no scores, in the words shown to participants (None if it does)."""
    if seance.statut == Seance.Statut.PREPARATION:
        return "La séance n'est pas encore ouverte au vote : revenez quand l'animateur l'aura ouverte."
    if seance.statut == Seance.Statut.CLOSE:
        return "La séance est close : les notes ne peuvent plus être modifiées."
    return None


# --- results ----------------------------------------------------------------------------------


class Nombre(float):
    """A score that reads the French way (« 3,5 ») in the bar chart, whatever the template's l10n."""

    decimales = 1

    def __str__(self):
        return formats.number_format(float(self), self.decimales, use_l10n=True)


class Points(Nombre):
    decimales = 0


class Barre:
    """A bar of charte.graphiques.barres_svg: a need and its score."""

    def __init__(self, libelle, score, pourcentage, type_nombre=Nombre):
        self.libelle, self.effectif, self.pourcentage = libelle, type_nombre(round(score, 1)), pourcentage


def contexte_resultats(seance):
    """The live results of a session: ranking, chart, collèges and disagreement (never individual scores)."""
    lignes = classement(seance)
    effectifs = dict(seance.participants.values_list("college").annotate(n=Count("pk")).order_by())
    colleges = [
        (valeur, libelle, effectifs[valeur]) for valeur, libelle in Participant.College.choices if valeur in effectifs
    ]
    a_discuter = sorted(
        (ligne for ligne in lignes if ligne.votants >= 2 and ligne.dispersion > 0), key=lambda ligne: -ligne.dispersion
    )[:NB_A_DISCUTER]
    total_points = sum(ligne.score for ligne in lignes) or 1
    for ligne in lignes:
        ligne.colonnes = [ligne.par_college[valeur] for valeur, _libelle, _n in colleges]
        ligne.a_discuter = any(ligne is autre for autre in a_discuter)
    a_des_notes = any(ligne.score for ligne in lignes)
    if seance.multicritere:
        barres = [Barre(ligne.besoin.titre, ligne.score, round(100 * ligne.score / NOTE_MAX)) for ligne in lignes]
        titre = "Score moyen des besoins (sur 5)"
    else:
        barres = [
            Barre(ligne.besoin.titre, ligne.score, round(100 * ligne.score / total_points), Points) for ligne in lignes
        ]
        titre = "Points reçus par besoin"
    return {
        "seance": seance,
        "lignes": lignes,
        "colleges": colleges,
        "detail_masque": any(v is None for ligne in lignes for v in ligne.colonnes),
        "a_des_notes": a_des_notes,
        "graphique": barres_svg(barres, titre) if a_des_notes else "",
        "nb_participants": sum(effectifs.values()),
        "mis_a_jour": timezone.localtime(),
    }


@permission_charte("priorisation.voir")
def resultats(request, charte_slug, pk):
    """The results block alone (no page around it): the session page refreshes it every few seconds."""
    seance = _seance(request, pk)
    return render(request, "priorisation/_resultats.html", contexte_resultats(seance))


# --- the coordinator's side -------------------------------------------------------------------


@permission_charte("priorisation.voir")
def seances(request, charte_slug):
    liste = Seance.objects.filter(charte=request.charte).annotate(nb_participants=Count("participants"))
    # The way down the chain of evidence: the fiches actions answering each priority (reverse relation, no import).
    priorites = (
        Priorite.objects.filter(charte=request.charte)
        .select_related("besoin")
        .prefetch_related("fiches")
        .order_by("rang")
    )
    return render(
        request,
        "priorisation/seances.html",
        {
            "charte": request.charte,
            "seances": liste,
            "priorites": priorites,
            "peut_gerer": request.user.has_perm("priorisation.gerer", request.charte),
            "peut_proposer_une_fiche": request.user.has_perm("plan_actions.proposer", request.charte),
        },
    )


@permission_charte("priorisation.gerer")
def nouvelle_seance(request, charte_slug):
    nb_besoins = request.charte.besoins.count()
    form = NouvelleSeanceForm(request.POST or None, initial={"date": timezone.localdate()})
    if request.method == "POST" and not nb_besoins:
        messages.error(request, "La charte n'a encore aucun besoin : la séance ne peut pas être créée.")
    elif form.is_valid():
        donnees = form.cleaned_data
        seance = creer_seance(
            request.charte,
            titre=donnees["titre"],
            date=donnees["date"],
            mode=donnees["mode"],
            points=donnees["points_par_participant"],
            seuil=donnees["seuil_anonymat"],
            par=request.user,
        )
        Journal.noter(request.charte, request.user, f"Séance de priorisation « {seance} » créée")
        messages.success(
            request, "La séance est créée (en préparation) : ajustez le poids des critères puis ouvrez le vote."
        )
        return vers_seance(seance)
    return render(
        request,
        "priorisation/nouvelle_seance.html",
        {
            "charte": request.charte,
            "form": form,
            "nb_besoins": nb_besoins,
            "diagnostic": request.charte.etapes.get(numero=Etape.Numero.DIAGNOSTIC),
        },
    )


@permission_charte("priorisation.voir")
def seance(request, charte_slug, pk):
    seance = _seance(request, pk)
    peut_gerer = request.user.has_perm("priorisation.gerer", request.charte)
    criteres = list(seance.criteres.all()) if seance.multicritere else []
    poids = None
    if peut_gerer and criteres and seance.statut == Seance.Statut.PREPARATION:
        poids = PoidsForm(criteres=criteres)
    return render(
        request,
        "priorisation/seance.html",
        {
            "charte": request.charte,
            "seance": seance,
            "criteres": criteres,
            "form_poids": poids,
            "peut_gerer": peut_gerer,
            "peut_voter": request.user.has_perm("priorisation.voter", request.charte),
            "lien_invite": request.build_absolute_uri(reverse("voter_invite", args=[seance.code])),
            "lien_rejoindre": request.build_absolute_uri(reverse("rejoindre")),
            **contexte_resultats(seance),
        },
    )


STATUTS = {
    "ouvrir": (Seance.Statut.OUVERTE, "ouverte au vote"),
    "clore": (Seance.Statut.CLOSE, "close"),
}


@require_POST
@permission_charte("priorisation.gerer")
def changer_statut(request, charte_slug, pk):
    seance = _seance(request, pk)
    action = request.POST.get("action")
    if action not in STATUTS:
        messages.error(request, "Action inconnue : rien n'a changé.")
        return vers_seance(seance)
    statut, libelle = STATUTS[action]
    if seance.statut == statut:
        messages.info(request, f"La séance est déjà {libelle}.")
        return vers_seance(seance)
    seance.statut = statut
    seance.save(update_fields=["statut"])
    Journal.noter(request.charte, request.user, f"Séance de priorisation « {seance} » {libelle}")
    messages.success(request, f"La séance est {libelle}.")
    return vers_seance(seance)


@require_POST
@permission_charte("priorisation.gerer")
def poids_des_criteres(request, charte_slug, pk):
    seance = _seance(request, pk)
    if seance.statut != Seance.Statut.PREPARATION or not seance.multicritere:
        messages.error(request, "Le poids des critères ne se change que pendant la préparation de la séance.")
        return vers_seance(seance)
    form = PoidsForm(request.POST, criteres=seance.criteres.all())
    if form.is_valid():
        form.enregistrer()
        messages.success(request, "Le poids des critères est enregistré.")
    else:
        messages.error(request, "Chaque poids est un nombre de 0,1 à 99,9 : rien n'a été changé.")
    return vers_seance(seance)


# --- voting: members and guests share the grid ------------------------------------------------


def _grille(request, seance, participant, template, contexte):
    """The voting grid of a participant: shows the saved scores, saves them all at once while open."""
    besoins = seance.besoins.all()
    criteres = seance.criteres.all() if seance.multicritere else []
    notes = {(n.besoin_id, n.critere_id): n.valeur for n in participant.notes.all()}
    motif = motif_fermeture(seance)
    donnees = request.POST if request.method == "POST" and not motif else None
    form = GrilleForm(
        donnees, seance=seance, besoins=besoins, criteres=criteres, notes=notes, lecture_seule=bool(motif)
    )
    en_direct = request.headers.get("X-Requested-With") == "fetch"  # saved as the participant goes
    if request.method == "POST" and motif:
        if en_direct:
            return HttpResponse(f"{motif} Vos notes n'ont pas été enregistrées.", status=409, content_type=TEXTE)
        messages.error(request, f"{motif} Vos notes n'ont pas été enregistrées.")
    elif form.is_bound and form.is_valid():
        try:
            enregistrer_notes(participant, form.notes())
        except ValidationError as erreur:
            for message in erreur.messages:
                form.add_error(None, message)
        else:
            if en_direct:
                return HttpResponse(status=204)
            messages.success(request, "Vos notes sont enregistrées. Vous pouvez les modifier jusqu'à la clôture.")
            return redirect(request.path)
    if en_direct and form.is_bound:
        erreurs = [message for messages_ in form.errors.values() for message in messages_]
        return HttpResponse(" ".join(erreurs) + " Rien n'a été enregistré.", status=400, content_type=TEXTE)
    points_utilises = form.points_utilises()
    return render(
        request,
        template,
        contexte
        | {
            "seance": seance,
            "participant": participant,
            "grille": form,
            "arrivee": None,
            "motif": motif,
            "points_utilises": points_utilises,
            "points_restants": seance.points_par_participant - points_utilises,
        },
    )


def _arrivee(request, seance, template, contexte, invite):
    """First visit: the collège (and a pseudonym for guests). Returns (form, response or None)."""
    motif = motif_fermeture(seance)
    form = ArriveeForm(request.POST if request.method == "POST" and not motif else None, invite=invite)
    if request.method == "POST" and motif:
        messages.error(request, f"{motif} Vous ne pouvez pas rejoindre la séance.")
    elif form.is_bound and form.is_valid():
        return form, None
    page = render(
        request,
        template,
        contexte | {"seance": seance, "arrivee": None if motif else form, "grille": None, "motif": motif},
    )
    return None, page


@permission_charte("priorisation.voter")
def voter(request, charte_slug, pk):
    seance = _seance(request, pk)
    contexte = {"charte": request.charte}
    participant = seance.participants.filter(utilisateur=request.user).first()
    if participant is None:
        form, page = _arrivee(request, seance, "priorisation/voter.html", contexte, invite=False)
        if page is not None:
            return page
        Participant.objects.get_or_create(
            seance=seance, utilisateur=request.user, defaults={"college": form.cleaned_data["college"]}
        )
        return redirect(request.path)
    return _grille(request, seance, participant, "priorisation/voter.html", contexte)


def nom_du_cookie(seance):
    """One cookie per session: a guest's token for session A means nothing on session B."""
    return f"priorisation_seance_{seance.pk}"


def participant_invite(request, seance):
    jeton = request.get_signed_cookie(nom_du_cookie(seance), default=None, salt=SEL_COOKIE)
    if not jeton:
        return None
    return Participant.objects.filter(seance=seance, jeton=jeton, utilisateur__isnull=True).first()


@login_not_required
def rejoindre(request):
    """/s/: type the code shown on the screen of the meeting room."""
    form = RejoindreForm(request.GET or None)
    if form.is_valid():
        return redirect("voter_invite", code=form.cleaned_data["code"])
    return render(request, "priorisation/rejoindre.html", {"form": form})


@login_not_required
def voter_invite(request, code):
    """/s/<code>/: a guest (no account) joins the session and votes with the same grid as the members."""
    seance = Seance.objects.select_related("charte__territoire").filter(code=code.strip().upper()).first()
    if seance is None:
        form = RejoindreForm(initial={"code": code})
        messages.error(request, "Aucune séance ne correspond à ce code : vérifiez-le auprès de l'animateur.")
        return render(request, "priorisation/rejoindre.html", {"form": form}, status=404)
    contexte = {"charte": seance.charte}
    participant = participant_invite(request, seance)
    if participant is None:
        form, page = _arrivee(request, seance, "priorisation/voter_invite.html", contexte, invite=True)
        if page is not None:
            return page
        participant = Participant.objects.create(
            seance=seance, college=form.cleaned_data["college"], pseudonyme=form.cleaned_data["pseudonyme"]
        )
        reponse = redirect(request.path)
        reponse.set_signed_cookie(
            nom_du_cookie(seance),
            participant.jeton,
            salt=SEL_COOKIE,
            max_age=DUREE_COOKIE,
            path="/s/",
            secure=settings.HTTPS,
            httponly=True,
            samesite="Lax",
        )
        return reponse
    return _grille(request, seance, participant, "priorisation/voter_invite.html", contexte)


@permission_charte("priorisation.gerer")
def decision(request, charte_slug, pk):
    """After the vote: the coordinator records which needs become the plan's priorities, in order."""
    seance = _seance(request, pk)
    if seance.statut != Seance.Statut.CLOSE:
        messages.error(request, "Clôturez d'abord le vote : les priorités se décident sur des résultats définitifs.")
        return vers_seance(seance)
    lignes = classement(seance)
    besoins = {ligne.besoin.pk: ligne.besoin for ligne in lignes}
    initial = [
        {"besoin": ligne.besoin.pk, "intitule": ligne.besoin.titre, "retenu": rang < NB_RETENUS_PROPOSES}
        for rang, ligne in enumerate(lignes)
    ]
    form = DecisionForm(request.POST or None, initial={"le": timezone.localdate(), "instance": "copil"})
    lignes_form = PrioritesFormSet(
        request.POST or None, initial=initial, prefix="lignes", form_kwargs={"besoins": list(besoins.values())}
    )
    if request.method == "POST" and form.is_valid() and lignes_form.is_valid():
        decisions = [
            Decision(
                besoins[f.cleaned_data["besoin"]],
                f.cleaned_data["intitule"].strip(),
                f.cleaned_data["justification"].strip(),
                [besoins[int(pk)] for pk in f.cleaned_data["regroupes"] if int(pk) in besoins],
            )
            for f in lignes_form
            if f.cleaned_data.get("retenu") and f.cleaned_data["besoin"] in besoins
        ]
        try:
            decider_priorites(
                seance, decisions, le=form.cleaned_data["le"], instance=form.cleaned_data["instance"], par=request.user
            )
        except ValidationError as erreur:
            messages.error(request, " ".join(erreur.messages))
        else:
            messages.success(
                request,
                f"{len(decisions)} priorités sont décidées : le jalon « Priorités décidées » "
                "est inscrit au calendrier.",
            )
            return redirect("priorisation:seances", charte_slug=charte_slug)
    return render(
        request,
        "priorisation/decision.html",
        {
            "charte": request.charte,
            "seance": seance,
            "form": form,
            "lignes_form": lignes_form,
            "rangees": list(zip(lignes, lignes_form, strict=False)),  # a tampered POST may hold fewer lines
        },
    )


@permission_charte("priorisation.voir")
def export(request, charte_slug, pk, format):
    """The session's ranking as a spreadsheet (CSV or XLSX), with the same anonymity as on screen."""
    format_accepte(format, TABLEURS)
    seance = _seance(request, pk)
    colleges = Participant.College
    entetes = ["rang", "besoin", "domaine", "score", "votants", "dispersion", *[f"score {c.label}" for c in colleges]]
    lignes = [
        [
            rang,
            ligne.besoin.titre,
            ligne.besoin.get_domaine_display(),
            round(ligne.score, 2),
            ligne.votants,
            round(ligne.dispersion, 2),
            *["" if ligne.par_college[c] is None else round(ligne.par_college[c], 2) for c in colleges.values],
        ]
        for rang, ligne in enumerate(classement(seance), start=1)
    ]
    return reponse_tableur(entetes, lignes, format, f"{slugify(seance.titre) or 'seance'}-classement", "Classement")


@permission_charte("priorisation.voir")
def impression(request, charte_slug, pk):
    """A printable page of the results, to hand out or to archive with the COPIL papers."""
    seance = _seance(request, pk)
    return render(request, "priorisation/impression.html", {"charte": request.charte, **contexte_resultats(seance)})


@permission_charte("priorisation.voir")
def comparer(request, charte_slug):
    """Each need's rank in every session of the charter, side by side."""
    seances_ = list(request.charte.seances.order_by("date", "id"))
    rangs = {}  # besoin → {seance pk: (rang, score)}
    besoins = {}
    for seance in seances_:
        for rang, ligne in enumerate(classement(seance), start=1):
            besoins[ligne.besoin.pk] = ligne.besoin
            rangs.setdefault(ligne.besoin.pk, {})[seance.pk] = (rang, ligne.score)
    lignes = sorted(
        ((besoin, [rangs[pk].get(s.pk) for s in seances_]) for pk, besoin in besoins.items()),
        key=lambda ligne: min((r[0] for r in ligne[1] if r), default=99),
    )
    return render(
        request, "priorisation/comparer.html", {"charte": request.charte, "seances": seances_, "lignes": lignes}
    )
