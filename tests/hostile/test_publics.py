"""The forms outside a charter, fed with hostile values: those open without an account (the families'
survey, the guests' vote, the invitation, the login, the password reset) and the creation of a charter
by an MSA agent. Same checks as the charter forms."""

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from charte.models import Invitation, Membre
from diagnostic.models import Enquete
from diagnostic.services import creer_enquete, lire_gabarit
from tests.hostile.envoi import client_de, envoyer
from tests.hostile.formulaires import Saisie, formulaire_vers, harceler
from tests.permissions_priorisation import seance_ouverte


def saisie_publique(client, url, charges=None):
    """The form of a public page, as served to whoever opens the link (after its own redirects)."""
    reponse, page = envoyer(client, "GET", url, hostile=False)
    if reponse.status_code == 302:
        url = reponse["Location"]
        reponse, page = envoyer(client, "GET", url, hostile=False)
    formulaire = formulaire_vers(page, url)
    assert formulaire, f"{url} : pas de formulaire"
    saisie = Saisie(client, url, url, formulaire)
    saisie.apprendre(charges=charges)
    return saisie


def questionnaire(charte):
    enquete = creer_enquete(charte, lire_gabarit(), par=None)
    Enquete.objects.filter(pk=enquete.pk).update(statut=Enquete.Statut.PUBLIEE)
    return reverse("questionnaire_public", args=[enquete.jeton])


def invitation(charte):
    invitation = Invitation.objects.create(charte=charte, email="nouvelle@exemple.fr", role="observateur")
    return reverse("comptes:invitation", args=[invitation.jeton])


def nouveau_mot_de_passe(charte):
    utilisateur = charte.membres.get(role=Membre.Role.COORDINATEUR).utilisateur
    uid = urlsafe_base64_encode(force_bytes(utilisateur.pk))
    return reverse("comptes:nouveau_mot_de_passe", args=[uid, default_token_generator.make_token(utilisateur)])


PAGES_PUBLIQUES = {
    "questionnaire aux familles": questionnaire,
    "vote des invités": lambda charte: reverse("voter_invite", args=[seance_ouverte(charte).code]),
    "invitation": invitation,
    "connexion": lambda charte: reverse("comptes:connexion"),
    "mot de passe oublié": lambda charte: reverse("comptes:reinitialisation"),
    "nouveau mot de passe": nouveau_mot_de_passe,
}
PAGES_D_AGENT = {
    "nouvelle charte": lambda charte: reverse("charte:nouvelle_sur_territoire", args=[charte.territoire.siren])
}


@pytest.mark.parametrize("page", sorted(PAGES_PUBLIQUES | PAGES_D_AGENT))
def test_formulaire_hors_charte_hostile(page, charte, personnes, settings):
    # The survey's limit per address would answer 429 to every submission after the 60th.
    settings.LIMITE_QUESTIONNAIRES_PAR_MINUTE = 0
    client = client_de(personnes["coordinateur"] if page in PAGES_D_AGENT else None)  # an MSA agent
    harceler(saisie_publique(client, (PAGES_PUBLIQUES | PAGES_D_AGENT)[page](charte)))
