import pytest
from django.core.exceptions import ImproperlyConfigured

from charte.env import env_bool, env_int, env_list, env_str


def test_les_valeurs_typees_sont_lues(monkeypatch):
    monkeypatch.setenv("X_BOOL", "oui")
    monkeypatch.setenv("X_INT", "42")
    monkeypatch.setenv("X_LISTE", "a.fr, b.fr,")
    assert env_bool("X_BOOL") is True and env_int("X_INT", 0) == 42 and env_list("X_LISTE") == ["a.fr", "b.fr"]


@pytest.mark.parametrize(("lecteur", "valeur"), [(env_bool, "peut-etre"), (env_int, "douze")])
def test_une_valeur_invalide_arrete_le_demarrage(monkeypatch, lecteur, valeur):
    monkeypatch.setenv("X_VALEUR", valeur)
    with pytest.raises(ImproperlyConfigured, match="X_VALEUR"):
        lecteur("X_VALEUR", 0)


def test_une_variable_obligatoire_absente_est_signalee(monkeypatch):
    monkeypatch.delenv("X_ABSENTE", raising=False)
    with pytest.raises(ImproperlyConfigured, match="obligatoire"):
        env_str("X_ABSENTE")
