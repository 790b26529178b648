import datetime

import pytest
from django.urls import reverse

from charte.models import Journal
from diagnostic.models import Besoin, DonneeTerritoriale, Entretien, PreuveQuestion
from tests.conftest import compter_requetes
from tests.diagnostic.conftest import question, repondre_en_masse
from tests.factories import CharteFactory, OrganisationFactory


def donnee(charte, **autres):
    return DonneeTerritoriale.objects.create(
        charte=charte,
        domaine="petite_enfance",
        libelle="Places en crèche",
        valeur=12,
        unite="places",
        date=datetime.date(2024, 12, 31),
        source="CAF",
        organisation=OrganisationFactory(),
        **autres,
    )


def donnees_besoin(**autres):
    return {
        "domaine": "petite_enfance",
        "titre": "Trouver un mode de garde",
        "description": "",
        "preuves-TOTAL_FORMS": 0,
        "preuves-INITIAL_FORMS": 0,
    } | autres


def test_creer_un_besoin_avec_ses_preuves(client_de, enquete):
    charte = enquete.charte
    chiffre = donnee(charte)
    entretien = Entretien.objects.create(
        charte=charte,
        date=datetime.date(2025, 2, 3),
        type="famille",
        personnes="Mère de trois enfants",
        domaines=["petite_enfance"],
        constats="Pas de solution le samedi",
    )
    client = client_de(charte.membres.get().utilisateur)
    reponse = client.post(
        reverse("diagnostic:nouveau_besoin", args=[charte.slug]),
        donnees_besoin(
            **{
                "donnees": [chiffre.pk],
                "entretiens": [entretien.pk],
                "preuves-TOTAL_FORMS": 1,
                "preuves-0-question": question(enquete, "garde").pk,
                "preuves-0-constat": "38 % des parents gardent eux-mêmes leur enfant",
            }
        ),
    )
    assert reponse.status_code == 302
    besoin = Besoin.objects.get()
    assert (besoin.creee_par, list(besoin.donnees.all()), list(besoin.entretiens.all())) == (
        charte.membres.get().utilisateur,
        [chiffre],
        [entretien],
    )
    page = client.get(reverse("diagnostic:besoins", args=[charte.slug])).content.decode()
    assert "Trouver un mode de garde" in page and "38 % des parents" in page and "Places en crèche" in page
    assert "Mère de trois enfants" in page
    assert Journal.objects.filter(charte=charte, action="Besoin « Trouver un mode de garde » créé").exists()


def test_creer_un_besoin_depuis_une_question_reprend_son_chiffre(client_de, enquete):
    repondre_en_masse(enquete, 4)
    client = client_de(enquete.charte.membres.get().utilisateur)
    page = client.get(
        reverse("diagnostic:nouveau_besoin", args=[enquete.charte.slug]), {"question": question(enquete, "garde").pk}
    ).content.decode()
    assert "« Crèche » : 100 % des répondants (4/4)" in page
    assert 'value="petite_enfance" selected' in page or '<option value="petite_enfance" selected>' in page


def test_on_ne_cite_pas_les_preuves_d_une_autre_charte(client_de, enquete):
    autre = CharteFactory()
    client = client_de(enquete.charte.membres.get().utilisateur)
    reponse = client.get(
        reverse("diagnostic:nouveau_besoin", args=[enquete.charte.slug]),
        {"question": _question_d_une_autre_charte(autre).pk},
    )
    assert reponse.status_code == 404
    etranger = donnee(autre)
    donnee(enquete.charte)
    reponse = client.post(
        reverse("diagnostic:nouveau_besoin", args=[enquete.charte.slug]), donnees_besoin(donnees=[etranger.pk])
    )
    assert "Sélectionnez un choix valide" in reponse.content.decode()
    assert not Besoin.objects.exists()


def _question_d_une_autre_charte(charte):
    from diagnostic.services import creer_enquete
    from tests.factories import QUESTIONNAIRE_MINIMAL

    return creer_enquete(charte, QUESTIONNAIRE_MINIMAL, par=None).questions.get()


def test_les_besoins_sont_figes_une_fois_le_diagnostic_valide_puis_rouverts(client_de, enquete):
    charte = enquete.charte
    coordinateur = charte.membres.get().utilisateur
    besoin = Besoin.objects.create(charte=charte, domaine="sante", titre="Accès aux soins")
    client = client_de(coordinateur)
    client.post(reverse("charte:jalon", args=[charte.slug, 1]), {"le": "2025-05-15", "instance": "COPIL"})
    reponse = client.post(
        reverse("diagnostic:modifier_besoin", args=[charte.slug, besoin.pk]),
        donnees_besoin(titre="Changé", version=besoin.version),
        follow=True,
    )
    assert "les besoins sont figés" in reponse.content.decode()
    assert Besoin.objects.get().titre == "Accès aux soins"
    client.post(reverse("diagnostic:supprimer_besoin", args=[charte.slug, besoin.pk]))
    assert Besoin.objects.exists()
    client.post(reverse("charte:annuler_jalon", args=[charte.slug, 1]))
    assert Journal.objects.filter(charte=charte, action__startswith="Validation du jalon").exists()
    client.post(
        reverse("diagnostic:modifier_besoin", args=[charte.slug, besoin.pk]),
        donnees_besoin(titre="Changé", domaine="sante", version=besoin.version),
    )
    assert Besoin.objects.get().titre == "Changé"


