"""Browser tests: a real Chromium driven by Playwright against pytest-django's live server.

One Chromium for the whole session; one fresh browser context (cookies, session) per person,
so that the agent, the partner and the outsider of a scenario never share a login.
"""

import hashlib
import re
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

RACINE = Path(__file__).resolve().parents[2]
CAPTURES = RACINE / "captures"
# axe-core, the accessibility engine the audit injects into the pages: one pinned version from the npm
# registry, checked against its digest, kept in a git-ignored cache so that only the first run downloads it.
AXE_VERSION = "4.14.1"
AXE_SHA256 = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"
AXE = RACINE / ".cache" / f"axe-core-{AXE_VERSION}" / "axe.min.js"
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


def telecharger_axe():
    """Fetch axe.min.js with `npm pack` (the npm registry, no node_modules) into AXE, once."""
    with tempfile.TemporaryDirectory() as dossier:
        subprocess.run(
            ["npm", "pack", "--silent", f"axe-core@{AXE_VERSION}"], cwd=dossier, check=True, capture_output=True
        )
        with tarfile.open(Path(dossier) / f"axe-core-{AXE_VERSION}.tgz") as archive:
            archive.extract("package/axe.min.js", dossier, filter="data")
        fichier = Path(dossier) / "package" / "axe.min.js"
        empreinte = hashlib.sha256(fichier.read_bytes()).hexdigest()
        if empreinte != AXE_SHA256:
            raise RuntimeError(f"axe-core {AXE_VERSION} : empreinte inattendue {empreinte}")
        AXE.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(fichier, AXE)


@pytest.fixture(scope="session")
def axe():
    """Path of axe.min.js; downloaded if missing. No axe, no audit: the tests using it fail, never skip."""
    if not AXE.exists():
        telecharger_axe()
    return AXE


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

    personne("agent", audit=True) also loads axe-core into every page of that context (see auditer in
    test_accessibilite.py). It is an init script, run by the browser itself: the page's own
    Content-Security-Policy (script-src 'self') still applies to everything else, whereas
    page.add_script_tag would be refused by it and bypass_csp would hide the CSP errors we watch for.

    At the end of the test, any 5xx answer or JavaScript error seen by anyone fails the test, and
    if the test failed, each person's page is saved as captures/echec-<test>-<person>.png.
    """
    personnes = []
    test = re.sub(r"\W+", "-", request.node.name)
    for ancienne in CAPTURES.glob(f"echec-{test}-*.png"):
        ancienne.unlink()

    def ouvrir(nom, telephone=False, audit=False):
        options = {"viewport": ECRAN_BUREAU}
        if telephone:
            options = {"viewport": ECRAN_TELEPHONE, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
        contexte = navigateur.new_context(
            base_url=live_server.url, locale="fr-FR", timezone_id="Europe/Paris", **options
        )
        contexte.set_default_timeout(DELAI_MS)
        if audit:
            contexte.add_init_script(path=request.getfixturevalue("axe"))
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
