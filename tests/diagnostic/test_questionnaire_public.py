import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from diagnostic.models import Enquete, Reponse, Valeur
from diagnostic.services import enregistrer_reponse
from territoires.models import Famille
from tests.diagnostic.conftest import option, profil, question, repondre_en_masse
from tests.factories import CommuneFactory


def url(enquete):
    return reverse("questionnaire_public", args=[enquete.jeton])


def reponses_valides(enquete, **autres):
    garde = question(enquete, "garde")
    return profil(enquete) | {f"q{garde.pk}": option(enquete, "garde", "Crèche").pk} | autres


def test_le_questionnaire_s_ouvre_sans_compte_et_annonce_l_anonymat(client, enquete):
    page = client.get(url(enquete)).content.decode()
    assert "Vos réponses sont anonymes" in page and "Qui garde votre enfant ?" in page
    assert "nom" not in [champ.lower() for champ in ("commune", "nombre_adultes")]


def test_une_reponse_complete_est_enregistree_avec_le_profil_du_foyer(client, enquete):
    q = {
        code: question(enquete, code)
        for code in ("garde", "difficulte", "satisfaction", "distance", "services", "idee")
    }
    grille = list(q["services"].options.all())
    donnees = reponses_valides(enquete) | {
        f"q{q['difficulte'].pk}": [
            option(enquete, "difficulte", "Horaires").pk,
            option(enquete, "difficulte", "Coût").pk,
        ],
        f"q{q['satisfaction'].pk}": "4",
        f"q{q['distance'].pk}": "12,5",
        f"q{q['services'].pk}_{grille[0].pk}": "5",
        f"q{q['services'].pk}_{grille[1].pk}": "2",
        f"q{q['idee'].pk}": "  Une crèche à Triaucourt  ",
    }
    reponse = client.post(url(enquete), donnees)
    assert reponse.status_code == 302 and reponse.url == reverse("questionnaire_merci", args=[enquete.jeton])
    stockee = Reponse.objects.get()
    assert stockee.canal == Reponse.Canal.EN_LIGNE
    assert (stockee.famille.nombre_enfants, stockee.famille.ages_enfants, stockee.famille.affiliation_msa) == (
        1,
        [2],
        "oui",
    )
    valeurs = {
        (v.question.code, v.option.libelle if v.option else None, v.nombre, v.texte) for v in Valeur.objects.all()
    }
    assert valeurs == {
        ("garde", "Crèche", None, ""),
        ("difficulte", "Horaires", None, ""),
        ("difficulte", "Coût", None, ""),
        ("satisfaction", None, 4, ""),
        ("distance", None, 12.5, ""),
        ("services", "Crèche", 5, ""),
        ("services", "PMI", 2, ""),
        ("idee", None, None, "Une crèche à Triaucourt"),
    }


def test_un_double_envoi_n_enregistre_qu_une_reponse(client, enquete):
    donnees = reponses_valides(enquete)
    client.post(url(enquete), donnees)
    deuxieme = client.post(url(enquete), donnees)
    assert deuxieme.status_code == 302
    assert Reponse.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_un_double_envoi_hors_transaction_n_enregistre_qu_une_reponse(client, enquete):
    # As under gunicorn: no transaction around the request, the answer is written by one statement on its own.
    donnees = reponses_valides(enquete, jeton="meme-jeton")
    assert client.post(url(enquete), donnees).status_code == 302
    assert client.post(url(enquete), donnees).status_code == 302
    assert Reponse.objects.filter(jeton_soumission="meme-jeton").count() == 1
    assert Valeur.objects.filter(reponse__jeton_soumission="meme-jeton").count() == 1
    assert Famille.objects.filter(reponse__isnull=True).count() == 0  # no household left without its answer


def test_une_reponse_sans_aucune_valeur_garde_le_profil(enquete):
    commune = enquete.charte.communes.first()
    reponse, nouvelle = enregistrer_reponse(
        enquete, profil={"commune": commune}, valeurs=[], canal=Reponse.Canal.PAPIER, jeton="sans-valeur"
    )
    stockee = Reponse.objects.select_related("famille").get(pk=reponse.pk)
    assert nouvelle and stockee.famille.commune == commune and not stockee.valeurs.exists()
    assert (stockee.famille.nombre_adultes, stockee.famille.ages_enfants, stockee.famille.affiliation_msa) == (
        2,
        [],
        "nsp",
    )  # the model's defaults, as if saved by the ORM


