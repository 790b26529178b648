"""The first user journey, in a real browser: an MSA agent creates a charter on its EPCI and invites a
partner, who creates an account from the e-mailed link; outsiders and partners are kept out of what is
not theirs; the dashboard holds on a phone. Plus the forgotten-password journey.

Each step leaves a full-page screenshot in captures/ (01-connexion.png, 02-mes-chartes.png…).
The phone check (step 5) is its own test, so that its known bug does not hide the rest of the journey.
"""

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from charte.models import Charte, Invitation, Membre
from charte.services import creer_charte
from territoires.models import Territoire
from territoires.services import charger_referentiel
from tests.factories import MOT_DE_PASSE, CharteFactory, OrganisationFactory, UtilisateurFactory

pytestmark = pytest.mark.navigateur

SIREN = "200066140"
EPCI = "CC de l'Aire à l'Argonne"
ETAPES = ["Diagnostic territorial", "Priorisation", "Plan d'actions partagé", "Évaluation"]
COURRIEL_PARTENAIRE = "camille.durand@caf-meuse.fr"
MOT_DE_PASSE_FAIBLE = "azerty"
MOT_DE_PASSE_SOLIDE = "Brouillard-sur-Varennes-1791"


def texte(locator):
    """The text a person reads, with every kind of space (no-break, narrow no-break…) made plain."""
    return " ".join(locator.inner_text().split())


def se_connecter(page, identifiant, mot_de_passe=MOT_DE_PASSE):
    page.goto("/comptes/connexion/")
    page.locator("#id_username").fill(identifiant)
    page.locator("#id_password").fill(mot_de_passe)
    page.get_by_role("button", name="Se connecter").click()


def lien_du_courriel(message, chemin):
    liens = re.findall(r"https?://\S+", message.body)
    assert len(liens) == 1, message.body
    assert chemin in liens[0], liens[0]
    return liens[0]


def onglet(page, nom):
    """A tab of the charter's header (Tableau de bord, Territoire, Membres, Calendrier, Journal)."""
    return page.locator(".nav-tabs").get_by_role("link", name=nom, exact=True)


@pytest.fixture
def referentiel(transactional_db):
    charger_referentiel({SIREN})


