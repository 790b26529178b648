"""The pages outside a charter, read from the URLconf, fed with hostile values: those open without an
account (the families' survey, the guests' vote, the invitation, the login and its second step, the
password reset) and those of a signed-in person (a new charter, the account's security). Same checks
as the charter forms."""

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from charte.models import Invitation, Membre
from diagnostic.models import Enquete
from diagnostic.services import creer_enquete, lire_gabarit
from tests.hostile.envoi import client_de, envoyer
from tests.hostile.formulaires import Saisie, formulaire_vers, harceler, motifs, sans_formulaire
from tests.permissions_priorisation import seance_ouverte


def enquete_publiee(charte):
    enquete = creer_enquete(charte, lire_gabarit(), par=None)
    Enquete.objects.filter(pk=enquete.pk).update(statut=Enquete.Statut.PUBLIEE)
    return enquete


def invitation(charte):
    invitation = Invitation.objects.create(charte=charte, email="nouvelle@exemple.fr", role="observateur")
    return reverse("comptes:invitation", args=[invitation.jeton])


def nouveau_mot_de_passe(charte):
    utilisateur = charte.membres.get(role=Membre.Role.COORDINATEUR).utilisateur
    uid = urlsafe_base64_encode(force_bytes(utilisateur.pk))
    return reverse("comptes:nouveau_mot_de_passe", args=[uid, default_token_generator.make_token(utilisateur)])


# Pages outside a charter whose address names an object: how to make one (the others take no argument).
ADRESSES = {
    "questionnaire_public": lambda charte: reverse("questionnaire_public", args=[enquete_publiee(charte).jeton]),
    "questionnaire_merci": lambda charte: reverse("questionnaire_merci", args=[enquete_publiee(charte).jeton]),
    "voter_invite": lambda charte: reverse("voter_invite", args=[seance_ouverte(charte).code]),
    "comptes:invitation": invitation,
    "comptes:nouveau_mot_de_passe": nouveau_mot_de_passe,
    "charte:nouvelle_sur_territoire": lambda charte: reverse(
        "charte:nouvelle_sur_territoire", args=[charte.territoire.siren]
    ),
}
PAGES_HORS_CHARTE = sorted(
    nom for nom, convertisseurs in motifs() if "charte_slug" not in convertisseurs and not nom.endswith("None")
)


def adresse_hors_charte(page, charte):
    return ADRESSES[page](charte) if page in ADRESSES else reverse(page)


def client_hors_charte(url, personnes):
    """Nobody signed in, unless the page asks for it: then the coordinator, an MSA agent."""
    reponse, _ = envoyer(client_de(), "GET", url, hostile=False)
    connexion = reponse.status_code == 302 and reponse["Location"].startswith(reverse("comptes:connexion"))
    return client_de(personnes["coordinateur"] if connexion else None)


def saisie_publique(client, url, charges=None):
    """The form that posts to the page, as served to whoever opens the link (after its own redirect, as
    the password reset link does); a page without a form is sent fields nobody asked for."""
    reponse, page = envoyer(client, "GET", url, hostile=False)
    if reponse.status_code == 302 and not reponse["Location"].startswith(reverse("comptes:connexion")):
        url = reponse["Location"]
        reponse, page = envoyer(client, "GET", url, hostile=False)
    formulaire = formulaire_vers(page, url) if page else None
    if formulaire is None:
        return sans_formulaire(client, url)
    saisie = Saisie(client, url, url, formulaire)
    saisie.apprendre(charges=charges)
    return saisie


def test_chaque_page_hors_charte_a_son_adresse():
    """A new page outside a charter whose address names an object says here how to build one."""
    sans_argument = {nom for nom, convertisseurs in motifs() if not convertisseurs}
    assert set(PAGES_HORS_CHARTE) - sans_argument <= set(ADRESSES)


@pytest.mark.parametrize("page", PAGES_HORS_CHARTE)
def test_formulaire_hors_charte_hostile(page, charte, personnes, settings):
    # The survey's limit per address would answer 429 to every submission after the 60th.
    settings.LIMITE_QUESTIONNAIRES_PAR_MINUTE = 0
    url = adresse_hors_charte(page, charte)
    harceler(saisie_publique(client_hors_charte(url, personnes), url))
