"""Browser tests: a real Chromium driven by Playwright against pytest-django's live server.

One Chromium for the whole session; one fresh browser context (cookies, session) per person,
so that the agent, the partner and the outsider of a scenario never share a login.
"""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

CAPTURES = Path(__file__).resolve().parents[2] / "captures"
ARGUMENTS_CHROMIUM = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ECRAN_BUREAU = {"width": 1280, "height": 900}
ECRAN_TELEPHONE = {"width": 390, "height": 844}
DELAI_MS = 10_000

expect.set_options(timeout=DELAI_MS)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's final report on the test item, so fixtures can tell whether the test failed.

    Outermost wrapper: the report is seen after the xfail handling (an expected failure is no failure).
    """
    rapport = yield
    setattr(item, f"rapport_{rapport.when}", rapport)
    return rapport


@pytest.fixture(scope="session")
def navigateur():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGUMENTS_CHROMIUM)
        yield chromium
        chromium.close()


@pytest.fixture
def capturer():
    """capturer(page, "01-connexion"): a full-page screenshot in captures/01-connexion.png."""
    CAPTURES.mkdir(exist_ok=True)

    def capturer(page, nom):
        page.screenshot(path=CAPTURES / f"{nom}.png", full_page=True)

    return capturer


class Personne:
    """One person in front of their own browser: a page, and what went wrong on the server or in JS."""

    def __init__(self, contexte, nom):
        self.nom = nom
        self.page = contexte.new_page()
        self.erreurs_serveur = []
        self.erreurs_js = []
        self.page.on("response", self._noter_reponse)
        self.page.on("pageerror", lambda erreur: self.erreurs_js.append(str(erreur)))
        self.page.on("console", self._noter_console)

    def _noter_console(self, message):
        # Something the Content-Security-Policy blocked is a bug of the page, not a warning.
        if message.type == "error" and "Content Security Policy" in message.text:
            self.erreurs_js.append(message.text)

    def _noter_reponse(self, reponse):
        if reponse.status >= 500:
            self.erreurs_serveur.append(f"{reponse.status} {reponse.url}")


@pytest.fixture
def personne(request, navigateur, live_server):
    """personne("agent") or personne("agent", telephone=True): a new browser context on the live server.

    At the end of the test, any 5xx answer or JavaScript error seen by anyone fails the test, and
    if the test failed, each person's page is saved as captures/echec-<test>-<person>.png.
    """
    personnes = []
    test = re.sub(r"\W+", "-", request.node.name)
    for ancienne in CAPTURES.glob(f"echec-{test}-*.png"):
        ancienne.unlink()

    def ouvrir(nom, telephone=False):
        options = {"viewport": ECRAN_BUREAU}
        if telephone:
            options = {"viewport": ECRAN_TELEPHONE, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
        contexte = navigateur.new_context(
            base_url=live_server.url, locale="fr-FR", timezone_id="Europe/Paris", **options
        )
        contexte.set_default_timeout(DELAI_MS)
        nouvelle = Personne(contexte, nom)
        personnes.append((contexte, nouvelle))
        return nouvelle.page

    yield ouvrir

    rapport = getattr(request.node, "rapport_call", None)
    try:
        if rapport is not None and rapport.failed:
            CAPTURES.mkdir(exist_ok=True)
            for _contexte, qui in personnes:
                if not qui.page.is_closed():
                    qui.page.screenshot(path=CAPTURES / f"echec-{test}-{qui.nom}.png", full_page=True)
        erreurs = [f"{qui.nom} : {e}" for _c, qui in personnes for e in qui.erreurs_serveur + qui.erreurs_js]
    finally:
        for contexte, _qui in personnes:
            contexte.close()
    assert not erreurs, "Erreurs pendant le parcours :\n" + "\n".join(erreurs)
