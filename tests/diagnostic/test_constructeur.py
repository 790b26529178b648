import pytest
from django.urls import reverse

from diagnostic.models import Enquete, Option, Question
from tests.diagnostic.conftest import option, question, repondre_en_masse
from tests.factories import CharteFactory


def test_le_questionnaire_type_couvre_les_six_domaines(client_de, charte):
    client = client_de(charte.membres.get().utilisateur)
    reponse = client.post(
        reverse("diagnostic:nouvelle_enquete", args=[charte.slug]), {"titre": "Familles 2025", "source": "gabarit"}
    )
    enquete = Enquete.objects.get()
    assert reponse.url == reverse("diagnostic:enquete", args=[charte.slug, enquete.pk])
    assert enquete.statut == Enquete.Statut.BROUILLON and enquete.titre == "Familles 2025"
    domaines = set(enquete.sections.exclude(domaine="").values_list("domaine", flat=True))
    assert domaines == {
        "petite_enfance",
        "parentalite",
        "enfance_jeunesse",
        "sante",
        "animation_sociale",
        "accompagnement",
    }
    assert enquete.questions.filter(condition_option__isnull=False).count() >= 4
    assert set(enquete.questions.values_list("type", flat=True)) == set(Question.Type.values)


def test_dupliquer_le_questionnaire_d_une_autre_charte_accessible(client_de, enquete):
    autre = CharteFactory(par=enquete.charte.membres.get().utilisateur)
    client = client_de(enquete.charte.membres.get().utilisateur)
    client.post(reverse("diagnostic:nouvelle_enquete", args=[autre.slug]), {"titre": "Copie", "source": enquete.pk})
    copie = Enquete.objects.get(charte=autre)
    assert list(copie.questions.values_list("code", flat=True)) == list(
        enquete.questions.values_list("code", flat=True)
    )
    assert copie.questions.get(code="difficulte").condition_option.question.code == "garde"


def test_on_ne_copie_pas_le_questionnaire_d_une_charte_dont_on_n_est_pas_membre(client_de, enquete):
    etranger = CharteFactory()
    client = client_de(etranger.membres.get().utilisateur)
    reponse = client.post(
        reverse("diagnostic:nouvelle_enquete", args=[etranger.slug]), {"titre": "Copie", "source": enquete.pk}
    )
    assert "Sélectionnez un choix valide" in reponse.content.decode()
    assert not Enquete.objects.filter(charte=etranger).exists()


def ajouter(client, enquete, **champs):
    section = enquete.sections.first()
    return client.post(
        reverse("diagnostic:nouvelle_question", args=[enquete.charte.slug, enquete.pk, section.pk]),
        {"type": "choix_unique", "texte": "Question ?", "lignes": "", "echelle": ""} | champs,
    )


def test_ajouter_une_question_a_options_avec_condition(client_de, enquete):
    client = client_de(enquete.charte.membres.get().utilisateur)
    creche = option(enquete, "garde", "Crèche")
    reponse = ajouter(
        client,
        enquete,
        texte="Horaires souhaités ?",
        type="choix_multiple",
        lignes="Tôt le matin\nTard le soir\n",
        libelle_autre="Autre (précisez)",
        condition_option=creche.pk,
        obligatoire="on",
    )
    assert reponse.status_code == 302
    nouvelle = Question.objects.get(texte="Horaires souhaités ?")
    assert [(o.libelle, o.autre) for o in nouvelle.options.all()] == [
        ("Tôt le matin", False),
        ("Tard le soir", False),
        ("Autre (précisez)", True),
    ]
    assert nouvelle.code == "horaires-souhaites" and nouvelle.condition_option == creche and nouvelle.obligatoire