def test_parcours_socle_de_l_agent_msa_au_partenaire(
    personne, capturer, live_server, settings, mailoutbox, referentiel
):
    settings.SITE_URL = live_server.url
    agent = UtilisateurFactory(agent_msa=True, first_name="Claire", last_name="Lemoine")
    caf = OrganisationFactory(nom="CAF de la Meuse")
    exterieur = CharteFactory().membres.get().utilisateur
    lancement = timezone.localdate() - datetime.timedelta(days=365)

    # 1. The agent logs in, finds the EPCI and creates the charter.
    page = personne("agent")
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/comptes/connexion/\?next=/$"))
    expect(page.get_by_role("heading", name="Connexion")).to_be_visible()
    page.locator("#id_username").fill(agent.username)
    page.locator("#id_password").fill(MOT_DE_PASSE)
    capturer(page, "01-connexion")
    page.get_by_role("button", name="Se connecter").click()

    expect(page).to_have_url(f"{live_server.url}/chartes/")
    expect(page.get_by_role("heading", name="Mes chartes")).to_be_visible()
    expect(page.get_by_text("Vous ne participez encore à aucune charte.")).to_be_visible()
    expect(page.get_by_role("navigation", name="Navigation principale")).to_contain_text("Claire Lemoine")
    capturer(page, "02-mes-chartes")

    page.get_by_role("link", name="Nouvelle charte").click()
    expect(page).to_have_url(f"{live_server.url}/chartes/nouvelle/")
    page.get_by_label("Intercommunalité (nom ou SIREN)").fill("Aire à l'Argonne")
    page.get_by_role("button", name="Rechercher").click()
    resultat = page.get_by_role("link").filter(has_text=EPCI)
    expect(resultat).to_have_count(1)
    expect(resultat).to_contain_text(f"SIREN {SIREN}")
    expect(resultat).to_contain_text("Communauté de communes")
    capturer(page, "03-recherche")

    resultat.click()
    expect(page).to_have_url(f"{live_server.url}/chartes/nouvelle/{SIREN}/")
    assert f"{EPCI} (SIREN {SIREN}) : 47 communes" in texte(page.locator("main"))
    page.get_by_label("Date de lancement").fill(lancement.isoformat())
    capturer(page, "04-nouvelle-charte")
    page.get_by_role("button", name="Créer la charte").click()

    expect(page).to_have_url(re.compile(rf"^{re.escape(live_server.url)}/chartes/[\w-]+/$"))
    charte = Charte.objects.get(territoire__siren=SIREN)
    tableau_de_bord = f"{live_server.url}/chartes/{charte.slug}/"
    expect(page).to_have_url(tableau_de_bord)
    expect(page.locator(".alert-success")).to_contain_text(f"La charte « {charte.nom} » est créée avec 47 communes.")
    expect(page.get_by_role("heading", level=1)).to_have_text(charte.nom)
    carte_territoire = page.locator(".carte-chiffre").filter(has_text="Territoire")
    expect(carte_territoire).to_contain_text("47 communes")
    assert "6 533 habitants" in texte(carte_territoire)
    # Launched a year ago, nothing validated yet: still at the diagnostic, with three gates overdue.
    expect(page.locator(".carte-chiffre").filter(has_text="Étape en cours")).to_contain_text("Diagnostic territorial")
    retards = page.get_by_role("alert").filter(has_text="En retard")
    expect(retards.get_by_role("listitem")).to_have_count(3)
    expect(retards).to_contain_text("Jalon « Diagnostic validé par le COPIL » attendu le")
    gantt = page.locator("svg.gantt")
    expect(gantt).to_be_visible()
    for etape in ETAPES:
        expect(gantt.locator("text").filter(has_text=etape)).to_be_visible()
    expect(gantt.locator("text").filter(has_text="Aujourd'hui")).to_be_visible()
    capturer(page, "05-tableau-de-bord")
    assert charte.date_debut == lancement
    assert charte.communes.count() == 47
    assert Membre.objects.get(charte=charte).utilisateur == agent
    assert Membre.objects.get(charte=charte).role == Membre.Role.COORDINATEUR

    # 2. The agent invites a partner: refused without an organisation, sent with one.
    onglet(page, "Membres").click()
    expect(page).to_have_url(f"{tableau_de_bord}membres/")
    expect(page.get_by_role("row").filter(has_text="Claire Lemoine")).to_contain_text("Coordinateur (MSA)")
    expect(page.get_by_text("Aucune invitation en attente.")).to_be_visible()
    capturer(page, "06-membres")

    page.get_by_role("link", name="Inviter une personne").click()
    expect(page).to_have_url(f"{tableau_de_bord}membres/inviter/")
    page.get_by_label("Adresse e-mail").fill(COURRIEL_PARTENAIRE)
    page.get_by_label("Rôle").select_option(label="Partenaire")
    page.get_by_role("button", name="Envoyer l'invitation").click()
    expect(page.get_by_text("Un partenaire doit être rattaché à son organisation.")).to_be_visible()
    expect(page).to_have_url(f"{tableau_de_bord}membres/inviter/")
    expect(page.get_by_label("Adresse e-mail")).to_have_value(COURRIEL_PARTENAIRE)
    capturer(page, "07-invitation-sans-organisation")
    assert not Invitation.objects.exists()
    assert mailoutbox == []

    page.get_by_label("Organisation", exact=True).select_option(label="CAF de la Meuse")
    page.get_by_role("button", name="Envoyer l'invitation").click()
    expect(page).to_have_url(f"{tableau_de_bord}membres/")
    expect(page.locator(".alert-success")).to_contain_text(f"Invitation envoyée à {COURRIEL_PARTENAIRE}.")
    expect(page.get_by_role("heading", name="Invitations en attente")).to_be_visible()
    en_attente = page.get_by_role("row").filter(has_text=COURRIEL_PARTENAIRE)
    expect(en_attente).to_contain_text("Partenaire")
    expect(en_attente).to_contain_text("CAF de la Meuse")
    expect(en_attente).to_contain_text("Claire Lemoine")
    capturer(page, "08-invitation-en-attente")

    assert len(mailoutbox) == 1
    courriel = mailoutbox[0]
    assert courriel.to == [COURRIEL_PARTENAIRE]
    assert charte.nom in courriel.subject
    assert "en tant que Partenaire pour CAF de la Meuse" in courriel.body
    lien = lien_du_courriel(courriel, "/comptes/invitation/")
    assert lien.startswith(f"{live_server.url}/comptes/invitation/")

    # 3. The partner opens the link, is refused a weak password, creates the account, joins.
    partenaire = personne("partenaire")
    partenaire.goto(lien)
    expect(partenaire.get_by_role("heading", name="Rejoindre la charte")).to_be_visible()
    carte = partenaire.locator(".card")
    expect(carte).to_contain_text(charte.nom)
    expect(carte).to_contain_text("Vous êtes invité(e) comme Partenaire pour CAF de la Meuse.")
    expect(carte).to_contain_text(COURRIEL_PARTENAIRE)
    capturer(partenaire, "09-invitation-recue")

    partenaire.get_by_label("Prénom").fill("Camille")
    partenaire.locator("#id_last_name").fill("Durand")
    partenaire.locator("#id_password1").fill(MOT_DE_PASSE_FAIBLE)
    partenaire.locator("#id_password2").fill(MOT_DE_PASSE_FAIBLE)
    partenaire.get_by_role("button", name="Créer mon compte et rejoindre la charte").click()
    expect(partenaire.locator("#id_password1")).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(partenaire.locator(".invalid-feedback").first).to_contain_text("trop court")
    expect(partenaire).to_have_url(lien)
    expect(partenaire.get_by_label("Prénom")).to_have_value("Camille")
    capturer(partenaire, "10-mot-de-passe-faible")
    assert not get_user_model().objects.filter(email=COURRIEL_PARTENAIRE).exists()
    assert Membre.objects.filter(charte=charte).count() == 1
    assert Invitation.objects.get().acceptee_le is None

    partenaire.locator("#id_password1").fill(MOT_DE_PASSE_SOLIDE)
    partenaire.locator("#id_password2").fill(MOT_DE_PASSE_SOLIDE)
    partenaire.get_by_role("button", name="Créer mon compte et rejoindre la charte").click()
    expect(partenaire).to_have_url(tableau_de_bord)
    expect(partenaire.locator(".alert-success")).to_contain_text(f"Bienvenue dans la charte « {charte.nom} ».")
    expect(partenaire.get_by_role("navigation", name="Navigation principale")).to_contain_text("Camille Durand")
    expect(partenaire.locator(".carte-chiffre").filter(has_text="Membres")).to_contain_text("2 personnes")
    # A partner reads the charter but neither manages it nor reads its log.
    expect(onglet(partenaire, "Membres")).to_be_visible()
    expect(onglet(partenaire, "Calendrier")).to_have_count(0)
    expect(onglet(partenaire, "Journal")).to_have_count(0)
    expect(partenaire.get_by_role("link", name="Modifier les dates")).to_have_count(0)
    capturer(partenaire, "11-partenaire-tableau-de-bord")
    membre = Membre.objects.get(charte=charte, utilisateur__email=COURRIEL_PARTENAIRE)
    assert membre.role == Membre.Role.PARTENAIRE
    assert membre.organisation == caf
    assert (membre.utilisateur.first_name, membre.utilisateur.last_name) == ("Camille", "Durand")
    assert membre.utilisateur.check_password(MOT_DE_PASSE_SOLIDE)

    reponse = partenaire.goto(lien)
    assert reponse.status == 410
    expect(partenaire.get_by_role("heading", name="Invitation non valable")).to_be_visible()
    expect(partenaire.get_by_text("Cette invitation a déjà été utilisée.")).to_be_visible()
    capturer(partenaire, "12-invitation-deja-utilisee")

    # Later, from another browser, the partner logs in with the e-mail address as identifier.
    retour = personne("partenaire-retour")
    se_connecter(retour, COURRIEL_PARTENAIRE, MOT_DE_PASSE_SOLIDE)
    expect(retour).to_have_url(f"{live_server.url}/chartes/")
    expect(retour.get_by_role("link", name=charte.nom)).to_be_visible()
    expect(retour.get_by_role("link", name="Nouvelle charte")).to_have_count(0)

    # 4. Someone from another charter learns nothing of this one; a partner cannot manage it.
    intrus = personne("exterieur")
    se_connecter(intrus, exterieur.username)
    expect(intrus.get_by_role("heading", name="Mes chartes")).to_be_visible()
    expect(intrus.locator("main")).not_to_contain_text(charte.nom)
    reponse = intrus.goto(tableau_de_bord)
    assert reponse.status == 404
    expect(intrus.get_by_role("heading", name="Page introuvable")).to_be_visible()
    expect(intrus.locator("main")).not_to_contain_text(EPCI)
    capturer(intrus, "13-exterieur-page-introuvable")

    reponse = partenaire.goto(f"{tableau_de_bord}calendrier/")
    assert reponse.status == 403
    expect(partenaire.get_by_role("heading", name="Accès refusé")).to_be_visible()
    capturer(partenaire, "14-partenaire-acces-refuse")


