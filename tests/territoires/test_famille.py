import pytest
from django.core.exceptions import ValidationError

from territoires.models import Famille, Organisation


@pytest.mark.parametrize(
    ("champs", "message"),
    [
        ({"nombre_enfants": 2, "ages_enfants": [4]}, "chacun des 2 enfants"),
        ({"nombre_enfants": 1, "ages_enfants": [-1]}, "de 0 à 30"),
        ({"nombre_enfants": 1, "ages_enfants": ["trois"]}, "de 0 à 30"),
        ({"nombre_adultes": 2, "monoparentale": True}, "un seul adulte"),
    ],
)
def test_un_profil_de_famille_incoherent_est_refuse(champs, message):
    with pytest.raises(ValidationError, match=message):
        Famille(**champs).full_clean()


@pytest.mark.django_db
def test_un_profil_anonyme_coherent():
    famille = Famille(
        nombre_adultes=1,
        nombre_enfants=2,
        ages_enfants=[0, 3],
        monoparentale=True,
        etape_vie=Famille.EtapeVie.PETITE_ENFANCE,
        affiliation_msa=Famille.AffiliationMsa.OUI,
    )
    famille.full_clean()
    famille.save()
    assert str(famille) == "Foyer de 1 adulte(s) et 2 enfant(s)"


def test_les_types_d_organisation_attendus():
    assert {t.label for t in Organisation.Type} == {
        "MSA",
        "CAF",
        "Conseil départemental",
        "ARS",
        "CPAM",
        "PETR",
        "Commune / EPCI",
        "École",
        "Association",
        "Entreprise",
        "Maison de santé",
        "Autre",
    }
