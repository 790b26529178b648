"""Shared blocks ({% bloc_partage %}): a page body rendered once per charter version, day and reader's rights.

What a reader would notice if the sharing were wrong: someone else's buttons, a form refused for a CSRF token
that is not theirs, a change that does not show.
"""

import datetime

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.test import Client, RequestFactory
from django.urls import reverse

from charte.models import Journal

pytestmark = pytest.mark.django_db


def tableau(charte):
    return reverse("rapports:tableau_de_bord", args=[charte.slug])


def client_connecte(utilisateur):
    client = Client(enforce_csrf_checks=True)
    client.force_login(utilisateur)
    return client


@pytest.fixture
def etape_validee(charte, personnes):
    etape = charte.etapes.get(numero=1)
    etape.valider_jalon(personnes["coordinateur"], datetime.date.today(), "COPIL")
    return etape


def test_chaque_lecteur_voit_les_boutons_de_ses_droits_quel_que_soit_le_premier_lecteur(
    charte, personnes, etape_validee
):
    coordinateur = client_connecte(personnes["coordinateur"]).get(tableau(charte)).content.decode()
    partenaire = client_connecte(personnes["partenaire"]).get(tableau(charte)).content.decode()
    referent = client_connecte(personnes["referent"]).get(tableau(charte)).content.decode()

    assert "Annuler la validation" in coordinateur and "Modifier les dates" in coordinateur
    assert "Annuler la validation" not in partenaire and "Modifier les dates" not in partenaire
    assert "Cosigner" not in partenaire and "Cosigner" in referent
    assert "Dernières décisions" in coordinateur and "Dernières décisions" not in partenaire


def test_un_formulaire_lu_dans_le_cache_porte_le_jeton_csrf_de_son_lecteur(charte, personnes, etape_validee):
    client_connecte(personnes["coordinateur"]).get(tableau(charte))  # the block is now in the cache
    referent = client_connecte(personnes["referent"])
    page = referent.get(tableau(charte)).content.decode()
    jeton = page.split('name="csrfmiddlewaretoken" value="')[2].split('"')[0]  # [1] is the logout form's

    reponse = referent.post(reverse("charte:cosigner_jalon", args=[charte.slug, 1]), {"csrfmiddlewaretoken": jeton})

    assert reponse.status_code == 302
    etape_validee.refresh_from_db()
    assert etape_validee.jalon_cosigne_par == personnes["referent"]


def test_un_changement_fait_dans_les_pages_se_voit_a_la_visite_suivante(charte, personnes, etape_validee):
    coordinateur = client_connecte(personnes["coordinateur"])
    assert "Annuler la validation" in coordinateur.get(tableau(charte)).content.decode()
    jeton = coordinateur.cookies["csrftoken"].value

    coordinateur.post(
        reverse("charte:annuler_jalon", args=[charte.slug, 1]), {"csrfmiddlewaretoken": jeton}, follow=False
    )

    page = coordinateur.get(tableau(charte)).content.decode()
    assert "Annuler la validation" not in page and "Valider le jalon" in page


def test_une_decision_notee_hors_des_pages_se_voit_aussitot(charte, personnes, django_capture_on_commit_callbacks):
    coordinateur = client_connecte(personnes["coordinateur"])
    assert "Invitation acceptée par Camille" not in coordinateur.get(tableau(charte)).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        Journal.noter(charte, None, "Invitation acceptée par Camille")

    assert "Invitation acceptée par Camille" in coordinateur.get(tableau(charte)).content.decode()


def test_le_nom_du_bloc_est_obligatoire_et_entre_guillemets():
    with pytest.raises(TemplateSyntaxError, match="le nom du bloc"):
        Template("{% load partage %}{% bloc_partage nom %}x{% fin_bloc_partage %}")


def test_deux_valeurs_differentes_ne_partagent_pas_le_bloc(charte):
    gabarit = Template('{% load partage %}{% bloc_partage "essai" filtre %}{{ texte }}{% fin_bloc_partage %}')
    requete = RequestFactory().get("/")
    requete.charte = charte

    def rendre(filtre, texte):
        return gabarit.render(Context({"request": requete, "filtre": filtre, "texte": texte}))

    assert rendre("a", "premier") == "premier"
    assert rendre("a", "autre texte") == "premier"  # same charter version, same values: from the cache
    assert rendre("b", "second") == "second"


def test_les_valeurs_calculees_dans_le_bloc_s_accordent_au_pluriel(charte, personnes):
    """The block renders with the computed values, not their lazy proxies (|pluriel calls int())."""
    page = client_connecte(personnes["coordinateur"]).get(tableau(charte)).content.decode()

    assert f"{charte.membres.count()} personnes" in page
