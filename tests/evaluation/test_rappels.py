"""Reminders of overdue measurements: who gets them, what they list, and not twice in a week."""

import datetime

import pytest
from django.core import mail

from evaluation.models import Mesure
from evaluation.rappels import envoyer_rappels
from tests.factories import FicheActionFactory, IndicateurFactory, MembreFactory, OrganisationFactory

pytestmark = pytest.mark.django_db
AUJOURD_HUI = datetime.date(2026, 11, 25)


def test_rappel_aux_membres_de_l_organisation_responsable(charte, personnes):
    caf, ars = OrganisationFactory(nom="CAF"), OrganisationFactory(nom="ARS")
    agent_caf = MembreFactory(charte=charte, partenaire=True, organisation=caf).utilisateur
    agent_ars = MembreFactory(charte=charte, partenaire=True, organisation=ars).utilisateur
    MembreFactory(charte=charte, observateur=True, organisation=caf)  # observers enter nothing
    fiche = FicheActionFactory(charte=charte)
    en_retard = IndicateurFactory(fiche=fiche, responsable=caf, libelle="Familles accueillies")
    Mesure.objects.create(indicateur=en_retard, date=datetime.date(2026, 6, 30), valeur=12)  # next due 30/09
    a_jour = IndicateurFactory(fiche=fiche, responsable=ars)
    Mesure.objects.create(indicateur=a_jour, date=datetime.date(2026, 10, 31), valeur=3)  # next due 31/01/2027
    IndicateurFactory(fiche=fiche, responsable=caf, calcul="repondants")  # computed: never recalled

    assert envoyer_rappels(AUJOURD_HUI) == 1
    (message,) = mail.outbox
    assert message.to == [agent_caf.email] and agent_ars.email not in message.to
    assert "« Familles accueillies » (fiche n° " in message.body and "attendue depuis le 30/09/2026" in message.body
    assert f"/evaluation/indicateurs/{en_retard.pk}/" in message.body

    # The next day, nothing is sent again; a week later, if still missing, it is.
    assert envoyer_rappels(AUJOURD_HUI + datetime.timedelta(days=1)) == 0
    assert envoyer_rappels(AUJOURD_HUI + datetime.timedelta(days=8)) == 1


def test_sans_organisation_responsable_le_coordinateur_est_rappele(charte, personnes):
    IndicateurFactory(fiche=FicheActionFactory(charte=charte), responsable=None, frequence="annuelle")
    assert envoyer_rappels(AUJOURD_HUI) == 1
    assert mail.outbox[0].to == [personnes["coordinateur"].email]


def test_une_mesure_saisie_arrete_les_rappels(charte, personnes):
    indicateur = IndicateurFactory(fiche=FicheActionFactory(charte=charte), responsable=None)
    Mesure.objects.create(indicateur=indicateur, date=datetime.date(2026, 11, 20), valeur=50)
    assert envoyer_rappels(AUJOURD_HUI) == 0 and not mail.outbox