def test_une_commune_ajoutee_au_territoire_est_proposee_aussitot(client, enquete):
    client.get(url(enquete))  # the form is now kept in memory
    nouvelle = CommuneFactory(nom="Amblaincourt", territoire=enquete.charte.territoire)
    assert "Amblaincourt" not in client.get(url(enquete)).content.decode()
    enquete.charte.communes.add(nouvelle)
    assert "Amblaincourt" in client.get(url(enquete)).content.decode()
    assert client.post(url(enquete), reponses_valides(enquete, commune=nouvelle.pk)).status_code == 302
    assert Reponse.objects.get().famille.commune == nouvelle
    nouvelle.chartes.remove(enquete.charte)  # from the commune's side too
    refusee = client.post(url(enquete), reponses_valides(enquete, commune=nouvelle.pk))
    assert refusee.status_code == 200 and "Sélectionnez un choix valide" in refusee.content.decode()
    assert Reponse.objects.count() == 1


def test_une_question_obligatoire_manquante_est_signalee_et_rien_n_est_enregistre(client, enquete):
    reponse = client.post(url(enquete), profil(enquete))
    assert reponse.status_code == 200
    page = reponse.content.decode()
    assert "Cette question est obligatoire." in page and "Rien n'a été perdu" in page
    assert not Reponse.objects.exists()


def test_les_reponses_d_une_question_cachee_ne_sont_pas_gardees(client, enquete):
    difficulte = question(enquete, "difficulte")
    donnees = reponses_valides(
        enquete,
        **{
            f"q{question(enquete, 'garde').pk}": option(enquete, "garde", "Grands-parents").pk,
            f"q{difficulte.pk}": [option(enquete, "difficulte", "Coût").pk],
        },
    )
    client.post(url(enquete), donnees)
    assert not Valeur.objects.filter(question=difficulte).exists()


def test_l_option_autre_demande_une_precision_et_la_garde_avec_l_option(client, enquete):
    garde = question(enquete, "garde")
    autre = option(enquete, "garde", "Autre")
    sans_precision = client.post(url(enquete), reponses_valides(enquete, **{f"q{garde.pk}": autre.pk}))
    assert "Précisez votre réponse « Autre »." in sans_precision.content.decode()
    client.post(url(enquete), reponses_valides(enquete, **{f"q{garde.pk}": autre.pk, f"q{garde.pk}_autre": "Voisine"}))
    assert Valeur.objects.get(question=garde).texte == "Voisine"
    assert Valeur.objects.get(question=garde).option == autre


@pytest.mark.parametrize(
    ("champ", "valeur", "message"),
    [
        ("garde", "999999", "Sélectionnez un choix valide"),
        ("distance", "-3", "supérieure ou égale à 0"),
        ("distance", "beaucoup", "Saisissez un nombre."),
        ("idee", "x" * 6000, "au plus 5000 caractères"),
        ("satisfaction", "9", "Sélectionnez un choix valide"),
    ],
)
def test_une_saisie_invalide_recoit_une_erreur_claire(client, enquete, champ, valeur, message):
    reponse = client.post(url(enquete), reponses_valides(enquete, **{f"q{question(enquete, champ).pk}": valeur}))
    assert reponse.status_code == 200
    assert message in reponse.content.decode()
    assert not Reponse.objects.exists()


@pytest.mark.parametrize(
    ("autres", "message"),
    [
        ({"nombre_enfants": "2", "ages_enfants": "3"}, "chacun des 2 enfants"),
        ({"ages_enfants": "deux"}, "Écrivez les âges en chiffres"),
        ({"commune": "999999"}, "Sélectionnez un choix valide"),
        ({"nombre_adultes": "2", "monoparentale": "oui"}, "un seul adulte"),
    ],
)
def test_un_profil_de_foyer_incoherent_est_signale(client, enquete, autres, message):
    reponse = client.post(url(enquete), reponses_valides(enquete, **autres))
    assert message in reponse.content.decode()
    assert not Reponse.objects.exists()


def test_le_html_saisi_est_garde_tel_quel_et_affiche_echappe(client, client_de, enquete):
    idee = question(enquete, "idee")
    client.post(url(enquete), reponses_valides(enquete, **{f"q{idee.pk}": "<script>alert(1)</script>"}))
    assert Valeur.objects.get(question=idee).texte == "<script>alert(1)</script>"
    page = (
        client_de(enquete.charte.membres.get().utilisateur)
        .get(reverse("diagnostic:resultats", args=[enquete.charte.slug, enquete.pk]))
        .content.decode()
    )
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page


@pytest.mark.parametrize(
    ("modifications", "message"),
    [
        ({"statut": Enquete.Statut.BROUILLON}, "pas encore publié"),
        ({"statut": Enquete.Statut.CLOSE}, "est clos"),
        ({"ouverture": timezone.localdate() + datetime.timedelta(days=3)}, "ouvrira le"),
        ({"fermeture": timezone.localdate() - datetime.timedelta(days=1)}, "a fermé le"),
    ],
)
def test_un_questionnaire_ferme_le_dit_et_refuse_les_reponses(client, enquete, modifications, message):
    Enquete.objects.filter(pk=enquete.pk).update(**modifications)
    assert message in client.get(url(enquete)).content.decode()
    client.post(url(enquete), reponses_valides(enquete))
    assert not Reponse.objects.exists()


