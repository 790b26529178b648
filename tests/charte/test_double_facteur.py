"""Two-factor authentication: setting it up, the login's second step, recovery codes, the coordinators'
obligation, and the session cookie. Codes are computed with django-otp's own TOTP, on the real clock."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from charte.double_facteur import activer, appareil_a_confirmer, cle_lisible
from tests.factories import MOT_DE_PASSE, CharteFactory, UtilisateurFactory

pytestmark = pytest.mark.django_db

CODE_INCORRECT = "Ce code n&#x27;est pas valable."
RACINE = Path(__file__).resolve().parents[2]


def code(appareil, pas=0):
    """The code the person's app shows now (or `pas` steps of 30 s away), as django-otp computes it."""
    totp = TOTP(appareil.bin_key, appareil.step, appareil.t0, appareil.digits)
    totp.time = time.time() + pas * appareil.step
    return f"{totp.token():06d}"


def code_faux(appareil):
    """Six digits that no step near now accepts."""
    proches = {code(appareil, pas) for pas in range(-3, 4)}
    return next(c for c in (f"{n:06d}" for n in range(1000000)) if c not in proches)


def loin_d_un_changement_de_code():
    """Wait out the last seconds of a 30-s step, so that `pas` means the same here and on the server."""
    reste = 30 - time.time() % 30
    if reste < 3:
        time.sleep(reste + 0.1)


def avec_double_facteur(utilisateur):
    """The person has set up their app; returns it and their ten recovery codes."""
    appareil = appareil_a_confirmer(utilisateur)
    return appareil, activer(appareil)


def se_connecter(client, identifiant, mot_de_passe=MOT_DE_PASSE, suite=None):
    donnees = {"username": identifiant, "password": mot_de_passe}
    if suite:
        donnees["next"] = suite
    return client.post(reverse("comptes:connexion"), donnees)


def donner_le_code(client, saisie):
    return client.post(reverse("comptes:code"), {"code": saisie})


def est_connecte(client):
    return "_auth_user_id" in client.session


# --- Setting it up -----------------------------------------------------------------------------------


def test_la_page_d_activation_montre_le_qr_code_et_la_cle(client):
    personne = UtilisateurFactory()
    client.force_login(personne)
    page = client.get(reverse("comptes:activer_double_facteur")).content.decode()
    appareil = TOTPDevice.objects.get(user=personne, confirmed=False)
    assert 'src="data:image/svg+xml' in page
    assert cle_lisible(appareil) in page
    # A reload keeps the same secret: an app that already scanned it stays valid.
    client.get(reverse("comptes:activer_double_facteur"))
    assert TOTPDevice.objects.get(user=personne).key == appareil.key


def test_un_code_faux_n_active_rien_et_l_erreur_est_en_francais(client):
    personne = UtilisateurFactory()
    client.force_login(personne)
    client.get(reverse("comptes:activer_double_facteur"))
    appareil = TOTPDevice.objects.get(user=personne)
    reponse = client.post(reverse("comptes:activer_double_facteur"), {"code": code_faux(appareil)})
    assert reponse.status_code == 200 and CODE_INCORRECT in reponse.content.decode()
    reponse = client.post(reverse("comptes:activer_double_facteur"), {"code": "12ab"})
    assert "Saisissez les 6 chiffres affichés par votre application." in reponse.content.decode()
    assert not TOTPDevice.objects.filter(user=personne, confirmed=True).exists()
    assert not StaticToken.objects.filter(device__user=personne).exists()


def test_un_code_valable_active_et_montre_dix_codes_de_secours_une_seule_fois(client):
    personne = UtilisateurFactory()
    client.force_login(personne)
    client.get(reverse("comptes:activer_double_facteur"))
    appareil = TOTPDevice.objects.get(user=personne)
    cle_de_session = client.session.session_key
    reponse = client.post(reverse("comptes:activer_double_facteur"), {"code": code(appareil)})
    assert reponse.url == reverse("comptes:codes_de_secours")
    appareil.refresh_from_db()
    assert appareil.confirmed
    # This session counts as verified from now on, under a new key.
    assert client.session[DEVICE_ID_SESSION_KEY] == appareil.persistent_id
    assert client.session.session_key != cle_de_session
    page = client.get(reponse.url).content.decode()
    codes = list(StaticToken.objects.filter(device__user=personne).values_list("token", flat=True))
    assert len(codes) == 10 and all(c in page for c in codes)
    assert "ils ne seront plus jamais affichés" in page
    assert client.get(reponse.url).url == reverse("comptes:securite")  # shown once
    assert "Activée" in client.get(reverse("comptes:securite")).content.decode()


