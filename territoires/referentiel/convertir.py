"""Convert Etalab's « découpage administratif » into the compact file shipped with the project.

Refresh the data (new millésime) with:
    npm pack @etalab/decoupage-administratif@6.0.0 && tar xzf etalab-decoupage-administratif-6.0.0.tgz
    python territoires/referentiel/convertir.py package/ 6.0.0
then commit the new territoires/referentiel/decoupage-administratif.json.gz.
"""

import datetime
import gzip
import json
import sys
from pathlib import Path

FICHIER = Path(__file__).with_name("decoupage-administratif.json.gz")


def convertir(dossier_paquet, version):
    dossier = Path(dossier_paquet) / "data"
    epcis = json.loads((dossier / "epci.json").read_text(encoding="utf-8"))
    communes = json.loads((dossier / "communes.json").read_text(encoding="utf-8"))
    actuelles = {c["code"]: c for c in communes if c["type"] == "commune-actuelle"}

    lignes_epci, epci_de, population_de = [], {}, {}
    for epci in epcis:
        departements = sorted({actuelles[m["code"]]["departement"] for m in epci["membres"] if m["code"] in actuelles})
        lignes_epci.append([epci["code"], epci["nom"], epci["type"], epci["populationTotale"], departements])
        for membre in epci["membres"]:
            epci_de[membre["code"]] = epci["code"]
            population_de[membre["code"]] = membre["populationTotale"]

    lignes_communes = [
        [code, c["nom"], c["departement"], population_de.get(code, c.get("population", 0)), epci_de.get(code)]
        for code, c in sorted(actuelles.items())
    ]
    donnees = {
        "source": f"Etalab, découpage administratif (npm @etalab/decoupage-administratif {version})",
        "licence": "Licence Ouverte / Open Licence 2.0",
        "converti_le": datetime.date.today().isoformat(),
        "colonnes_epci": ["siren", "nom", "nature", "population", "departements"],
        "colonnes_communes": ["code_insee", "nom", "departement", "population", "epci"],
        "epci": lignes_epci,
        "communes": lignes_communes,
    }
    contenu = json.dumps(donnees, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    # mtime=0 keeps the file byte-identical when the data has not changed.
    with gzip.GzipFile(FICHIER, "wb", mtime=0) as sortie:
        sortie.write(contenu)
    return len(lignes_epci), len(lignes_communes)


if __name__ == "__main__":
    nb_epci, nb_communes = convertir(sys.argv[1], sys.argv[2])
    print(f"{nb_epci} EPCI, {nb_communes} communes")