def test_un_lien_inconnu_repond_404(client, db):
    assert client.get("/e/inconnu/").status_code == 404


def test_la_saisie_papier_enregistre_le_canal_et_la_personne(client_de, personnes, enquete):
    client = client_de(personnes["partenaire"])
    reponse = client.post(
        reverse("diagnostic:saisie", args=[enquete.charte.slug, enquete.pk]), reponses_valides(enquete)
    )
    assert reponse.status_code == 302
    stockee = Reponse.objects.get()
    assert (stockee.canal, stockee.saisie_par) == (Reponse.Canal.PAPIER, personnes["partenaire"])


def test_une_condition_placee_apres_sa_question_est_respectee(client, enquete):
    """Moving the conditional question above its condition must not lose the family's answer."""
    difficulte, garde = question(enquete, "difficulte"), question(enquete, "garde")
    difficulte.ordre, garde.ordre = 0, 1
    difficulte.save()
    garde.save()
    donnees = reponses_valides(enquete, **{f"q{difficulte.pk}": [option(enquete, "difficulte", "Coût").pk]})
    client.post(url(enquete), donnees)
    assert Valeur.objects.filter(question=difficulte).count() == 1


def test_le_formulaire_public_suit_les_changements_de_structure(client, client_de, enquete):
    client.get(url(enquete))  # the structure is now cached
    coordinateur = client_de(enquete.charte.membres.get().utilisateur)
    garde = question(enquete, "garde")
    coordinateur.post(
        reverse("diagnostic:modifier_question", args=[enquete.charte.slug, garde.pk]),
        {
            "texte": "Qui garde le plus souvent votre enfant ?",
            "type": "choix_unique",
            "code": "garde",
            "obligatoire": "on",
            "lignes": "Crèche\nGrands-parents\nVoisins",
            "libelle_autre": "Autre",
            "echelle": "",
        },
    )
    coordinateur.logout()
    page = client.get(url(enquete)).content.decode()
    assert "Qui garde le plus souvent votre enfant ?" in page and "Voisins" in page


def test_au_dela_de_la_limite_par_minute_la_famille_garde_ses_reponses(client, enquete, settings):
    settings.LIMITE_QUESTIONNAIRES_PAR_MINUTE = 2
    for _ in range(2):
        assert client.post(url(enquete), reponses_valides(enquete)).status_code == 302
    trop = client.post(url(enquete), reponses_valides(enquete, **{f"q{question(enquete, 'idee').pk}": "Un relais"}))
    page = trop.content.decode()
    assert trop.status_code == 429 and "Patientez une minute, puis renvoyez le vôtre" in page
    assert "Un relais</textarea>" in page  # nothing the family typed is lost
    assert Reponse.objects.count() == 2
    # Another network is not held back.
    autre = client.post(url(enquete), reponses_valides(enquete), REMOTE_ADDR="192.0.2.7")
    assert autre.status_code == 302 and Reponse.objects.count() == 3


def requetes_du_formulaire(client, enquete):
    """Queries of the public form, shown then sent, once its fields are built (the families' usual case)."""
    client.get(url(enquete))
    donnees = reponses_valides(enquete)
    with CaptureQueriesContext(connection) as affichage:
        assert client.get(url(enquete)).status_code == 200
    with CaptureQueriesContext(connection) as envoi:
        assert client.post(url(enquete), donnees).status_code == 302
    return len(affichage), len(envoi)


@pytest.mark.django_db(transaction=True)  # as in production: no test transaction, hence no savepoint around the insert
def test_le_formulaire_public_fait_autant_de_requetes_quelle_que_soit_la_taille(client, enquete, settings):
    settings.LIMITE_QUESTIONNAIRES_PAR_MINUTE = 0
    petit = requetes_du_formulaire(client, enquete)
    repondre_en_masse(enquete, 200)
    for numero in range(40):
        enquete.charte.communes.add(CommuneFactory(nom=f"Commune {numero}", territoire=enquete.charte.territoire))
    # Shown: the survey with its territory; sent: the survey, one INSERT (the form is kept in memory).
    assert requetes_du_formulaire(client, enquete) == petit == (1, 2)


def jeton_affiche(page):
    return re.search(r'name="jeton" value="([^"]+)"', page.content.decode()).group(1)


def test_chaque_visite_a_son_propre_jeton_malgre_le_formulaire_garde_en_memoire(client, enquete):
    premiere, seconde = client.get(url(enquete)), client.get(url(enquete))
    assert jeton_affiche(premiere) != jeton_affiche(seconde)
    assert "Qui garde votre enfant ?" in seconde.content.decode()  # the fields, rendered once, are there
    for page in (premiere, seconde):
        assert client.post(url(enquete), reponses_valides(enquete, jeton=jeton_affiche(page))).status_code == 302
    assert Reponse.objects.count() == 2  # two families, two answers