def test_apres_des_codes_faux_il_faut_patienter(client):
    personne = UtilisateurFactory()
    client.force_login(personne)
    client.get(reverse("comptes:activer_double_facteur"))
    # django-otp's back-off: after 5 wrong codes in a row, 16 seconds before the next try.
    TOTPDevice.objects.filter(user=personne).update(
        throttling_failure_count=5, throttling_failure_timestamp=timezone.now()
    )
    appareil = TOTPDevice.objects.get(user=personne)
    reponse = client.post(reverse("comptes:activer_double_facteur"), {"code": code(appareil)})
    assert "Trop de codes erronés d&#x27;affilée : patientez" in reponse.content.decode()
    assert not TOTPDevice.objects.get(user=personne).confirmed


# --- Logging in ------------------------------------------------------------------------------------------


def test_sans_double_facteur_la_connexion_reste_en_une_etape(client):
    UtilisateurFactory(username="claire")
    assert se_connecter(client, "claire").url == reverse("charte:liste")
    assert est_connecte(client)


@pytest.mark.parametrize("identifiant", ["claire", "claire@msa.fr"])
def test_avec_double_facteur_le_mot_de_passe_ne_suffit_pas(client, identifiant):
    personne = UtilisateurFactory(username="claire", email="claire@msa.fr")
    appareil, _codes = avec_double_facteur(personne)
    reponse = se_connecter(client, identifiant, suite=reverse("comptes:securite"))
    assert reponse.url == reverse("comptes:code")
    assert not est_connecte(client)
    assert client.get(reverse("charte:liste")).url.startswith(reverse("comptes:connexion"))
    assert "Code de vérification" in client.get(reverse("comptes:code")).content.decode()
    reponse = donner_le_code(client, code(appareil))
    assert reponse.url == reverse("comptes:securite")  # the page asked for before logging in
    assert est_connecte(client) and client.session[DEVICE_ID_SESSION_KEY] == appareil.persistent_id


def test_un_mauvais_code_a_la_connexion_est_refuse_en_francais(client):
    personne = UtilisateurFactory()
    appareil, _codes = avec_double_facteur(personne)
    se_connecter(client, personne.username)
    reponse = donner_le_code(client, code_faux(appareil))
    assert reponse.status_code == 200 and CODE_INCORRECT in reponse.content.decode()
    assert not est_connecte(client)


@pytest.mark.parametrize(("pas", "accepte"), [(-2, False), (-1, True), (0, True), (1, True), (2, False)])
def test_le_code_tolere_un_pas_de_30_secondes_de_part_et_d_autre(client, pas, accepte):
    """A phone whose clock is a little off still gets in (django-otp then learns its drift)."""
    personne = UtilisateurFactory()
    appareil, _codes = avec_double_facteur(personne)
    loin_d_un_changement_de_code()
    se_connecter(client, personne.username)
    donner_le_code(client, code(appareil, pas))
    assert est_connecte(client) == accepte


def test_un_code_ne_sert_qu_une_fois(client):
    personne = UtilisateurFactory()
    appareil, _codes = avec_double_facteur(personne)
    loin_d_un_changement_de_code()
    valable = code(appareil)
    se_connecter(client, personne.username)
    assert donner_le_code(client, valable).status_code == 302
    client.logout()
    se_connecter(client, personne.username)
    assert CODE_INCORRECT in donner_le_code(client, valable).content.decode()


def test_un_code_de_secours_sert_une_seule_fois(client):
    personne = UtilisateurFactory()
    _appareil, codes = avec_double_facteur(personne)
    se_connecter(client, personne.username)
    assert donner_le_code(client, f" {codes[0][:4].upper()}-{codes[0][4:]} ").url == reverse("charte:liste")
    assert est_connecte(client)
    client.logout()
    se_connecter(client, personne.username)
    assert CODE_INCORRECT in donner_le_code(client, codes[0]).content.decode()
    assert not est_connecte(client)
    client.force_login(personne)
    assert "<strong>9</strong> sur 10" in client.get(reverse("comptes:securite")).content.decode()


def test_les_codes_faux_comptent_pour_le_blocage_du_compte(client):
    personne = UtilisateurFactory()
    appareil, _codes = avec_double_facteur(personne)
    for _ in range(4):
        assert se_connecter(client, personne.username, "mauvais-mot-de-passe").status_code == 200
    assert se_connecter(client, personne.username).url == reverse("comptes:code")
    bloque = donner_le_code(client, code_faux(appareil))  # the fifth failure
    assert bloque.status_code == 429 and "la connexion est bloquée pendant 15 minutes" in bloque.content.decode()
    # Starting over does not help: the password step is locked too, the right code is never asked.
    assert donner_le_code(client, code(appareil)).url == reverse("comptes:connexion")
    assert se_connecter(client, personne.username).status_code == 429
    assert not est_connecte(client)