def test_tableau_de_bord_sur_un_telephone(personne, capturer, live_server, referentiel):
    agent = UtilisateurFactory(agent_msa=True, first_name="Claire", last_name="Lemoine")
    charte = creer_charte(
        territoire=Territoire.objects.get(siren=SIREN),
        nom=f"Charte territoriale « Avec les familles » — {EPCI}",
        date_debut=timezone.localdate() - datetime.timedelta(days=365),
        par=agent,
    )

    telephone = personne("agent-telephone", telephone=True)
    se_connecter(telephone, agent.username)
    expect(telephone.get_by_role("heading", name="Mes chartes")).to_be_visible()
    telephone.get_by_role("link", name=charte.nom).click()
    expect(telephone).to_have_url(f"{live_server.url}/chartes/{charte.slug}/")
    expect(telephone.get_by_role("heading", level=1)).to_have_text(charte.nom)
    expect(telephone.locator(".carte-chiffre").filter(has_text="Territoire")).to_contain_text("47 communes")
    expect(telephone.locator("svg.gantt")).to_be_visible()
    capturer(telephone, "15-tableau-de-bord-telephone")
    # On a mobile browser the layout viewport (innerWidth) grows with the content, so the page is
    # measured against the phone's width as well as against innerWidth.
    largeurs = telephone.evaluate("({page: document.documentElement.scrollWidth, fenetre: window.innerWidth})")
    assert telephone.viewport_size["width"] == 390
    assert largeurs["page"] <= min(largeurs["fenetre"], 390) + 1, largeurs


