import pytest
from django.core.management import call_command

from territoires.models import Commune, Territoire
from territoires.services import charger_referentiel, lire_referentiel

AIRE_ARGONNE = "200066140"


@pytest.mark.django_db
def test_le_referentiel_complet_se_charge_et_se_recharge_sans_doublon():
    assert charger_referentiel() == (1255, 34969)
    commune = Commune.objects.get(code_insee="55040")
    commune.population = 1
    commune.save()
    charger_referentiel()
    assert Territoire.objects.count() == 1255
    assert Commune.objects.count() == 34969
    commune.refresh_from_db()
    assert commune.population == 259  # population totale of Beausite (Meuse)


@pytest.mark.django_db
def test_l_aire_a_l_argonne_a_ses_47_communes_et_6533_habitants():
    charger_referentiel({AIRE_ARGONNE})
    territoire = Territoire.objects.get(siren=AIRE_ARGONNE)
    assert territoire.nom == "CC de l'Aire à l'Argonne"
    assert territoire.communes.count() == 47
    assert sum(territoire.communes.values_list("population", flat=True)) == 6533 == territoire.population
    assert territoire.departements == "55"


def test_le_fichier_livre_cite_sa_source_et_sa_licence():
    donnees = lire_referentiel()
    assert "Etalab" in donnees["source"] and "6.0.0" in donnees["source"]
    assert donnees["licence"].startswith("Licence Ouverte")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "saisie", ["Aire à l'Argonne", "aire a l argonne", "AIRE-À-L'ARGONNE", "200066140", "2000661", "argonne aire"]
)
def test_la_recherche_trouve_l_epci_par_nom_ou_siren(saisie):
    charger_referentiel({AIRE_ARGONNE, "200066116"})
    assert AIRE_ARGONNE in Territoire.objects.recherche(saisie).values_list("siren", flat=True)


@pytest.mark.django_db
@pytest.mark.parametrize("saisie", ["", "   ", "zzz introuvable", "999999999"])
def test_la_recherche_ne_trouve_rien_pour_une_saisie_vide_ou_inconnue(saisie):
    charger_referentiel({AIRE_ARGONNE})
    assert not Territoire.objects.recherche(saisie).exists()


@pytest.mark.django_db
def test_la_commande_de_chargement(capsys):
    call_command("charger_referentiel", "--siren", AIRE_ARGONNE)
    assert "1 EPCI et 47 communes chargés" in capsys.readouterr().out
