"""The plan's traceable changes: numbering, review workflow, history, optimistic locking, baselines."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from charte.services import ConflitDeVersion
from plan_actions import services
from plan_actions.instantanes import comparer_plans, instantane_du_plan
from plan_actions.models import FicheAction, Financement, LigneBudget
from tests.factories import FicheActionFactory, FinancementFactory, LigneBudgetFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def test_totaux_et_couverture_calcules_a_la_main():
    fiche = FicheActionFactory()
    LigneBudgetFactory(fiche=fiche, annee=2025, montant_prevu=Decimal("1200.50"), montant_realise=Decimal("1000"))
    LigneBudgetFactory(fiche=fiche, annee=2026, montant_prevu=Decimal("800.00"), nature="investissement")
    FinancementFactory(fiche=fiche, annee=2025, montant=Decimal("600"), statut="accorde")
    FinancementFactory(fiche=fiche, annee=2025, montant=Decimal("400"), statut="verse")
    FinancementFactory(fiche=fiche, annee=2026, montant=Decimal("500"), statut="sollicite")
    annotee = FicheAction.objects.avec_totaux().get(pk=fiche.pk)
    assert annotee.budget_prevu == Decimal("2000.50")
    assert annotee.budget_realise == Decimal("1000.00")
    assert annotee.finance == Decimal("1500.00")
    assert annotee.finance_acquis == Decimal("1000.00")
    assert annotee.couverture == 75  # 1 500 / 2 000,50
    assert annotee.couverture_acquise == 50
    assert annotee.reste_a_financer == Decimal("500.50")


def test_une_fiche_sans_budget_n_a_pas_de_taux_de_couverture():
    annotee = FicheAction.objects.avec_totaux().get(pk=FicheActionFactory().pk)
    assert annotee.budget_prevu == 0 and annotee.couverture is None


def test_circuit_de_validation_et_historique(personnes, charte):
    fiche = FicheActionFactory(charte=charte)
    referent = personnes["referent"]
    with pytest.raises(ValidationError):
        services.valider_fiche(fiche, referent)  # a brouillon is not reviewed yet
    services.proposer_fiche(fiche, personnes["partenaire"])
    services.renvoyer_fiche(fiche, referent, "Préciser le public visé")
    fiche.refresh_from_db()
    assert fiche.statut == FicheAction.Statut.BROUILLON
    assert fiche.commentaires.get().texte == "Fiche renvoyée pour compléments : Préciser le public visé"
    services.proposer_fiche(fiche, personnes["partenaire"])
    services.valider_fiche(fiche, referent)
    fiche.refresh_from_db()
    assert fiche.statut == FicheAction.Statut.VALIDEE
    assert fiche.validee_par == referent and fiche.validee_le is not None
    statuts = [(h.ancienne_valeur, h.nouvelle_valeur) for h in fiche.historique.filter(champ="Statut").order_by("id")]
    assert statuts == [
        ("Brouillon", "Proposée"),
        ("Proposée", "Brouillon"),
        ("Brouillon", "Proposée"),
        ("Proposée", "Validée"),
    ]


def test_une_fiche_sans_priorite_ne_peut_pas_etre_proposee(charte):
    fiche = FicheActionFactory(charte=charte, priorites=[])
    with pytest.raises(ValidationError, match="priorité"):
        services.proposer_fiche(fiche, None)


def test_modification_historisee_budget_et_financement(charte):
    fiche = FicheActionFactory(charte=charte)
    caf = OrganisationFactory(nom="CAF de la Meuse")

    def ecrire():
        FicheAction.objects.filter(pk=fiche.pk).update(date_fin=datetime.date(2028, 6, 30))
        LigneBudget.objects.create(fiche=fiche, annee=2026, libelle="Animatrice", montant_prevu=Decimal("12000"))
        Financement.objects.create(fiche=fiche, financeur=caf, annee=2026, montant=Decimal("6000"), statut="accorde")

    changements = services.modifier_fiche(fiche, None, fiche.version, ecrire)
    lus = {c.champ: (c.avant, c.apres) for c in changements}
    assert lus["Fin"] == ("31/12/2027", "30/06/2028")
    assert lus["Financement CAF de la Meuse 2026"] == ("—", "6\xa0000,00 € (accordé)")
    assert lus["Budget total prévu"] == ("0,00 €", "12\xa0000,00 €")
    assert fiche.historique.count() == len(changements)


def test_le_meme_texte_renvoye_avec_des_fins_de_ligne_crlf_n_est_pas_un_changement(charte):
    fiche = FicheActionFactory(charte=charte, objectifs_operationnels="Ouvrir 12 places\nRecruter 2 assistantes")

    def ecrire():
        FicheAction.objects.filter(pk=fiche.pk).update(
            objectifs_operationnels="Ouvrir 12 places\r\nRecruter 2 assistantes"
        )

    assert services.modifier_fiche(fiche, None, fiche.version, ecrire) == []
    assert not fiche.historique.exists()


def test_deux_enregistrements_de_la_meme_version_le_second_est_refuse(charte):
    fiche = FicheActionFactory(charte=charte)
    version = fiche.version
    services.modifier_fiche(fiche, None, version, lambda: None)
    with pytest.raises(ConflitDeVersion):
        services.modifier_fiche(fiche, None, version, lambda: None)


def test_comparaison_avec_une_version_de_reference(charte):
    gardee, retiree = FicheActionFactory(charte=charte), FicheActionFactory(charte=charte)
    version = services.figer_version(charte, None, "Plan signé")
    FicheAction.objects.filter(pk=gardee.pk).update(statut="en_cours")
    retiree.delete()
    nouvelle = FicheActionFactory(charte=charte)
    fiches = comparer_plans(version.contenu, instantane_du_plan(charte))
    etats = {f.numero: f.etat for f in fiches}
    assert etats == {gardee.numero: "modifiée", retiree.numero: "retirée", nouvelle.numero: "nouvelle"}
    (modifiee,) = [f for f in fiches if f.etat == "modifiée"]
    assert [(c.champ, c.avant, c.apres) for c in modifiee.changements] == [("Statut", "Brouillon", "En cours")]


def test_signature_du_plan_valide_le_jalon_et_fige_une_version(charte, personnes):
    fiche = FicheActionFactory(charte=charte)
    with pytest.raises(ValidationError, match="Aucune fiche"):
        services.signer_plan(charte, None, le=datetime.date(2025, 7, 1), instance="COPIL")
    FicheAction.objects.filter(pk=fiche.pk).update(statut="validee")
    version = services.signer_plan(charte, personnes["coordinateur"], le=datetime.date(2025, 7, 1), instance="COPIL")
    assert charte.etapes.get(numero=3).jalon_valide_le == datetime.date(2025, 7, 1)
    assert version.contenu[str(fiche.pk)]["valeurs"]["Statut"] == "Validée"


def test_les_etapes_cles_d_une_action_terminee_ne_sont_plus_en_retard(charte):
    from plan_actions.models import Jalon

    aujourd_hui = datetime.date(2026, 11, 25)
    fiche = FicheActionFactory(charte=charte, statut="en_cours")
    jalon = Jalon.objects.create(fiche=fiche, libelle="Recrutement", date_prevue=datetime.date(2026, 1, 1))
    assert jalon.en_retard(aujourd_hui) and FicheAction.objects.avec_retards(aujourd_hui).get().jalons_en_retard == 1
    for statut in ("realisee", "abandonnee"):
        FicheAction.objects.filter(pk=fiche.pk).update(statut=statut)
        jalon = Jalon.objects.select_related("fiche").get()
        assert not jalon.en_retard(aujourd_hui)
        assert FicheAction.objects.avec_retards(aujourd_hui).get().jalons_en_retard == 0
