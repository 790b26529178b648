"""Every charter URL that accepts POST, fed with hostile values in the fields of its own form.

The pages come from the permissions table (every charter URL is there) and the fields from the
form in the HTML the person is served, so nothing is listed by hand. For each page, one allowed
person first fills the form in correctly, then hypothesis replaces, repeats or removes one to three
fields: never a 5xx, never markup of ours executed, and a refused form says why in French.
"""

import pytest

from tests.hostile.chartes import liens_entre_chartes
from tests.hostile.envoi import client_de
from tests.hostile.formulaires import PAGES_QUI_RECOIVENT, adresse_de, harceler, role_pour, saisie_de


@pytest.mark.parametrize("page", PAGES_QUI_RECOIVENT)
def test_formulaire_hostile(page, charte, personnes):
    url = adresse_de(page, charte)
    client = client_de(personnes[role_pour(page)])
    saisie = saisie_de(client, charte, page, url)
    saisie.apprendre()
    harceler(saisie)
    assert not liens_entre_chartes()