def test_deux_personnes_modifient_le_meme_besoin(client_de, enquete):
    charte = enquete.charte
    besoin = Besoin.objects.create(charte=charte, domaine="sante", titre="Accès aux soins")
    client = client_de(charte.membres.get().utilisateur)
    url = reverse("diagnostic:modifier_besoin", args=[charte.slug, besoin.pk])
    client.post(url, donnees_besoin(titre="Premier", domaine="sante", version=1))
    reponse = client.post(url, donnees_besoin(titre="Second", domaine="sante", version=1))
    assert "modifié par quelqu&#x27;un d&#x27;autre" in reponse.content.decode()
    assert Besoin.objects.get().titre == "Premier"


@pytest.mark.parametrize("version", ["", "-1", "7"])
def test_la_version_de_la_page_ne_s_ecrit_pas_dans_un_nouveau_besoin(client_de, enquete, version):
    """Found by tests/hostile: an empty hidden version was written into the new need (server error)."""
    charte = enquete.charte
    client = client_de(charte.membres.get().utilisateur)
    reponse = client.post(reverse("diagnostic:nouveau_besoin", args=[charte.slug]), donnees_besoin(version=version))
    assert reponse.status_code == 302
    assert Besoin.objects.get().version == 1


@pytest.mark.parametrize("question", ["abc", "²", "9" * 100_000])
def test_une_question_qui_n_est_pas_un_nombre_est_ignoree(client_de, enquete, question):
    """Found by tests/hostile: ?question=abc reached the database as an id (server error)."""
    charte = enquete.charte
    client = client_de(charte.membres.get().utilisateur)
    url = reverse("diagnostic:nouveau_besoin", args=[charte.slug])
    assert client.get(url, {"question": question}).status_code == 200


def test_retirer_une_preuve(client_de, enquete):
    charte = enquete.charte
    besoin = Besoin.objects.create(charte=charte, domaine="sante", titre="Accès aux soins")
    preuve = PreuveQuestion.objects.create(besoin=besoin, question=question(enquete, "garde"), constat="x")
    client = client_de(charte.membres.get().utilisateur)
    client.post(
        reverse("diagnostic:modifier_besoin", args=[charte.slug, besoin.pk]),
        donnees_besoin(
            **{
                "domaine": "sante",
                "titre": "Accès aux soins",
                "version": 1,
                "preuves-TOTAL_FORMS": 1,
                "preuves-INITIAL_FORMS": 1,
                "preuves-0-id": preuve.pk,
                "preuves-0-question": preuve.question_id,
                "preuves-0-constat": "x",
                "preuves-0-DELETE": "on",
            }
        ),
    )
    assert not PreuveQuestion.objects.exists()


def test_requetes_constantes_de_la_page_des_besoins(client_de, enquete):
    charte = enquete.charte
    client = client_de(charte.membres.get().utilisateur)
    url = reverse("diagnostic:besoins", args=[charte.slug])

    def ajouter_besoin(i):
        besoin = Besoin.objects.create(charte=charte, domaine="sante", titre=f"Besoin {i}")
        PreuveQuestion.objects.create(besoin=besoin, question=question(enquete, "garde"), constat="x")
        besoin.donnees.add(donnee(charte))

    ajouter_besoin(0)
    un = compter_requetes(client, url)
    for i in range(1, 50):
        ajouter_besoin(i)
    assert compter_requetes(client, url) == un <= 15


def test_une_question_citee_par_un_besoin_ne_se_supprime_pas(client_de, enquete):
    besoin = Besoin.objects.create(charte=enquete.charte, domaine="sante", titre="Accès aux soins")
    PreuveQuestion.objects.create(besoin=besoin, question=question(enquete, "idee"), constat="x")
    client = client_de(enquete.charte.membres.get().utilisateur)
    reponse = client.post(
        reverse("diagnostic:supprimer_question", args=[enquete.charte.slug, question(enquete, "idee").pk]), follow=True
    )
    assert "citée comme preuve d&#x27;un besoin" in reponse.content.decode()
    assert PreuveQuestion.objects.exists()


def test_soumettre_le_diagnostic_puis_le_valider(client_de, personnes, enquete):
    charte = enquete.charte
    client = client_de(personnes["coordinateur"])
    url = reverse("diagnostic:soumettre_diagnostic", args=[charte.slug])
    reponse = client.post(url, follow=True)
    assert "Identifiez au moins un besoin" in reponse.content.decode()
    Besoin.objects.create(charte=charte, domaine="sante", titre="Accès aux soins")
    client.post(url)
    etape = charte.etapes.get(numero=1)
    assert etape.soumise_par == personnes["coordinateur"]
    page = client.get(reverse("rapports:tableau_de_bord", args=[charte.slug])).content.decode()
    assert "Soumis à validation le" in page
    client.post(reverse("charte:jalon", args=[charte.slug, 1]), {"le": "2025-05-15", "instance": "COPIL du 15 mai"})
    client_de(personnes["referent"]).post(reverse("charte:cosigner_jalon", args=[charte.slug, 1]))
    page = client_de(personnes["observateur"]).get(reverse("diagnostic:besoins", args=[charte.slug])).content.decode()
    assert "les besoins sont figés" in page and "COPIL du 15 mai" in page
    assert f"cosigné par {personnes['referent']}" in page
