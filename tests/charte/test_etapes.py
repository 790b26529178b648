import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from charte.models import Avancement, Etape, Journal, ajouter_mois

J = datetime.date


@pytest.mark.parametrize(
    ("date", "mois", "attendu"),
    [
        (J(2025, 1, 6), 6, J(2025, 7, 6)),
        (J(2025, 1, 31), 1, J(2025, 2, 28)),
        (J(2024, 1, 31), 1, J(2024, 2, 29)),
        (J(2025, 11, 15), 44, J(2029, 7, 15)),
    ],
)
def test_ajouter_mois(date, mois, attendu):
    assert ajouter_mois(date, mois) == attendu


def test_le_calendrier_suit_le_gabarit_de_3_ans_et_8_mois(charte):
    etapes = {e.numero: e for e in charte.etapes.all()}
    assert charte.date_debut == J(2025, 1, 6)
    assert etapes[1].date_debut == J(2025, 1, 6)
    # Diagnostic, priorisation and writing of the plan within the first 6 months.
    assert etapes[3].echeance_jalon == J(2025, 7, 6)
    # 36 months of implementation, then 2 months of evaluation: 44 months in all.
    assert etapes[3].date_fin == etapes[4].date_debut == J(2028, 7, 6)
    assert etapes[4].date_fin == J(2028, 9, 6)


def test_avancement_etape_en_cours_et_retards(charte):
    etapes = list(charte.etapes.all())
    avancement = Avancement.de(etapes, J(2025, 8, 1))
    assert avancement.etape_courante.numero == Etape.Numero.DIAGNOSTIC
    assert [e.numero for e in avancement.retards] == [1, 2, 3]
    for etape in etapes[:3]:
        etape.jalon_valide_le = J(2025, 7, 1)
    avancement = Avancement.de(etapes, J(2025, 8, 1))
    assert avancement.etape_courante.numero == Etape.Numero.PLAN
    assert avancement.retards == [] and avancement.jalons_valides == 3
    assert Avancement.de(etapes, J(2024, 12, 1)).etape_courante is None
    assert Avancement.de(etapes, J(2024, 12, 1)).pourcentage_temps == 0
    assert Avancement.de(etapes, J(2030, 1, 1)).pourcentage_temps == 100


def test_valider_puis_cosigner_un_jalon_est_trace(charte):
    coordinateur = charte.membres.get().utilisateur
    etape = charte.etapes.get(numero=1)
    with pytest.raises(ValidationError):
        etape.cosigner_jalon(par=coordinateur)
    etape.valider_jalon(par=coordinateur, le=J(2025, 5, 15), instance="COPIL du 15 mai")
    assert etape.statut() == "validée"
    with pytest.raises(ValidationError, match="déjà validé"):
        etape.valider_jalon(par=coordinateur, le=J(2025, 5, 15), instance="COPIL")
    assert Journal.objects.filter(charte=charte, action__contains="validé le 15/05/2025").exists()


def test_un_jalon_ne_se_valide_pas_dans_le_futur(client_de, charte):
    client = client_de(charte.membres.get().utilisateur)
    url = reverse("charte:jalon", args=[charte.slug, 1])
    reponse = client.post(url, {"le": "2099-01-01", "instance": "COPIL"})
    assert "ne peut pas être dans le futur" in reponse.content.decode()
    assert not charte.etapes.get(numero=1).jalon_valide


def test_le_referent_cosigne_un_jalon_valide(client_de, personnes, charte):
    client_de(personnes["coordinateur"]).post(
        reverse("charte:jalon", args=[charte.slug, 2]), {"le": "2025-06-12", "instance": "COPIL du 12 juin"}
    )
    client_de(personnes["referent"]).post(reverse("charte:cosigner_jalon", args=[charte.slug, 2]))
    etape = charte.etapes.get(numero=2)
    assert etape.jalon_valide_le == J(2025, 6, 12)
    assert etape.jalon_cosigne_par == personnes["referent"]


def donnees_calendrier(charte, **modifications):
    donnees = {"form-TOTAL_FORMS": 4, "form-INITIAL_FORMS": 4}
    for i, etape in enumerate(charte.etapes.all()):
        donnees |= {
            f"form-{i}-id": etape.pk,
            f"form-{i}-version": etape.version,
            f"form-{i}-date_debut": etape.date_debut.isoformat(),
            f"form-{i}-date_fin": etape.date_fin.isoformat(),
            f"form-{i}-echeance_jalon": etape.echeance_jalon.isoformat(),
        }
    return donnees | modifications


def test_deplacer_une_etape(client_de, charte):
    client = client_de(charte.membres.get().utilisateur)
    reponse = client.post(
        reverse("charte:calendrier", args=[charte.slug]),
        donnees_calendrier(charte, **{"form-0-date_fin": "2025-06-30"}),
    )
    assert reponse.status_code == 302
    assert charte.etapes.get(numero=1).date_fin == J(2025, 6, 30)
    assert Journal.objects.filter(charte=charte, action="Calendrier des étapes modifié").exists()


def test_une_fin_avant_le_debut_est_refusee_en_francais_sans_rien_enregistrer(client_de, charte):
    client = client_de(charte.membres.get().utilisateur)
    donnees = donnees_calendrier(charte, **{"form-0-date_fin": "2024-01-01", "form-1-date_fin": "2025-12-31"})
    reponse = client.post(reverse("charte:calendrier", args=[charte.slug]), donnees)
    assert reponse.status_code == 200
    assert "La fin de l&#x27;étape doit suivre son début." in reponse.content.decode()
    assert charte.etapes.get(numero=2).date_fin == J(2025, 6, 6)


def test_deux_personnes_modifient_le_calendrier_la_seconde_est_prevenue(client_de, charte):
    client = client_de(charte.membres.get().utilisateur)
    formulaire_ouvert = donnees_calendrier(charte, **{"form-0-date_fin": "2025-06-30"})
    # Meanwhile someone else saves the calendar.
    client.post(
        reverse("charte:calendrier", args=[charte.slug]),
        donnees_calendrier(charte, **{"form-0-date_fin": "2025-05-31"}),
    )
    reponse = client.post(reverse("charte:calendrier", args=[charte.slug]), formulaire_ouvert, follow=True)
    assert "modifiée par quelqu&#x27;un d&#x27;autre" in reponse.content.decode()
    assert charte.etapes.get(numero=1).date_fin == J(2025, 5, 31)


@pytest.mark.parametrize(
    ("modification", "message"),
    [
        ({"form-1-id": ""}, "La page envoyée était incomplète : rechargez-la"),
        ({"form-2-version": "abc"}, "La page envoyée était incomplète : rechargez-la"),
        ({"form-3-version": "99999999999999999999"}, "La page envoyée était incomplète : rechargez-la"),
        ({"form-TOTAL_FORMS": "5"}, "Veuillez soumettre au plus 4 formulaires."),
        ({"form-TOTAL_FORMS": "99999999999999999999"}, "Veuillez soumettre au plus 4 formulaires."),
    ],
)
def test_une_page_du_calendrier_tronquee_ou_alteree_est_refusee_en_francais(client_de, charte, modification, message):
    """Found by tests/hostile: a row without its stage id or extra rows made the page crash."""
    client = client_de(charte.membres.get().utilisateur)
    donnees = donnees_calendrier(charte, **{"form-0-date_fin": "2025-06-30"}) | modification
    reponse = client.post(reverse("charte:calendrier", args=[charte.slug]), donnees)
    assert reponse.status_code == 200
    assert message in reponse.content.decode().replace("&#x27;", "'")
    assert charte.etapes.get(numero=1).date_fin == J(2025, 5, 6)
