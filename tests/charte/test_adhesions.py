"""Memberships kept between requests (charte.adhesions) and the shared list of charters: a change of who may
see what shows on the very next page, never a minute later."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from charte.models import Charte, Membre

pytestmark = pytest.mark.django_db


def tableau(charte):
    return reverse("rapports:tableau_de_bord", args=[charte.slug])


def connecte(utilisateur):
    client = Client()
    client.force_login(utilisateur)
    return client


def test_un_membre_retire_perd_l_acces_a_la_page_suivante(personnes, charte, django_capture_on_commit_callbacks):
    observateur = connecte(personnes["observateur"])
    assert observateur.get(tableau(charte)).status_code == 200  # the membership is now in the cache
    membre = charte.membres.get(role=Membre.Role.OBSERVATEUR)

    with django_capture_on_commit_callbacks(execute=True):
        connecte(personnes["coordinateur"]).post(reverse("charte:retirer_membre", args=[charte.slug, membre.pk]))

    assert observateur.get(tableau(charte)).status_code == 404


def test_un_nouveau_role_vaut_des_la_page_suivante(personnes, charte, django_capture_on_commit_callbacks):
    charte.etapes.get(numero=1).valider_jalon(personnes["coordinateur"], datetime.date.today(), "COPIL")
    observateur = connecte(personnes["observateur"])
    assert "Cosigner" not in observateur.get(tableau(charte)).content.decode()
    membre = charte.membres.get(role=Membre.Role.OBSERVATEUR)

    with django_capture_on_commit_callbacks(execute=True):
        connecte(personnes["coordinateur"]).post(
            reverse("charte:modifier_membre", args=[charte.slug, membre.pk]), {"role": "referent"}
        )

    assert "Cosigner" in observateur.get(tableau(charte)).content.decode()


def test_une_charte_renommee_hors_des_pages_porte_son_nouveau_nom(
    personnes, charte, django_capture_on_commit_callbacks
):
    partenaire = connecte(personnes["partenaire"])
    partenaire.get(tableau(charte))

    with django_capture_on_commit_callbacks(execute=True):
        charte.nom = "Charte du Pays renommé"
        charte.save()  # as the Django admin does

    assert "Charte du Pays renommé" in partenaire.get(tableau(charte)).content.decode()


def jalons_valides(page, charte):
    """The « validated gates » cell of the charter's row in the list of charters."""
    ligne = page.split(escape(charte.nom))[1].split("</tr>")[0]
    return ligne.split("<td>")[3].split("</td>")[0].strip()


def test_la_liste_nationale_montre_un_jalon_valide_par_une_autre_personne(personnes, charte):
    liste = reverse("charte:liste")
    connecte(personnes["national"]).get(liste)  # the table is now in the cache
    autre_national = connecte(personnes["national"])
    assert jalons_valides(autre_national.get(liste).content.decode(), charte) == "0 / 4"

    connecte(personnes["coordinateur"]).post(
        reverse("charte:jalon", args=[charte.slug, 1]),
        {"le": datetime.date.today().isoformat(), "instance": "COPIL du jour"},
    )

    assert jalons_valides(autre_national.get(liste).content.decode(), charte) == "1 / 4"


def test_chacun_voit_ses_chartes_dans_la_liste_partagee(personnes, charte):
    autre = Charte.objects.exclude(pk=charte.pk).get()
    exterieur = connecte(personnes["exterieur"]).get(reverse("charte:liste")).content.decode()
    partenaire = connecte(personnes["partenaire"]).get(reverse("charte:liste")).content.decode()

    assert escape(autre.nom) in exterieur and escape(charte.nom) not in exterieur
    assert escape(charte.nom) in partenaire and escape(autre.nom) not in partenaire


def test_un_compte_desactive_perd_l_acces_a_la_page_suivante(personnes, charte, django_capture_on_commit_callbacks):
    partenaire = connecte(personnes["partenaire"])
    assert partenaire.get(tableau(charte)).status_code == 200  # the account is now in the cache

    with django_capture_on_commit_callbacks(execute=True):
        personnes["partenaire"].is_active = False
        personnes["partenaire"].save()  # as the Django admin does

    reponse = partenaire.get(tableau(charte))
    assert reponse.status_code == 302 and reponse.url.startswith(reverse("comptes:connexion"))


def test_un_mot_de_passe_change_ailleurs_ferme_les_autres_sessions(
    personnes, charte, django_capture_on_commit_callbacks
):
    partenaire = connecte(personnes["partenaire"])
    assert partenaire.get(tableau(charte)).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        personnes["partenaire"].set_password("un nouveau mot de passe bien long")
        personnes["partenaire"].save()

    assert partenaire.get(tableau(charte)).status_code == 302
