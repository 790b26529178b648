"""Reports through their pages: asked for, followed, downloaded; previewed; other charters' reports unreachable."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils.html import escape

from rapports.models import Rapport
from tests.conftest import compter_requetes
from tests.factories import CharteFactory, FicheActionFactory

pytestmark = pytest.mark.django_db


def url(nom, charte, *args):
    return reverse(f"rapports:{nom}", args=[charte.slug, *args])


def test_le_referent_demande_un_rapport_produit_en_processus_et_le_telecharge(
    client_de, charte, personnes, django_capture_on_commit_callbacks
):
    client = client_de(personnes["referent"])
    with django_capture_on_commit_callbacks(execute=True):
        reponse = client.post(url("rapports", charte), {"type": "copil"})
    rapport = Rapport.objects.get()
    assert reponse.status_code == 302 and reponse.url == url("rapport", charte, rapport.pk)
    assert (rapport.statut, rapport.demande_par, rapport.tentatives) == ("pret", personnes["referent"], 1)
    assert rapport.nb_pages >= 1 and rapport.mis_en_file_le is not None
    page = client.get(reponse.url).content.decode()
    assert "Télécharger le PDF" in page
    pdf = client.get(url("telecharger", charte, rapport.pk))
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert "rapport-de-comite-de-pilotage" in pdf["Content-Disposition"]


def test_une_fiche_action_demande_sa_fiche(client_de, charte, personnes):
    reponse = client_de(personnes["coordinateur"]).post(url("rapports", charte), {"type": "fiche"})
    assert "Choisissez la fiche action à imprimer." in reponse.content.decode()
    assert not Rapport.objects.exists()


def test_une_fiche_d_une_autre_charte_ne_peut_pas_etre_imprimee(client_de, charte, personnes):
    etrangere = FicheActionFactory(charte=CharteFactory())
    client = client_de(personnes["coordinateur"])
    reponse = client.post(url("rapports", charte), {"type": "fiche", "fiche": etrangere.pk})
    assert reponse.status_code == 200 and not Rapport.objects.exists()
    assert client.get(url("apercu", charte, "fiche") + f"?fiche={etrangere.pk}").status_code == 404
    assert client.get(url("apercu", charte, "fiche") + "?fiche=abc").status_code == 404


@pytest.mark.parametrize("valeur", ["²", "9" * 100_000])
@pytest.mark.parametrize(("type", "nom", "attendu"), [("copil", "seance", 200), ("fiche", "fiche", 404)])
def test_un_id_qui_n_est_pas_un_nombre_n_est_pas_une_erreur_serveur(
    client_de, charte, personnes, type, nom, attendu, valeur
):
    """Found by tests/hostile: "²" passes str.isdigit() and fails int(), as do 100 000 digits."""
    reponse = client_de(personnes["coordinateur"]).get(url("apercu", charte, type), {nom: valeur})
    assert reponse.status_code == attendu


@pytest.mark.parametrize(
    ("etat", "message"),
    [
        ({"statut": "en_attente"}, "La production est retardée"),  # never queued: the broker was unreachable
        ({"statut": "en_cours", "tentatives": 1}, "Mise en page en cours"),
        ({"statut": "echec", "tentatives": 3, "erreur": "TemplateSyntaxError : x"}, "a échoué après 3 tentatives"),
    ],
)
def test_la_page_dit_ou_en_est_le_rapport(client_de, charte, personnes, etat, message):
    rapport = Rapport.objects.create(charte=charte, type="copil", **etat)
    client = client_de(personnes["observateur"])
    assert message in client.get(url("rapport", charte, rapport.pk)).content.decode()
    assert message in client.get(url("etat_rapport", charte, rapport.pk)).content.decode()
    assert client.get(url("telecharger", charte, rapport.pk)).status_code == 404


def test_un_rapport_d_une_autre_charte_repond_404(client_de, charte, personnes):
    autre = Rapport.objects.create(charte=CharteFactory(), type="copil", statut="pret")
    autre.fichier.save("x.pdf", ContentFile(b"%PDF"))
    client = client_de(personnes["coordinateur"])
    for nom in ("rapport", "etat_rapport", "telecharger"):
        assert client.get(url(nom, charte, autre.pk)).status_code == 404


@pytest.mark.parametrize("type", ["copil", "diagnostic", "evaluation"])
def test_apercu_html(client_de, charte, personnes, type):
    page = client_de(personnes["partenaire"]).get(url("apercu", charte, type))
    assert page.status_code == 200 and escape(charte.nom) in page.content.decode()
    assert not Rapport.objects.exists()  # a preview stores nothing


def test_type_inconnu_404(client_de, charte, personnes):
    assert client_de(personnes["partenaire"]).get(url("apercu", charte, "inconnu")).status_code == 404


@pytest.mark.parametrize("page", ["rapports", "rapport"])
def test_requetes_constantes(client_de, page):
    nombres = []
    for n in (1, 50):
        charte = CharteFactory()
        rapports = Rapport.objects.bulk_create(Rapport(charte=charte, type="copil", statut="pret") for _ in range(n))
        client = client_de(charte.membres.get().utilisateur)
        arguments = [rapports[0].pk] if page == "rapport" else []
        nombres.append(compter_requetes(client, url(page, charte, *arguments)))
    assert nombres[0] == nombres[1] <= 15, nombres