@pytest.mark.parametrize(
    ("champs", "message"),
    [
        ({"type": "choix_unique", "lignes": "Seule"}, "au moins deux options"),
        ({"type": "grille", "lignes": ""}, "au moins une ligne"),
        ({"type": "echelle", "echelle": "un\ndeux"}, "exactement cinq libellés"),
        ({"type": "nombre", "minimum": "10", "maximum": "2"}, "supérieur au minimum"),
        ({"type": "texte_court", "texte": ""}, "Ce champ est obligatoire."),
    ],
)
def test_une_question_mal_definie_est_refusee(client_de, enquete, champs, message):
    client = client_de(enquete.charte.membres.get().utilisateur)
    avant = Question.objects.count()
    reponse = ajouter(client, enquete, **champs)
    assert message in reponse.content.decode()
    assert Question.objects.count() == avant


def test_renommer_une_option_garde_les_reponses_mais_la_retirer_est_refuse(client_de, enquete):
    repondre_en_masse(enquete, 3)
    garde = question(enquete, "garde")
    client = client_de(enquete.charte.membres.get().utilisateur)
    url = reverse("diagnostic:modifier_question", args=[enquete.charte.slug, garde.pk])
    base = {"texte": garde.texte, "type": "choix_unique", "code": "garde", "obligatoire": "on", "echelle": ""}
    client.post(url, base | {"lignes": "Crèche ou micro-crèche\nGrands-parents", "libelle_autre": "Autre"})
    assert option(enquete, "garde", "Crèche ou micro-crèche").valeurs.count() == 3
    reponse = client.post(url, base | {"lignes": "Grands-parents", "libelle_autre": "Autre"})
    assert "ont déjà choisi une option" in reponse.content.decode()
    assert Option.objects.filter(question=garde).count() == 3
    # Moving lines around keeps each option's answers with it.
    client.post(url, base | {"lignes": "Grands-parents\nCrèche ou micro-crèche", "libelle_autre": "Autre"})
    assert option(enquete, "garde", "Crèche ou micro-crèche").valeurs.count() == 3
    assert option(enquete, "garde", "Crèche ou micro-crèche").ordre == 1


def test_une_question_deja_repondue_ne_se_supprime_pas(client_de, enquete):
    repondre_en_masse(enquete, 1)
    client = client_de(enquete.charte.membres.get().utilisateur)
    for code, reste in (("garde", True), ("idee", False)):
        client.post(reverse("diagnostic:supprimer_question", args=[enquete.charte.slug, question(enquete, code).pk]))
        assert Question.objects.filter(enquete=enquete, code=code).exists() is reste


def test_deplacer_une_question(client_de, enquete):
    client = client_de(enquete.charte.membres.get().utilisateur)
    url = reverse("diagnostic:deplacer_question", args=[enquete.charte.slug, question(enquete, "difficulte").pk])
    client.post(url, {"sens": "haut"})
    assert list(enquete.questions.values_list("code", flat=True))[:2] == ["difficulte", "garde"]
    client.post(url, {"sens": "bas"})
    assert list(enquete.questions.values_list("code", flat=True))[:2] == ["garde", "difficulte"]


def test_une_question_d_une_autre_charte_repond_404(client_de, enquete):
    etranger = CharteFactory()
    client = client_de(etranger.membres.get().utilisateur)
    url = reverse("diagnostic:modifier_question", args=[etranger.slug, question(enquete, "garde").pk])
    assert client.get(url).status_code == 404
    assert client.get(reverse("diagnostic:enquete", args=[etranger.slug, enquete.pk])).status_code == 404


def test_publier_puis_clore(client_de, enquete):
    Enquete.objects.filter(pk=enquete.pk).update(statut=Enquete.Statut.BROUILLON)
    client = client_de(enquete.charte.membres.get().utilisateur)
    url = reverse("diagnostic:statut", args=[enquete.charte.slug, enquete.pk])
    client.post(url, {"action": "publier"})
    assert Enquete.objects.get().statut == Enquete.Statut.PUBLIEE
    client.post(url, {"action": "clore"})
    assert Enquete.objects.get().statut == Enquete.Statut.CLOSE
