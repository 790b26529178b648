import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from charte.models import Invitation, Membre
from territoires.models import Organisation
from tests.factories import MOT_DE_PASSE, OrganisationFactory, UtilisateurFactory

FORT = "Une-phrase-de-passe-tres-solide-2026"


def inviter(client, charte, **donnees):
    return client.post(reverse("charte:inviter", args=[charte.slug]), donnees)


def lien_du_courriel():
    return re.search(r"http://\S+/comptes/invitation/\S+/", mail.outbox[-1].body).group(0)


def chemin(lien):
    return lien.split("://", 1)[1].split("/", 1)[1].join(["/", ""])


def test_inviter_un_partenaire_envoie_un_lien_a_usage_unique(
    client, client_de, charte, django_capture_on_commit_callbacks
):
    caf = OrganisationFactory(nom="CAF de la Meuse")
    with django_capture_on_commit_callbacks(execute=True):
        reponse = inviter(
            client_de(charte.membres.get().utilisateur),
            charte,
            email="Sophie@CAF55.fr",
            role="partenaire",
            organisation=caf.pk,
        )
    assert reponse.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["sophie@caf55.fr"]
    assert "CAF de la Meuse" in mail.outbox[0].body
    client.logout()
    url = chemin(lien_du_courriel())
    assert "Partenaire" in client.get(url).content.decode()
    reponse = client.post(url, {"first_name": "Sophie", "last_name": "Bernard", "password1": FORT, "password2": FORT})
    assert reponse.status_code == 302 and reponse.url == reverse("rapports:tableau_de_bord", args=[charte.slug])
    membre = Membre.objects.get(charte=charte, utilisateur__email="sophie@caf55.fr")
    assert (membre.role, membre.organisation) == ("partenaire", caf)
    assert client.get(reponse.url).status_code == 200
    client.logout()
    deuxieme = client.get(url)
    assert deuxieme.status_code == 410
    assert "déjà été utilisée" in deuxieme.content.decode()


def test_un_partenaire_sans_organisation_est_refuse(client_de, charte):
    reponse = inviter(client_de(charte.membres.get().utilisateur), charte, email="a@b.fr", role="partenaire")
    assert "Un partenaire doit être rattaché à son organisation." in reponse.content.decode()
    assert not Invitation.objects.exists() and not mail.outbox


def test_on_n_invite_pas_un_membre_deja_present(client_de, personnes, charte):
    reponse = inviter(
        client_de(personnes["coordinateur"]), charte, email=personnes["observateur"].email, role="observateur"
    )
    assert "déjà membre de la charte" in reponse.content.decode()


def test_un_mot_de_passe_faible_est_refuse_et_rien_n_est_cree(client, charte):
    invitation = Invitation.objects.create(charte=charte, email="n@exemple.fr", role="observateur")
    url = reverse("comptes:invitation", args=[invitation.jeton])
    reponse = client.post(url, {"first_name": "N", "last_name": "M", "password1": "court", "password2": "court"})
    assert reponse.status_code == 200
    assert "trop court" in reponse.content.decode()
    assert not get_user_model().objects.filter(email="n@exemple.fr").exists()
    assert Invitation.objects.get().acceptee_le is None


@pytest.mark.parametrize(
    ("etat", "message"),
    [
        ({"expire_le": timezone.now() - datetime.timedelta(minutes=1)}, "a expiré"),
        ({"annulee_le": timezone.now()}, "a été annulée"),
    ],
)
def test_une_invitation_expiree_ou_annulee_ne_sert_plus(client, charte, etat, message):
    invitation = Invitation.objects.create(charte=charte, email="n@exemple.fr", role="observateur", **etat)
    reponse = client.get(reverse("comptes:invitation", args=[invitation.jeton]))
    assert reponse.status_code == 410 and message in reponse.content.decode()


def test_un_jeton_inconnu_repond_404(client, db):
    assert client.get(reverse("comptes:invitation", args=["inconnu"])).status_code == 404


def test_une_personne_qui_a_deja_un_compte_se_connecte_puis_rejoint(client, charte):
    existante = UtilisateurFactory(email="deja@exemple.fr")
    invitation = Invitation.objects.create(charte=charte, email="deja@exemple.fr", role="referent")
    url = reverse("comptes:invitation", args=[invitation.jeton])
    assert "Un compte existe déjà" in client.get(url).content.decode()
    connexion = client.post(reverse("comptes:connexion"), {"username": existante.username, "password": MOT_DE_PASSE})
    assert connexion.status_code == 302
    client.post(url)
    assert Membre.objects.get(charte=charte, utilisateur=existante).role == "referent"


def test_une_nouvelle_invitation_remplace_celle_en_attente(client_de, charte):
    client = client_de(charte.membres.get().utilisateur)
    inviter(client, charte, email="z@exemple.fr", role="observateur")
    inviter(client, charte, email="z@exemple.fr", role="referent")
    assert [i.role for i in Invitation.objects.en_attente()] == ["referent"]


def test_le_coordinateur_annule_une_invitation(client_de, charte):
    invitation = Invitation.objects.create(charte=charte, email="n@exemple.fr", role="observateur")
    client_de(charte.membres.get().utilisateur).post(
        reverse("charte:annuler_invitation", args=[charte.slug, invitation.pk])
    )
    invitation.refresh_from_db()
    assert invitation.annulee_le is not None


def test_inviter_en_creant_l_organisation_absente_de_la_liste(client_de, charte):
    client = client_de(charte.membres.get().utilisateur)
    donnees = {"email": "ms@exemple.fr", "role": "partenaire", "nouvelle_organisation": "Maison de santé de Triaucourt"}
    reponse = inviter(client, charte, **donnees)
    assert "Précisez le type de la nouvelle organisation." in reponse.content.decode()
    assert not Invitation.objects.exists() and not Organisation.objects.exists()
    inviter(client, charte, **donnees, type_organisation="maison_sante")
    invitation = Invitation.objects.get()
    assert (invitation.organisation.nom, invitation.organisation.type) == (
        "Maison de santé de Triaucourt",
        "maison_sante",
    )
    # The same name typed again reuses the organisation.
    inviter(
        client,
        charte,
        **(donnees | {"email": "autre@exemple.fr", "nouvelle_organisation": "maison de santé de triaucourt"}),
    )
    assert Organisation.objects.count() == 1
