"""Attainment, due dates and computed indicators, against values worked out by hand."""

import datetime
from decimal import Decimal

import pytest

from diagnostic.models import DonneeTerritoriale
from evaluation.models import Indicateur, Mesure
from evaluation.suivi import etats, indicateurs_suivis, valeurs_calculees
from tests.factories import FicheActionFactory, FinancementFactory, IndicateurFactory, OrganisationFactory

pytestmark = pytest.mark.django_db
AUJOURD_HUI = datetime.date(2026, 11, 25)


@pytest.mark.parametrize(
    ("reference", "cible", "sens", "valeur", "attendu"),
    [
        (10, 30, "hausse", 25, 75),  # (25 - 10) / (30 - 10)
        (10, 30, "hausse", 35, 125),  # beyond the target
        (10, 30, "hausse", 5, -25),  # went the wrong way
        (40, 10, "baisse", 25, 50),  # lower is better: (25 - 40) / (10 - 40)
        (40, 10, "baisse", 45, -17),  # worse than the baseline: (45 - 40) / -30 = -16.7
        (None, 200, "hausse", 50, 25),  # no baseline: value / target
        (None, 10, "baisse", 20, 50),  # no baseline, lower is better: target / value
        (20, 20, "hausse", 21, 100),  # target = baseline: reached or not
        (20, 20, "baisse", 21, 0),
    ],
)
def test_taux_d_atteinte(reference, cible, sens, valeur, attendu):
    indicateur = Indicateur(valeur_reference=reference, cible=cible, sens=sens)
    assert indicateur.taux_atteinte(Decimal(valeur)) == attendu


def test_sans_cible_ou_sans_valeur_pas_de_taux():
    assert Indicateur(cible=None, valeur_reference=1).taux_atteinte(Decimal(3)) is None
    assert Indicateur(cible=5).taux_atteinte(None) is None


def test_echeances_selon_la_frequence(charte):
    trimestriel = IndicateurFactory(fiche=FicheActionFactory(charte=charte), frequence="trimestrielle")
    Mesure.objects.create(indicateur=trimestriel, date=datetime.date(2026, 7, 31), valeur=12)
    IndicateurFactory(fiche=trimestriel.fiche, frequence="annuelle")  # baseline 01/09/2025, none since
    IndicateurFactory(fiche=trimestriel.fiche, frequence="unique", echeance=datetime.date(2027, 1, 1))
    liste = etats(list(indicateurs_suivis(Indicateur.objects.order_by("pk"))), charte, AUJOURD_HUI)
    assert [(e.prochaine, e.en_retard) for e in liste] == [
        (datetime.date(2026, 10, 31), True),  # three months after the last measurement: overdue
        (datetime.date(2026, 9, 1), True),  # a year after the baseline
        (datetime.date(2027, 1, 1), False),
    ]
    assert liste[0].valeur == 12 and liste[0].taux == 12


def test_indicateurs_calcules_depuis_les_donnees_du_projet(charte):
    caf = OrganisationFactory()
    for statut in ("realisee", "en_cours", "en_cours", "abandonnee", "brouillon"):
        fiche = FicheActionFactory(charte=charte, statut=statut)
        FinancementFactory(fiche=fiche, montant=1000, statut="accorde" if statut == "realisee" else "sollicite")
    DonneeTerritoriale.objects.create(
        charte=charte,
        domaine="petite_enfance",
        libelle="Taux de couverture petite enfance",
        valeur=Decimal("48.5"),
        date=datetime.date(2024, 12, 31),
        source="CAF",
        organisation=caf,
    )
    valeurs = valeurs_calculees(charte)
    assert valeurs["fiches_realisees"] == Decimal("25.0")  # 1 of 4 adopted fiches (drafts do not count)
    assert valeurs["financement_acquis"] == Decimal("33.3")  # 1 000 of 3 000 €, plan fiches only
    assert valeurs["couverture_petite_enfance"] == Decimal("48.5")
    assert valeurs["repondants"] == 0
