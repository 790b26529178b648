"""Addresses holding a token, a code or a SIREN typed or pasted by someone."""

import pytest

URLS_A_JETON = ["/e/{}/", "/e/{}/merci/", "/s/{}/", "/comptes/invitation/{}/", "/chartes/nouvelle/{}/"]


@pytest.mark.parametrize("url", URLS_A_JETON)
@pytest.mark.parametrize("segment", ["a%00b", "%01", "%7F"])
def test_un_caractere_de_controle_dans_l_adresse_repond_404(client_de, personnes, url, segment):
    """Found by tests/hostile: a NUL in the token reached PostgreSQL, which refuses it (server error)."""
    assert client_de(personnes["coordinateur"]).get(url.format(segment)).status_code == 404
