"""The permission matrix: every page of a charter, every role, GET and POST."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from charte.models import Invitation, Membre
from diagnostic.models import Besoin
from diagnostic.services import creer_enquete
from tests import (
    permissions_evaluation,
    permissions_fichiers,
    permissions_plan,
    permissions_priorisation,
    permissions_rapports,
    permissions_territoire,
)
from tests.factories import QUESTIONNAIRE_MINIMAL, CharteFactory, MembreFactory
from tests.permissions import ATTENDU, POST_SEULEMENT, TOUS

PERSONNES = sorted(TOUS) + ["exterieur", "anonyme"]


def pages_de_charte(resolver=None, espace="", dans_une_charte=False):
    """Names of every URL pattern that takes a charte_slug, read from the URLconf itself."""
    resolver = resolver or get_resolver()
    for motif in resolver.url_patterns:
        avec_slug = dans_une_charte or "charte_slug" in motif.pattern.regex.groupindex
        if isinstance(motif, URLResolver):
            yield from pages_de_charte(motif, f"{espace}{motif.namespace}:" if motif.namespace else espace, avec_slug)
        elif isinstance(motif, URLPattern) and avec_slug:
            yield f"{espace}{motif.name}"


def test_chaque_page_de_charte_est_dans_la_table():
    assert set(pages_de_charte()) == set(ATTENDU)


def url_de(page, charte):
    """The page's URL on `charte`, with the objects its other arguments name."""
    arguments = {"charte_slug": charte.slug}
    for module in (
        permissions_fichiers,
        permissions_territoire,
        permissions_priorisation,
        permissions_plan,
        permissions_rapports,
        permissions_evaluation,
    ):
        if page in module.ATTENDU:
            return reverse(page, kwargs=arguments | module.arguments(page, charte))
    if page.startswith("diagnostic:"):
        return url_du_diagnostic(page, charte)
    if page.endswith("_jalon") or page == "charte:jalon":
        arguments["numero"] = 1
    if page.endswith("membre"):
        arguments["pk"] = charte.membres.get(role=Membre.Role.OBSERVATEUR).pk
    if page == "charte:annuler_invitation":
        arguments["pk"] = Invitation.objects.create(charte=charte, email="x@exemple.fr", role="observateur").pk
    return reverse(page, kwargs=arguments)


QUESTION_ADRESSEE_PAR_ID = {
    "diagnostic:modifier_question",
    "diagnostic:supprimer_question",
    "diagnostic:deplacer_question",
    "diagnostic:publier_resultat",
}


BESOIN_ADRESSE_PAR_ID = {"diagnostic:modifier_besoin", "diagnostic:supprimer_besoin"}
SANS_ARGUMENT = {
    "diagnostic:enquetes",
    "diagnostic:nouvelle_enquete",
    "diagnostic:besoins",
    "diagnostic:nouveau_besoin",
    "diagnostic:soumettre_diagnostic",
}


def url_du_diagnostic(page, charte):
    enquete = creer_enquete(charte, QUESTIONNAIRE_MINIMAL, par=None)
    question = enquete.questions.get()
    arguments = {"charte_slug": charte.slug}
    if page in QUESTION_ADRESSEE_PAR_ID:
        arguments["pk"] = question.pk
    elif page not in SANS_ARGUMENT and page not in BESOIN_ADRESSE_PAR_ID:
        arguments["pk"] = enquete.pk
    if page in BESOIN_ADRESSE_PAR_ID:
        arguments["pk"] = Besoin.objects.create(charte=charte, domaine="sante", titre="Accès aux soins").pk
    if page == "diagnostic:nouvelle_question":
        arguments["section_pk"] = question.section_id
    return reverse(page, kwargs=arguments)


def preparer(charte, page):
    """Put the charter in a state where the page's action makes sense (a gate to co-sign...)."""
    if page == "charte:cosigner_jalon":
        etape = charte.etapes.get(numero=1)
        etape.jalon_valide_le, etape.jalon_instance = etape.date_debut, "COPIL"
        etape.save()


@pytest.mark.parametrize("methode", ["GET", "POST"])
@pytest.mark.parametrize("page", sorted(ATTENDU))
@pytest.mark.parametrize("qui", PERSONNES)
def test_matrice(client, personnes, charte, page, methode, qui):
    preparer(charte, page)
    url = url_de(page, charte)
    if qui != "anonyme":
        client.force_login(personnes[qui])
    reponse = client.get(url) if methode == "GET" else client.post(url, {})
    reponse.close()  # a downloaded file is streamed: close it
    autorises = ATTENDU[page][methode]
    if qui == "anonyme":
        assert reponse.status_code == 302 and reponse.url.startswith(reverse("comptes:connexion"))
    elif qui == "exterieur":
        assert reponse.status_code == 404
    elif autorises is POST_SEULEMENT:
        assert reponse.status_code == 405
    elif qui in autorises:
        assert reponse.status_code in (200, 302), reponse.status_code
    else:
        assert reponse.status_code == 403


@pytest.mark.parametrize("page", ["charte:modifier_membre", "charte:retirer_membre"])
def test_un_membre_d_une_autre_charte_adresse_par_son_id_repond_404(client, charte, page):
    autre = MembreFactory(charte=CharteFactory(), observateur=True)
    client.force_login(charte.membres.get().utilisateur)
    url = reverse(page, kwargs={"charte_slug": charte.slug, "pk": autre.pk})
    reponse = client.post(url, {"role": "coordinateur"})
    assert reponse.status_code == 404
    autre.refresh_from_db()
    assert autre.role == Membre.Role.OBSERVATEUR


def test_une_invitation_d_une_autre_charte_ne_peut_pas_etre_annulee(client, charte):
    autre = Invitation.objects.create(charte=CharteFactory(), email="y@exemple.fr", role="observateur")
    client.force_login(charte.membres.get().utilisateur)
    reponse = client.post(reverse("charte:annuler_invitation", args=[charte.slug, autre.pk]))
    assert reponse.status_code == 404
    autre.refresh_from_db()
    assert autre.annulee_le is None


def test_une_charte_inexistante_repond_404(client, charte):
    client.force_login(charte.membres.get().utilisateur)
    assert client.get("/chartes/nexiste-pas/").status_code == 404


@pytest.mark.parametrize(
    ("qui", "attendu"), [("coordinateur", 200), ("referent", 403), ("partenaire", 403), ("national", 403)]
)
def test_seuls_les_agents_msa_creent_des_chartes(client, personnes, qui, attendu):
    client.force_login(personnes[qui])
    assert client.get(reverse("charte:nouvelle")).status_code == attendu
    assert client.get(reverse("charte:nouvelle_sur_territoire", args=["200066140"])).status_code in (attendu, 404)


def test_la_liste_des_chartes_demande_une_connexion(client):
    reponse = client.get(reverse("charte:liste"))
    assert reponse.status_code == 302 and reponse.url.startswith(reverse("comptes:connexion"))
