"""Two-factor authentication in a real browser: a coordinator follows the invitation on their charters
list, scans (here: reads) the key, confirms with a code, keeps the recovery codes, then logs in again
with a code. Screenshots: captures/double-facteur-0-invitation.png, -1-activation, -2-codes-de-secours, -3-securite,
-4-code."""

import time
from base64 import b32decode

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

from tests.factories import CharteFactory
from tests.navigateur.test_parcours_socle import se_connecter

pytestmark = pytest.mark.navigateur


def code_de_l_application(cle_affichee, pas=0):
    """What an authenticator app shows for the key the page displays (in blocks of four)."""
    totp = TOTP(b32decode(cle_affichee.replace(" ", "")))
    totp.time = time.time() + 30 * pas
    return f"{totp.token():06d}"


def test_activer_puis_se_connecter_avec_un_code(transactional_db, personne, capturer):
    coordinateur = CharteFactory().membres.get().utilisateur
    page = personne("coordinateur")
    se_connecter(page, coordinateur.username)

    expect(page.get_by_text("Protégez votre compte.")).to_be_visible()
    capturer(page, "double-facteur-0-invitation")
    page.get_by_role("link", name="Activer la double authentification").click()
    expect(page.get_by_role("heading", name="Activer la double authentification")).to_be_visible()
    expect(page.get_by_role("img", name="QR code à scanner avec votre application d'authentification")).to_be_visible()
    cle = page.locator("#cle").inner_text()
    valables = {code_de_l_application(cle, pas) for pas in (-1, 0, 1)}
    page.get_by_label("Code de vérification").fill(next(c for c in ("000000", "111111") if c not in valables))
    page.get_by_role("button", name="Activer").click()
    expect(page.locator(".invalid-feedback")).to_contain_text("Ce code n'est pas valable.")
    capturer(page, "double-facteur-1-activation")
    time.sleep(1.1)  # django-otp's back-off after a wrong code
    page.get_by_label("Code de vérification").fill(code_de_l_application(cle))
    page.get_by_role("button", name="Activer").click()

    expect(page.get_by_role("heading", name="Vos codes de secours")).to_be_visible()
    codes = page.get_by_role("list", name="Codes de secours").get_by_role("listitem")
    expect(codes).to_have_count(10)
    capturer(page, "double-facteur-2-codes-de-secours")
    page.get_by_role("link", name="J'ai noté mes codes").click()
    expect(page.get_by_text("Activée", exact=True)).to_be_visible()
    capturer(page, "double-facteur-3-securite")

    page.get_by_role("button", name="Se déconnecter").click()
    se_connecter(page, coordinateur.email)
    expect(page.get_by_role("heading", name="Code de vérification")).to_be_visible()
    capturer(page, "double-facteur-4-code")
    # The code used to activate cannot serve twice: the app's next one, within the tolerated step.
    page.get_by_label("Code de vérification").fill(code_de_l_application(cle, pas=1))
    page.get_by_role("button", name="Valider").click()
    expect(page.get_by_role("heading", name="Mes chartes")).to_be_visible()
    expect(page.get_by_text("Protégez votre compte.")).to_have_count(0)
