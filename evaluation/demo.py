"""Demo indicators: on every fiche of the demo plan, measured since the autumn of 2025 (some measurements late)."""

import datetime
import random
from decimal import Decimal

from django.db import transaction

from charte.models import ajouter_mois
from evaluation.models import Indicateur, Mesure

Niveau, Frequence, Calcul = Indicateur.Niveau, Indicateur.Frequence, Indicateur.Calcul

FIN_MESURES = datetime.date(2026, 11, 20)

# Per domain: (label, unit, level, baseline, target, lower is better, frequency, source)
PAR_DOMAINE = {
    "petite_enfance": [
        (
            "Familles ayant recours au service",
            "familles",
            Niveau.REALISATION,
            0,
            60,
            False,
            Frequence.TRIMESTRIELLE,
            "Registre du pilote",
        ),
        (
            "Délai moyen pour obtenir une solution de garde",
            "jours",
            Niveau.RESULTAT,
            45,
            20,
            True,
            Frequence.ANNUELLE,
            "Enquête auprès des familles",
        ),
    ],
    "parentalite": [
        (
            "Parents participant aux rencontres",
            "parents",
            Niveau.REALISATION,
            0,
            80,
            False,
            Frequence.TRIMESTRIELLE,
            "Feuilles de présence",
        ),
        (
            "Parents se disant moins isolés",
            "%",
            Niveau.RESULTAT,
            20,
            50,
            False,
            Frequence.ANNUELLE,
            "Questionnaire de fin de cycle",
        ),
    ],
    "sante": [
        (
            "Consultations réalisées dans les communes éloignées",
            "consultations",
            Niveau.REALISATION,
            0,
            150,
            False,
            Frequence.TRIMESTRIELLE,
            "PMI de la Meuse",
        ),
        (
            "Temps de trajet moyen vers une consultation",
            "minutes",
            Niveau.IMPACT,
            40,
            25,
            True,
            Frequence.ANNUELLE,
            "Enquête familles",
        ),
    ],
    "animation_sociale": [
        (
            "Familles présentes aux événements",
            "familles",
            Niveau.REALISATION,
            0,
            200,
            False,
            Frequence.TRIMESTRIELLE,
            "Comptage des organisateurs",
        ),
    ],
    "accompagnement": [
        (
            "Familles accompagnées dans leurs démarches",
            "familles",
            Niveau.REALISATION,
            0,
            120,
            False,
            Frequence.TRIMESTRIELLE,
            "Tableau de bord France services",
        ),
        ("Droits ouverts après accompagnement", "%", Niveau.RESULTAT, 30, 60, False, Frequence.ANNUELLE, "CAF et MSA"),
    ],
    "enfance_jeunesse": [
        (
            "Jeunes inscrits aux activités",
            "jeunes",
            Niveau.REALISATION,
            0,
            90,
            False,
            Frequence.TRIMESTRIELLE,
            "Accueils de loisirs",
        ),
    ],
}

# The charter as a whole: what the application computes from its own data.
DE_LA_CHARTE = [
    ("Familles ayant répondu aux enquêtes", "familles", Calcul.REPONDANTS, None, 400),
    ("Fiches actions réalisées", "%", Calcul.FICHES_REALISEES, 0, 100),
    ("Financement acquis sur financement prévu", "%", Calcul.FINANCEMENT_ACQUIS, 0, 100),
    (
        "Taux de couverture petite enfance",
        "places pour 100 enfants de moins de 3 ans",
        Calcul.COUVERTURE_PETITE_ENFANCE,
        Decimal("48.5"),
        55,
    ),
]


def creer_demo_indicateurs(charte, coordinateur):
    if charte.indicateurs.exists() or not charte.fiches.exists():
        return
    hasard = random.Random(44)
    with transaction.atomic():
        for fiche in charte.fiches.select_related("pilote").order_by("numero"):
            for modele in PAR_DOMAINE.get(fiche.domaine, [])[: 1 + fiche.numero % 2]:
                indicateur = indicateur_de_fiche(charte, fiche, modele)
                mesurer(indicateur, fiche, hasard, coordinateur)
        for libelle, unite, calcul, reference, cible in DE_LA_CHARTE:
            Indicateur.objects.create(
                charte=charte,
                libelle=libelle,
                unite=unite,
                niveau=Niveau.RESULTAT,
                calcul=calcul,
                valeur_reference=reference,
                date_reference=charte.date_debut if reference is not None else None,
                cible=cible,
                echeance=ajouter_mois(charte.date_debut, 44),
                source="Calculé par l'application",
                valide_le=datetime.date(2025, 7, 10),
                valide_par="COPIL du 10 juillet 2025",
            )


def indicateur_de_fiche(charte, fiche, modele):
    libelle, unite, niveau, reference, cible, baisse, frequence, source = modele
    return Indicateur.objects.create(
        charte=charte,
        fiche=fiche,
        libelle=libelle,
        objectif=f"Mesurer l'effet de l'action « {fiche.titre} »",
        niveau=niveau,
        unite=unite,
        sens=Indicateur.Sens.BAISSE if baisse else Indicateur.Sens.HAUSSE,
        valeur_reference=reference,
        date_reference=datetime.date(2025, 9, 1),
        cible=cible,
        echeance=fiche.date_fin or datetime.date(2028, 6, 30),
        source=source,
        methode="Relevé par le pilote de l'action",
        frequence=frequence,
        responsable=fiche.pilote,
        valide_le=datetime.date(2025, 7, 10),
        valide_par="COPIL du 10 juillet 2025",
    )


def mesurer(indicateur, fiche, hasard, par):
    """Values moving towards the target; about one fiche in four has stopped reporting (measurements late)."""
    mois = Indicateur.MOIS_ENTRE_MESURES[indicateur.frequence]
    arret = FIN_MESURES if fiche.numero % 4 else datetime.date(2026, 4, 1)
    date, rang, mesures = ajouter_mois(indicateur.date_reference, mois), 1, []
    ecart = indicateur.cible - indicateur.valeur_reference
    while date <= arret:
        progres = min(1, rang * mois / 30) * hasard.uniform(0.7, 1.2)
        valeur = (indicateur.valeur_reference + ecart * Decimal(str(round(progres, 2)))).quantize(Decimal("1"))
        mesures.append(Mesure(indicateur=indicateur, date=date, valeur=valeur, saisie_par=par))
        date, rang = ajouter_mois(date, mois), rang + 1
    Mesure.objects.bulk_create(mesures)
