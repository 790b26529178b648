"""Indicators through their pages: defined with the fiche, measured by the responsible organisation only."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from charte.models import Membre
from evaluation.models import Indicateur, Mesure
from tests.conftest import compter_requetes
from tests.factories import CharteFactory, FicheActionFactory, IndicateurFactory, OrganisationFactory, PrioriteFactory

pytestmark = pytest.mark.django_db


def url(nom, charte, *args):
    return reverse(f"evaluation:{nom}", args=[charte.slug, *args])


@pytest.fixture
def organisation_du_partenaire(charte, personnes):
    return Membre.objects.get(charte=charte, utilisateur=personnes["partenaire"]).organisation


def test_seule_l_organisation_responsable_saisit_les_mesures(client_de, charte, personnes, organisation_du_partenaire):
    sien = IndicateurFactory(
        fiche=FicheActionFactory(charte=charte), responsable=organisation_du_partenaire, unite="familles"
    )
    autre = IndicateurFactory(fiche=sien.fiche, responsable=OrganisationFactory(nom="ARS"))
    partenaire = client_de(personnes["partenaire"])
    donnees = {"date": "2026-10-01", "valeur": "12,5", "commentaire": "Premier trimestre"}
    assert partenaire.post(url("mesurer", charte, sien.pk), donnees).status_code == 302
    mesure = sien.mesures.get()
    assert (mesure.valeur, mesure.saisie_par) == (Decimal("12.5"), personnes["partenaire"])
    assert partenaire.post(url("mesurer", charte, autre.pk), donnees).status_code == 403
    for qui in ("coordinateur", "referent", "observateur"):
        assert client_de(personnes[qui]).post(url("mesurer", charte, sien.pk), donnees).status_code == 403
    page = client_de(personnes["observateur"]).get(url("indicateur", charte, sien.pk)).content.decode()
    assert "12,5" in page and "Saisir une mesure" not in page and "<svg" in page


@pytest.mark.parametrize(
    ("donnees", "message"),
    [
        ({"date": "2099-01-01", "valeur": "3"}, "pas de date future"),
        ({"date": "2026-10-01", "valeur": ""}, "Ce champ est obligatoire."),
        ({"date": "2026-10-01", "valeur": "beaucoup"}, "Saisissez un nombre."),
        ({"date": "2026-09-01", "valeur": "4"}, "Une mesure existe déjà à cette date"),
    ],
)
def test_une_mesure_invalide_est_refusee_en_francais(client_de, charte, personnes, donnees, message):
    indicateur = IndicateurFactory(fiche=FicheActionFactory(charte=charte), responsable=None)
    Mesure.objects.create(indicateur=indicateur, date=datetime.date(2026, 9, 1), valeur=1)
    reponse = client_de(personnes["coordinateur"]).post(url("mesurer", charte, indicateur.pk), donnees)
    assert reponse.status_code == 200 and message in reponse.content.decode()
    assert indicateur.mesures.count() == 1


def test_le_pilote_definit_les_indicateurs_de_sa_fiche(client_de, charte, personnes, organisation_du_partenaire):
    fiche = FicheActionFactory(charte=charte, pilote=organisation_du_partenaire)
    client = client_de(personnes["partenaire"])
    page = client.get(url("nouvel_indicateur", charte) + f"?fiche={fiche.pk}")
    assert page.context["form"].initial["responsable"] == organisation_du_partenaire.pk
    donnees = {
        "libelle": "Familles accueillies au relais",
        "niveau": "resultat",
        "nature": "quantitatif",
        "sens": "hausse",
        "valeur_reference": "0",
        "date_reference": "2025-09-01",
        "cible": "40",
        "frequence": "trimestrielle",
        "responsable": organisation_du_partenaire.pk,
    }
    assert client.post(url("nouvel_indicateur", charte) + f"?fiche={fiche.pk}", donnees).status_code == 302
    assert Indicateur.objects.get().fiche == fiche
    autre = FicheActionFactory(charte=charte)  # piloted by another organisation
    assert client.get(url("nouvel_indicateur", charte) + f"?fiche={autre.pk}").status_code == 403
    sans_date = donnees | {"date_reference": ""}
    page = client.post(url("nouvel_indicateur", charte) + f"?fiche={fiche.pk}", sans_date).content.decode()
    assert "Datez la valeur de référence" in page


def test_un_indicateur_d_une_autre_charte_repond_404(client_de, charte, personnes):
    etranger = IndicateurFactory(fiche=FicheActionFactory(charte=CharteFactory()), responsable=None)
    client = client_de(personnes["coordinateur"])
    for nom in ("indicateur", "modifier_indicateur", "mesurer"):
        assert client.get(url(nom, charte, etranger.pk)).status_code == 404
    assert client.get(url("indicateurs", charte) + f"?fiche={etranger.fiche.pk}").status_code == 404


@pytest.mark.parametrize(("cible", "valeur"), [("0.5", "0.2"), ("-1", None), ("1", "1")])
def test_un_indicateur_aux_valeurs_petites_ou_negatives_s_affiche(client_de, charte, personnes, cible, valeur):
    """Found by tests/hostile: a scale whose top stayed the integer 1 could not be drawn (server error)."""
    indicateur = IndicateurFactory(fiche=FicheActionFactory(charte=charte), valeur_reference=None, cible=cible)
    if valeur is not None:
        Mesure.objects.create(indicateur=indicateur, date=datetime.date(2026, 1, 1), valeur=valeur)
    reponse = client_de(personnes["observateur"]).get(url("indicateur", charte, indicateur.pk))
    assert reponse.status_code == 200
    assert "<svg" in reponse.content.decode()


@pytest.mark.parametrize("fiche", ["²", "9" * 100_000])
@pytest.mark.parametrize("nom", ["indicateurs", "nouvel_indicateur"])
def test_un_id_qui_n_est_pas_un_nombre_est_ignore(client_de, charte, personnes, nom, fiche):
    """Found by tests/hostile: "²" passes str.isdigit() and fails int(), as do 100 000 digits (server error)."""
    assert client_de(personnes["coordinateur"]).get(url(nom, charte), {"fiche": fiche}).status_code == 200


def remplir(charte, n):
    priorite = PrioriteFactory(charte=charte)
    fiches = [FicheActionFactory(charte=charte, priorites=[priorite]) for _ in range((n + 9) // 10)]
    for i in range(n):
        fiche = fiches[i // 10]
        indicateur = IndicateurFactory(fiche=fiche, calcul="fiches_realisees" if i == 0 else "")
        Mesure.objects.bulk_create(
            Mesure(indicateur=indicateur, date=datetime.date(2025, 10 + m, 1), valeur=m) for m in range(3)
        )


@pytest.mark.parametrize("groupe", ["priorite", "domaine"])
def test_requetes_de_la_liste_a_1_et_100_indicateurs(client_de, groupe):
    nombres = []
    for n in (1, 100):
        charte = CharteFactory()
        remplir(charte, n)
        client = client_de(charte.membres.get().utilisateur)
        nombres.append(compter_requetes(client, url("indicateurs", charte) + f"?groupe={groupe}"))
    assert nombres[0] == nombres[1] <= 15, nombres


def test_requetes_d_un_indicateur_a_1_et_100_mesures(client_de):
    nombres = []
    for n in (1, 100):
        charte = CharteFactory()
        indicateur = IndicateurFactory(fiche=FicheActionFactory(charte=charte), responsable=None)
        Mesure.objects.bulk_create(
            Mesure(indicateur=indicateur, date=datetime.date(2020, 1, 1) + datetime.timedelta(days=7 * m), valeur=m)
            for m in range(n)
        )
        client = client_de(charte.membres.get().utilisateur)
        nombres.append(compter_requetes(client, url("indicateur", charte, indicateur.pk)))
    assert nombres[0] == nombres[1] <= 15, nombres


def test_le_tableau_de_bord_signale_les_mesures_attendues(client_de, charte, personnes):
    indicateur = IndicateurFactory(fiche=FicheActionFactory(charte=charte), responsable=None, libelle="Familles vues")
    Mesure.objects.create(indicateur=indicateur, date=datetime.date(2026, 1, 15), valeur=50)  # next due 15/04/2026
    page = client_de(personnes["observateur"]).get(reverse("rapports:tableau_de_bord", args=[charte.slug]))
    contenu = page.content.decode()
    assert "1 mesure attendue" in contenu and "depuis le 15/04/2026" in contenu and "Familles vues" in contenu
    assert "atteinte moyenne des cibles : <strong>50 %</strong>" in contenu


def test_tableau_de_bord_requetes_a_1_et_100_indicateurs(client_de):
    nombres = []
    for n in (1, 100):
        charte = CharteFactory()
        remplir(charte, n)
        client = client_de(charte.membres.get().utilisateur)
        nombres.append(compter_requetes(client, reverse("rapports:tableau_de_bord", args=[charte.slug])))
    assert nombres[0] == nombres[1] <= 15, nombres
