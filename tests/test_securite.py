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


def se_connecter(client, identifiant, mot_de_passe):
    return client.post(reverse("comptes:connexion"), {"username": identifiant, "password": mot_de_passe})


def test_cinq_echecs_bloquent_le_compte_depuis_cette_adresse(client, personnes):
    from tests.factories import MOT_DE_PASSE

    cible, autre = personnes["partenaire"], personnes["observateur"]
    for _ in range(4):
        assert se_connecter(client, cible.username, "mauvais-mot-de-passe").status_code == 200
    assert se_connecter(client, cible.username, "mauvais-mot-de-passe").status_code == 429  # the fifth locks
    bloque = se_connecter(client, cible.username, MOT_DE_PASSE)  # even the right password is refused now
    assert bloque.status_code == 429 and "la connexion est bloquée pendant 15 minutes" in bloque.content.decode()
    assert "_auth_user_id" not in client.session
    # The lock is on this account from this address: another account from the same address still logs in.
    assert se_connecter(client, autre.username, MOT_DE_PASSE).status_code == 302