def test_la_seconde_etape_expire_et_ne_s_ouvre_pas_sans_mot_de_passe(client):
    personne = UtilisateurFactory()
    appareil, _codes = avec_double_facteur(personne)
    assert client.get(reverse("comptes:code")).url == reverse("comptes:connexion")
    se_connecter(client, personne.username)
    session = client.session
    session["connexion_en_attente"]["depuis"] -= 6 * 60
    session.save()
    reponse = donner_le_code(client, code(appareil))
    assert reponse.url == reverse("comptes:connexion") and not est_connecte(client)
    assert "Saisissez à nouveau votre identifiant" in client.get(reponse.url).content.decode()


def test_la_connexion_de_l_administration_passe_par_la_seconde_etape(client):
    personne = UtilisateurFactory(is_staff=True, is_superuser=True)
    appareil, _codes = avec_double_facteur(personne)
    reponse = client.post(
        reverse("admin:login") + "?next=/admin/", {"username": personne.username, "password": MOT_DE_PASSE}
    )
    assert reponse.url == reverse("comptes:connexion") + "?next=/admin/"
    assert not est_connecte(client)
    se_connecter(client, personne.username, suite="/admin/")
    assert donner_le_code(client, code(appareil)).url == "/admin/"
    assert client.get("/admin/").status_code == 200


# --- Disabling, new recovery codes -------------------------------------------------------------------


def test_desactiver_demande_un_code_ou_le_mot_de_passe(client):
    personne = UtilisateurFactory()
    appareil, _codes = avec_double_facteur(personne)
    client.force_login(personne)
    url = reverse("comptes:desactiver_double_facteur")
    reponse = client.post(url, {"preuve": "pas-le-bon"})
    assert "Ni un code valable ni votre mot de passe." in reponse.content.decode()
    assert TOTPDevice.objects.filter(user=personne).exists()
    assert client.post(url, {"preuve": code(appareil)}).url == reverse("comptes:securite")
    assert not TOTPDevice.objects.filter(user=personne).exists()
    assert not StaticToken.objects.filter(device__user=personne).exists()
    client.logout()
    assert se_connecter(client, personne.username).url == reverse("charte:liste")  # the password alone again


def test_desactiver_avec_le_mot_de_passe(client):
    personne = UtilisateurFactory()
    avec_double_facteur(personne)
    client.force_login(personne)
    client.post(reverse("comptes:desactiver_double_facteur"), {"preuve": MOT_DE_PASSE})
    assert not TOTPDevice.objects.filter(user=personne).exists()


def test_de_nouveaux_codes_de_secours_remplacent_les_anciens(client):
    personne = UtilisateurFactory()
    appareil, anciens = avec_double_facteur(personne)
    client.force_login(personne)
    url = reverse("comptes:regenerer_codes")
    assert CODE_INCORRECT in client.post(url, {"code": code_faux(appareil)}).content.decode()
    TOTPDevice.objects.filter(pk=appareil.pk).update(throttling_failure_count=0)
    assert client.post(url, {"code": code(appareil)}).url == reverse("comptes:codes_de_secours")
    nouveaux = set(StaticToken.objects.filter(device__user=personne).values_list("token", flat=True))
    assert len(nouveaux) == 10 and not nouveaux & set(anciens)
    page = client.get(reverse("comptes:codes_de_secours")).content.decode()
    assert all(c in page for c in nouveaux), page


# --- Only one's own devices ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "page", ["securite", "activer_double_facteur", "codes_de_secours", "regenerer_codes", "desactiver_double_facteur"]
)
def test_les_pages_de_securite_demandent_une_connexion(client, page):
    reponse = client.post(reverse(f"comptes:{page}"), {"code": "123456", "preuve": MOT_DE_PASSE})
    assert reponse.status_code == 302 and reponse.url.startswith(reverse("comptes:connexion"))


def test_chacun_n_agit_que_sur_ses_propres_appareils(client):
    claire, intrus = UtilisateurFactory(), UtilisateurFactory()
    appareil, _codes = avec_double_facteur(claire)
    client.force_login(intrus)
    # The intruder knows Claire's code: it proves nothing about the intruder's own (absent) device.
    client.post(reverse("comptes:desactiver_double_facteur"), {"preuve": code(appareil)})
    client.post(reverse("comptes:regenerer_codes"), {"code": code(appareil)})
    assert TOTPDevice.objects.filter(user=claire, confirmed=True).exists()
    page = client.get(reverse("comptes:activer_double_facteur")).content.decode()
    assert cle_lisible(appareil) not in page
    assert client.post(reverse("comptes:activer_double_facteur"), {"code": code(appareil)}).status_code == 200
    assert not TOTPDevice.objects.filter(user=intrus, confirmed=True).exists()


# --- Coordinators: invited, or obliged ---------------------------------------------------------------------


