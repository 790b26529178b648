import pytest
from django.urls import reverse

from charte.models import Charte, Membre
from territoires.services import charger_referentiel
from tests.factories import UtilisateurFactory


@pytest.fixture
def agent(db):
    charger_referentiel({"200066140", "200066116"})
    return UtilisateurFactory(agent_msa=True)


def test_rechercher_puis_creer_la_charte_de_l_aire_a_l_argonne(client, agent):
    client.force_login(agent)
    resultats = client.get(reverse("charte:nouvelle"), {"q": "Aire à l'Argonne"}).content.decode()
    assert "CC de l&#x27;Aire à l&#x27;Argonne" in resultats and "200066140" in resultats
    assert "CC Argonne-Meuse" not in resultats
    reponse = client.post(
        reverse("charte:nouvelle_sur_territoire", args=["200066140"]),
        {"nom": "Charte de l'Aire", "date_debut": "2025-01-06"},
    )
    charte = Charte.objects.get()
    assert reponse.url == reverse("rapports:tableau_de_bord", args=[charte.slug])
    assert charte.communes.count() == 47 and charte.etapes.count() == 4
    assert charte.membres.get().utilisateur == agent and charte.membres.get().role == Membre.Role.COORDINATEUR
    page = client.get(reponse.url).content.decode()
    assert "47 communes" in page and "6\xa0533 habitants" in page


def test_une_recherche_sans_resultat_le_dit(client, agent):
    client.force_login(agent)
    page = client.get(reverse("charte:nouvelle"), {"q": "Introuvable-sur-Meuse"}).content.decode()
    assert "Aucune intercommunalité ne correspond" in page


def test_une_date_manquante_est_signalee(client, agent):
    client.force_login(agent)
    reponse = client.post(reverse("charte:nouvelle_sur_territoire", args=["200066140"]), {"nom": "X", "date_debut": ""})
    assert "Ce champ est obligatoire." in reponse.content.decode()
    assert not Charte.objects.exists()


@pytest.mark.parametrize("date_debut", ["9999-12-31", "0001-01-01"])
def test_une_date_de_lancement_hors_du_siecle_est_refusee(client, agent, date_debut):
    """Found by tests/hostile: the stages of a charter launched in 9999 end after the last date (server error)."""
    client.force_login(agent)
    url = reverse("charte:nouvelle_sur_territoire", args=["200066140"])
    reponse = client.post(url, {"nom": "X", "date_debut": date_debut})
    assert "Choisissez une date de lancement entre 2000 et 2100." in reponse.content.decode()
    assert not Charte.objects.exists()


def test_deux_chartes_sur_le_meme_territoire_ont_des_adresses_distinctes(client, agent):
    client.force_login(agent)
    for _ in range(2):
        client.post(
            reverse("charte:nouvelle_sur_territoire", args=["200066140"]), {"nom": "C", "date_debut": "2025-01-06"}
        )
    assert sorted(Charte.objects.values_list("slug", flat=True)) == [
        "cc-de-laire-a-largonne",
        "cc-de-laire-a-largonne-2",
    ]
