"""Scores of a prioritisation session: saving them safely, and ranking the needs from them."""

import statistics
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Sum

from charte.models import Etape, Journal
from priorisation.models import CRITERES_PAR_DEFAUT, Critere, Note, Participant, Priorite, Seance

NOTE_MIN, NOTE_MAX = 1, 5


@transaction.atomic
def enregistrer_notes(participant, notes):
    """Save a participant's scores: {(besoin_pk, critere_pk or None): value or None to clear}.

    Checked on the server whatever the page sent: the session is open, the needs and criteria are
    the session's, scores are 1 to 5, and dot votes never exceed the points each participant has.
    """
    # Lock the participant: the same person saving from two tabs is serialised, never mixed.
    participant = Participant.objects.select_for_update().select_related("seance").get(pk=participant.pk)
    seance = participant.seance
    if not seance.ouverte:
        raise ValidationError("La séance n'est pas ouverte au vote : vos notes n'ont pas été enregistrées.")
    besoins = set(seance.besoins.values_list("pk", flat=True))
    criteres = set(seance.criteres.values_list("pk", flat=True)) if seance.multicritere else {None}
    for (besoin, critere), valeur in notes.items():
        if besoin not in besoins or critere not in criteres:
            raise ValidationError("Ce besoin ou ce critère ne fait pas partie de la séance.")
        if valeur is None:
            Note.objects.filter(participant=participant, besoin_id=besoin, critere_id=critere).delete()
            continue
        if seance.multicritere and not NOTE_MIN <= valeur <= NOTE_MAX:
            raise ValidationError(f"Chaque note va de {NOTE_MIN} à {NOTE_MAX}.")
        Note.objects.update_or_create(
            participant=participant, besoin_id=besoin, critere_id=critere, defaults={"valeur": valeur}
        )
    if not seance.multicritere:
        total = participant.notes.aggregate(total=Sum("valeur"))["total"] or 0
        if total > seance.points_par_participant:
            raise ValidationError(
                f"Vous avez réparti {total} points pour {seance.points_par_participant} disponibles : "
                "retirez-en avant d'enregistrer."
            )


@dataclass
class Ligne:
    """A need's place in the ranking."""

    besoin: object
    score: float = 0.0
    par_college: dict = field(default_factory=dict)  # collège → score, or None when too few people
    dispersion: float = 0.0
    votants: int = 0


def scores_individuels(seance):
    """{(participant, besoin): score}: weighted mean of the criteria (multi-criteria) or points (dots).

    One grouped query: the weights are applied in the database.
    """
    notes = Note.objects.filter(participant__seance=seance)
    if seance.multicritere:
        lignes = notes.values_list("participant", "besoin").annotate(
            pondere=Sum(F("valeur") * F("critere__poids")), poids=Sum("critere__poids")
        )
        return {(p, b): float(pondere / poids) for p, b, pondere, poids in lignes if poids}
    lignes = notes.values_list("participant", "besoin").annotate(points=Sum("valeur"))
    return {(p, b): float(points) for p, b, points in lignes}


def classement(seance):
    """The session's needs ranked by score, with the per-collège view and the disagreement."""
    colleges = dict(seance.participants.values_list("pk", "college"))
    scores = scores_individuels(seance)
    effectifs = {c: list(colleges.values()).count(c) for c in Participant.College.values}
    lignes = []
    for besoin in seance.besoins.all():
        if seance.multicritere:  # the mean of those who scored this need
            valeurs = {p: s for (p, b), s in scores.items() if b == besoin.pk}
        else:  # dots: a participant who put no point on a need gave it 0
            valeurs = {p: scores.get((p, besoin.pk), 0.0) for p in colleges}
        ligne = Ligne(besoin, votants=len(valeurs))
        if valeurs:
            ligne.score = _agreger(seance, list(valeurs.values()))
            ligne.dispersion = statistics.pstdev(valeurs.values())
        for college, effectif in effectifs.items():
            du_college = [s for p, s in valeurs.items() if colleges[p] == college]
            # Anonymity: a collège too small to hide its members shows no detail.
            assez = effectif >= seance.seuil_anonymat and du_college
            ligne.par_college[college] = _agreger(seance, du_college) if assez else None
        lignes.append(ligne)
    return sorted(lignes, key=lambda ligne: (-ligne.score, ligne.besoin.titre))


def _agreger(seance, valeurs):
    return statistics.fmean(valeurs) if seance.multicritere else float(sum(valeurs))


@transaction.atomic
def creer_seance(charte, *, titre, date, mode, points, seuil, par):
    """A session on every need of the charter, with the default criteria (weights 1)."""
    seance = Seance.objects.create(
        charte=charte,
        titre=titre,
        date=date,
        mode=mode,
        points_par_participant=points,
        seuil_anonymat=seuil,
        creee_par=par,
    )
    seance.besoins.set(charte.besoins.all())
    Critere.objects.bulk_create(
        Critere(seance=seance, libelle=libelle, ordre=rang) for rang, libelle in enumerate(CRITERES_PAR_DEFAUT)
    )
    return seance


@dataclass
class Decision:
    """A need retained as a priority, as the coordinator records it."""

    besoin: object
    intitule: str
    justification: str = ""
    regroupes: list = field(default_factory=list)


@transaction.atomic
def decider_priorites(seance, decisions, *, le, instance, par):
    """Record the retained priorities in order (rank 1 first); they replace earlier ones.

    The gate « priorités décidées » of the timeline is validated by the same act.
    """
    if seance.statut != Seance.Statut.CLOSE:
        raise ValidationError("Clôturez d'abord le vote : les priorités se décident sur des résultats définitifs.")
    if not decisions:
        raise ValidationError("Retenez au moins un besoin comme priorité.")
    charte = seance.charte
    charte.priorites.all().delete()
    for rang, decision in enumerate(decisions, start=1):
        priorite = Priorite.objects.create(
            charte=charte,
            seance=seance,
            besoin=decision.besoin,
            rang=rang,
            intitule=decision.intitule,
            justification=decision.justification,
            decidee_le=le,
            instance=instance,
            decidee_par=par,
        )
        priorite.besoins_regroupes.set(decision.regroupes)
    libelle_instance = Priorite.Instance(instance).label
    Journal.noter(charte, par, f"{len(decisions)} priorités décidées le {le:%d/%m/%Y} ({libelle_instance})")
    etape = charte.etapes.get(numero=Etape.Numero.PRIORISATION)
    if not etape.jalon_valide:
        etape.valider_jalon(par=par, le=le, instance=f"{libelle_instance} — {seance.titre}")
