"""Demo prioritisation of the Aire à l'Argonne charter: a closed session of 25 people, 6 priorities."""

import datetime
import random

from django.db import transaction

from priorisation.models import Participant, Seance
from priorisation.services import Decision, classement, creer_seance, decider_priorites, enregistrer_notes

DATE_SEANCE = datetime.date(2025, 6, 12)
# collège: (number of participants, how much weight they give to each domain: families push care and
# health, elected officials feasibility…)
COLLEGES = {
    "familles": (8, {"petite_enfance": 1.5, "sante": 1.3, "parentalite": 1.2}),
    "institutions": (7, {"accompagnement": 1.3, "sante": 1.2}),
    "elus": (5, {"enfance_jeunesse": 1.3, "animation_sociale": 1.2}),
    "associations": (5, {"animation_sociale": 1.5, "parentalite": 1.2}),
}
PSEUDONYMES = [
    "Parent de Triaucourt",
    "Mère de trois enfants",
    "Grand-parent",
    "Père exploitant",
    "Assistante maternelle",
]
NB_PRIORITES = 6


def creer_demo_priorisation(charte, coordinateur):
    if charte.seances.exists():
        return
    hasard = random.Random(612)
    with transaction.atomic():
        seance = creer_seance(
            charte,
            titre="Séance de priorisation partagée",
            date=DATE_SEANCE,
            mode=Seance.Mode.MULTICRITERE,
            points=10,
            seuil=3,
            par=coordinateur,
        )
        Seance.objects.filter(pk=seance.pk).update(statut=Seance.Statut.OUVERTE)
        seance.refresh_from_db()
        besoins, criteres = list(seance.besoins.all()), list(seance.criteres.all())
        for college, (nombre, preferences) in COLLEGES.items():
            for _ in range(nombre):
                participant = Participant.objects.create(
                    seance=seance,
                    college=college,
                    pseudonyme=hasard.choice(PSEUDONYMES) if college == "familles" else "",
                )
                enregistrer_notes(
                    participant,
                    {
                        (besoin.pk, critere.pk): note(hasard, preferences.get(besoin.domaine, 1.0))
                        for besoin in besoins
                        for critere in criteres
                    },
                )
        Seance.objects.filter(pk=seance.pk).update(statut=Seance.Statut.CLOSE)
        seance.refresh_from_db()
        retenus = classement(seance)[:NB_PRIORITES]
        decider_priorites(
            seance,
            [
                Decision(ligne.besoin, ligne.besoin.titre, "Retenu par la séance partagée puis validé en COPIL.")
                for ligne in retenus
            ],
            le=DATE_SEANCE,
            instance="copil",
            par=coordinateur,
        )


def note(hasard, preference):
    """A 1–5 score leaning up for the domains a collège cares about."""
    return max(1, min(5, round(hasard.gauss(2.8 * preference, 1.0))))