def test_coordinateurs_et_agents_msa_sont_invites_a_l_activer(client_de, personnes):
    invitation = "Protégez votre compte."
    assert invitation in client_de(personnes["coordinateur"]).get(reverse("charte:liste")).content.decode()
    assert invitation in client_de(UtilisateurFactory(agent_msa=True)).get(reverse("charte:liste")).content.decode()
    assert invitation not in client_de(personnes["partenaire"]).get(reverse("charte:liste")).content.decode()
    avec_double_facteur(personnes["coordinateur"])
    assert invitation not in client_de(personnes["coordinateur"]).get(reverse("charte:liste")).content.decode()


def test_l_obligation_renvoie_le_coordinateur_vers_l_activation(client, charte, personnes, settings):
    settings.DEUX_FACTEURS_OBLIGATOIRE_COORDINATEURS = True
    tableau = reverse("rapports:tableau_de_bord", args=[charte.slug])
    client.force_login(personnes["partenaire"])
    assert client.get(tableau).status_code == 200
    client.force_login(personnes["coordinateur"])
    assert client.get(tableau).url == reverse("comptes:activer_double_facteur")
    liste = client.get(reverse("charte:liste")).content.decode()
    assert "Double authentification obligatoire." in liste
    # A charter they are not a member of still answers 404: nothing is learnt about it.
    assert client.get(reverse("rapports:tableau_de_bord", args=[CharteFactory().slug])).status_code == 404
    settings.DEUX_FACTEURS_OBLIGATOIRE_COORDINATEURS = False
    assert client.get(tableau).status_code == 200


def test_l_obligation_est_remplie_par_une_connexion_avec_code(client, charte, personnes, settings):
    settings.DEUX_FACTEURS_OBLIGATOIRE_COORDINATEURS = True
    coordinateur = personnes["coordinateur"]
    appareil, _codes = avec_double_facteur(coordinateur)
    tableau = reverse("rapports:tableau_de_bord", args=[charte.slug])
    # A session opened before the app was set up never gave a code: it must log in again.
    client.force_login(coordinateur)
    assert client.get(tableau).url == reverse("comptes:connexion") + f"?next={tableau}"
    assert not est_connecte(client)
    se_connecter(client, coordinateur.username, suite=tableau)
    assert donner_le_code(client, code(appareil)).url == tableau
    assert client.get(tableau).status_code == 200


# --- Session security ---------------------------------------------------------------------------------------


def test_le_cookie_de_session_est_protege_et_expire(client):
    UtilisateurFactory(username="claire")
    cookie = se_connecter(client, "claire").cookies["sessionid"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert cookie["max-age"] == 10 * 60 * 60  # gone after a working day, even if the browser stays open


def test_en_production_les_cookies_sont_securises_et_check_deploy_est_propre():
    """The settings read under production values (as .ci/run sets them), in a process of their own."""
    environnement = {
        "PATH": os.environ["PATH"],
        "DATABASE_URL": os.environ.get("DATABASE_URL", ""),
        "DJANGO_SETTINGS_MODULE": "charte.settings",
        "DEBUG": "false",
        "HTTPS": "true",
        "SECRET_KEY": "une-cle-de-production-longue-et-aleatoire-" + "x" * 40,
        "ALLOWED_HOSTS": "chartes.msa.fr",
    }
    programme = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "from django.core.management import call_command; "
        "call_command('check', deploy=True, fail_level='WARNING'); "
        "print(json.dumps([s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE, "
        "s.CSRF_COOKIE_SECURE]))"
    )
    resultat = subprocess.run(
        [sys.executable, "-c", programme], cwd=RACINE, env=environnement, capture_output=True, text=True, timeout=120
    )
    assert resultat.returncode == 0, resultat.stderr
    assert json.loads(resultat.stdout.splitlines()[-1]) == [True, True, "Lax", True]


def test_changer_de_mot_de_passe_change_la_cle_de_session_et_ferme_les_autres(client):
    personne = UtilisateurFactory()
    client.force_login(personne)
    ailleurs = Client()
    ailleurs.force_login(personne)
    cle = client.session.session_key
    url = reverse("comptes:changer_mot_de_passe")
    faible = client.post(url, {"old_password": MOT_DE_PASSE, "new_password1": "azerty", "new_password2": "azerty"})
    assert "Ce mot de passe est trop court." in faible.content.decode()
    nouveau = "Brouillard-sur-Varennes-1791"
    reponse = client.post(url, {"old_password": MOT_DE_PASSE, "new_password1": nouveau, "new_password2": nouveau})
    assert reponse.url == reverse("comptes:securite")
    assert client.session.session_key != cle and est_connecte(client)
    assert "Vos autres sessions ouvertes sont fermées." in client.get(reponse.url).content.decode()
    assert ailleurs.get(reverse("charte:liste")).url.startswith(reverse("comptes:connexion"))