def test_mot_de_passe_oublie(personne, capturer, live_server, mailoutbox, transactional_db):
    utilisateur = UtilisateurFactory(email="dominique.perrin@exemple.fr")
    nouveau = "Crepuscule-sur-Clermont-2024"

    page = personne("utilisateur")
    page.goto("/comptes/connexion/")
    page.get_by_role("link", name="Mot de passe oublié ?").click()
    expect(page.get_by_role("heading", name="Mot de passe oublié")).to_be_visible()
    page.locator("#id_email").fill(utilisateur.email)
    capturer(page, "20-mot-de-passe-oublie")
    page.get_by_role("button", name="Recevoir le lien").click()
    expect(page.get_by_role("heading", name="Vérifiez votre messagerie")).to_be_visible()
    capturer(page, "21-lien-envoye")

    assert len(mailoutbox) == 1
    courriel = mailoutbox[0]
    assert courriel.to == [utilisateur.email]
    assert courriel.subject == "Chartes « Avec les familles » : nouveau mot de passe"
    assert f"« {utilisateur.username} »" in courriel.body
    lien = lien_du_courriel(courriel, "/comptes/mot-de-passe/nouveau/")
    # The link is built from the address the request came to: the live server's.
    assert lien.startswith(f"{live_server.url}/comptes/mot-de-passe/nouveau/")

    page.goto(lien)
    expect(page.get_by_role("heading", name="Nouveau mot de passe")).to_be_visible()
    page.locator("#id_new_password1").fill(nouveau)
    page.locator("#id_new_password2").fill(nouveau)
    capturer(page, "22-nouveau-mot-de-passe")
    page.get_by_role("button", name="Enregistrer le mot de passe").click()
    expect(page.get_by_role("heading", name="Mot de passe enregistré")).to_be_visible()
    capturer(page, "23-mot-de-passe-enregistre")

    # The link has served: opening it again offers to ask for a new one.
    page.goto(lien)
    expect(page.get_by_text("Ce lien n'est plus valable")).to_be_visible()

    se_connecter(page, utilisateur.username, MOT_DE_PASSE)
    expect(page).to_have_url(re.compile(r"/comptes/connexion/$"))
    expect(page.locator(".alert-danger")).to_contain_text("mot de passe incorrect")
    capturer(page, "24-ancien-mot-de-passe-refuse")

    se_connecter(page, utilisateur.username, nouveau)
    expect(page).to_have_url(f"{live_server.url}/chartes/")
    expect(page.get_by_role("heading", name="Mes chartes")).to_be_visible()
    capturer(page, "25-connecte-avec-le-nouveau-mot-de-passe")
