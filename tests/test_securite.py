"""Security headers: a Content-Security-Policy that allows no inline script, and pages that need none."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_la_politique_de_securite_interdit_les_scripts_en_ligne(client):
    politique = client.get(reverse("comptes:connexion"))["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in politique.split(";") if d.strip())
    assert directives["script-src"] == "'self'"
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"


@pytest.mark.parametrize(
    "page",
    [
        "rapports:tableau_de_bord",
        "plan_actions:plan",
        "plan_actions:nouvelle_fiche",
        "evaluation:indicateurs",
        "rapports:rapports",
        "priorisation:seances",
        "diagnostic:enquetes",
    ],
)
def test_aucune_page_n_a_de_script_en_ligne(client_de, charte, personnes, page):
    contenu = client_de(personnes["coordinateur"]).get(reverse(page, args=[charte.slug])).content.decode()
    scripts = re.findall(r"<script\b[^>]*>", contenu)
    assert scripts and all("src=" in balise for balise in scripts), scripts
    assert not re.search(r'\son[a-z]+="', contenu)  # no onclick=… handlers either
