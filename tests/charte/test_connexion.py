import pytest
from django.urls import reverse

from tests.factories import MOT_DE_PASSE, UtilisateurFactory


@pytest.mark.parametrize("identifiant", ["claire", "claire@msa.fr", "CLAIRE@MSA.FR"])
def test_connexion_par_identifiant_ou_courriel(client, db, identifiant):
    UtilisateurFactory(username="claire", email="claire@msa.fr")
    reponse = client.post(reverse("comptes:connexion"), {"username": identifiant, "password": MOT_DE_PASSE})
    assert reponse.status_code == 302 and reponse.url == reverse("charte:liste")


def test_un_mauvais_mot_de_passe_est_signale_en_francais(client, db):
    UtilisateurFactory(username="claire")
    reponse = client.post(reverse("comptes:connexion"), {"username": "claire", "password": "faux"})
    assert reponse.status_code == 200
    assert "Identifiant (ou adresse e-mail) ou mot de passe incorrect." in reponse.content.decode()


def test_un_identifiant_de_100_000_caracteres_est_refuse_en_francais(client, db):
    """Found by tests/hostile: the name reached django-axes, which records 255 characters (server error)."""
    reponse = client.post(reverse("comptes:connexion"), {"username": "A" * 100_000, "password": MOT_DE_PASSE})
    assert reponse.status_code == 200
    assert "Assurez-vous que cette valeur comporte au plus 254 caractères" in reponse.content.decode()


def test_deconnexion(client, db):
    client.force_login(UtilisateurFactory())
    assert client.post(reverse("comptes:deconnexion")).status_code == 302
    assert client.get(reverse("charte:liste")).status_code == 302
