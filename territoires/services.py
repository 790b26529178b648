"""Loading of the official reference data (EPCIs and communes) shipped with the project."""

import gzip
import json

from django.db import transaction

from territoires.models import Commune, Territoire, normaliser
from territoires.referentiel.convertir import FICHIER


def lire_referentiel():
    with gzip.open(FICHIER, "rt", encoding="utf-8") as fichier:
        return json.load(fichier)


@transaction.atomic
def charger_referentiel(sirens=None):
    """Create or update EPCIs and communes; `sirens` limits the load to some EPCIs (tests, demos).

    Running it again updates names and populations in place, so it is safe to repeat.
    """
    donnees = lire_referentiel()
    epcis = [ligne for ligne in donnees["epci"] if sirens is None or ligne[0] in sirens]
    Territoire.objects.bulk_create(
        [
            Territoire(
                siren=siren,
                nom=nom,
                nom_recherche=normaliser(nom),
                nature=nature,
                population=population,
                departements=",".join(departements),
            )
            for siren, nom, nature, population, departements in epcis
        ],
        update_conflicts=True,
        unique_fields=["siren"],
        update_fields=["nom", "nom_recherche", "nature", "population", "departements"],
        batch_size=1000,
    )
    id_par_siren = dict(Territoire.objects.filter(siren__in=[e[0] for e in epcis]).values_list("siren", "id"))
    communes = [ligne for ligne in donnees["communes"] if sirens is None or ligne[4] in id_par_siren]
    Commune.objects.bulk_create(
        [
            Commune(
                code_insee=code,
                nom=nom,
                departement=departement,
                population=population,
                territoire_id=id_par_siren.get(epci),
            )
            for code, nom, departement, population, epci in communes
        ],
        update_conflicts=True,
        unique_fields=["code_insee"],
        update_fields=["nom", "departement", "population", "territoire"],
        batch_size=2000,
    )
    return len(epcis), len(communes)
