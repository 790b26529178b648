import csv
import datetime
import io

import openpyxl
import pytest
from django.urls import reverse

from charte.models import Journal
from priorisation.models import Priorite, Seance
from priorisation.services import creer_seance, enregistrer_notes
from tests.priorisation.test_classement import besoin, participant, seance_de


def voter_et_clore(seance):
    critere = seance.criteres.first()
    enregistrer_notes(
        participant(seance),
        {
            (besoin(seance, "Santé"), critere.pk): 5,
            (besoin(seance, "Garde"), critere.pk): 3,
            (besoin(seance, "Transport"), critere.pk): 1,
        },
    )
    Seance.objects.filter(pk=seance.pk).update(statut=Seance.Statut.CLOSE)


def donnees(lignes, le="2025-06-12", instance="copil"):
    """POST data of the decision form; lignes: [(besoin pk, retenu, intitulé, regroupés)] in ranking order."""
    data = {"le": le, "instance": instance, "lignes-TOTAL_FORMS": len(lignes), "lignes-INITIAL_FORMS": len(lignes)}
    for i, (pk, retenu, intitule, regroupes) in enumerate(lignes):
        data |= {
            f"lignes-{i}-besoin": pk,
            f"lignes-{i}-intitule": intitule,
            f"lignes-{i}-justification": "",
            f"lignes-{i}-regroupes": [str(r) for r in regroupes],
        }
        if retenu:
            data[f"lignes-{i}-retenu"] = "on"
    return data


def test_decider_les_priorites_valide_le_jalon(client_de, charte):
    seance = seance_de(charte)
    voter_et_clore(seance)
    client = client_de(charte.membres.get().utilisateur)
    url = reverse("priorisation:decision", args=[charte.slug, seance.pk])
    page = client.get(url).content.decode()
    assert page.index("Santé") < page.index("Garde") < page.index("Transport")
    sante, garde, transport = besoin(seance, "Santé"), besoin(seance, "Garde"), besoin(seance, "Transport")
    reponse = client.post(
        url,
        donnees(
            [
                (sante, True, "Accéder aux soins près de chez soi", [transport]),
                (garde, True, "Garde aux horaires agricoles", []),
                (transport, False, "Transport", []),
            ]
        ),
    )
    assert reponse.status_code == 302
    priorites = list(Priorite.objects.order_by("rang"))
    assert [(p.rang, p.intitule, p.besoin_id) for p in priorites] == [
        (1, "Accéder aux soins près de chez soi", sante),
        (2, "Garde aux horaires agricoles", garde),
    ]
    assert list(priorites[0].besoins_regroupes.values_list("pk", flat=True)) == [transport]
    etape = charte.etapes.get(numero=2)
    assert etape.jalon_valide_le == datetime.date(2025, 6, 12)
    assert Journal.objects.filter(charte=charte, action__startswith="2 priorités décidées").exists()
    assert (
        "Accéder aux soins près de chez soi"
        in client.get(reverse("priorisation:seances", args=[charte.slug])).content.decode()
    )


def test_une_priorite_sans_intitule_ou_une_seance_ouverte_sont_refusees(client_de, charte):
    seance = seance_de(charte)
    client = client_de(charte.membres.get().utilisateur)
    url = reverse("priorisation:decision", args=[charte.slug, seance.pk])
    assert "Clôturez d" in client.get(url, follow=True).content.decode()
    voter_et_clore(seance)
    reponse = client.post(url, donnees([(besoin(seance, "Santé"), True, "", [])]))
    assert "Donnez un intitulé" in reponse.content.decode()
    reponse = client.post(url, donnees([(besoin(seance, "Santé"), False, "Santé", [])]))
    assert "Retenez au moins un besoin" in reponse.content.decode()
    assert not Priorite.objects.exists() and not charte.etapes.get(numero=2).jalon_valide


def test_exporter_et_imprimer_le_classement(client_de, personnes, charte):
    seance = seance_de(charte, seuil=3)
    voter_et_clore(seance)
    client = client_de(personnes["observateur"])
    contenu = client.get(reverse("priorisation:export", args=[charte.slug, seance.pk, "csv"])).content
    lignes = list(csv.reader(io.StringIO(contenu.decode("utf-8-sig")), delimiter=";"))
    assert lignes[0][:4] == ["rang", "besoin", "domaine", "score"]
    assert [ligne[1] for ligne in lignes[1:]] == ["Santé", "Garde", "Transport"]
    assert lignes[1][6] == ""  # one family: below the anonymity threshold, no detail
    classeur = openpyxl.load_workbook(
        io.BytesIO(client.get(reverse("priorisation:export", args=[charte.slug, seance.pk, "xlsx"])).content)
    )
    assert classeur.active["B2"].value == "Santé"
    page = client.get(reverse("priorisation:impression", args=[charte.slug, seance.pk])).content.decode()
    assert "Santé" in page and "Retour à la séance" in page
    assert client.get(reverse("priorisation:export", args=[charte.slug, seance.pk, "pdf"])).status_code == 404


def test_comparer_deux_seances(client_de, charte):
    premiere = seance_de(charte)
    voter_et_clore(premiere)
    seconde = creer_seance(
        charte, titre="Seconde", date=datetime.date(2025, 9, 1), mode="gommettes", points=5, seuil=1, par=None
    )
    Seance.objects.filter(pk=seconde.pk).update(statut=Seance.Statut.OUVERTE)
    seconde.refresh_from_db()
    enregistrer_notes(participant(seconde), {(besoin(seconde, "Transport"), None): 5})
    page = (
        client_de(charte.membres.get().utilisateur)
        .get(reverse("priorisation:comparer", args=[charte.slug]))
        .content.decode()
    )
    ligne_transport = page[page.index(">Transport<") :].split("</tr>")[0]
    assert "3<sup>e</sup>" in ligne_transport and "1<sup>er</sup>" in ligne_transport


@pytest.mark.parametrize(
    ("modification", "message"),
    [
        ({"lignes-0-regroupes": "<script>"}, "Sélectionnez un choix valide"),
        ({"lignes-0-besoin": "abc"}, "La page envoyée était incomplète : rechargez-la"),
        ({"lignes-0-justification": "a\x00b"}, "Le caractère nul n’est pas autorisé."),
        ({"lignes-TOTAL_FORMS": "99999999999999999999"}, "Veuillez soumettre au plus 1000 formulaires."),
    ],
)
def test_une_decision_alteree_est_refusee_en_francais(client_de, charte, modification, message):
    """Found by tests/hostile: these refusals left the page unchanged, without a word."""
    seance = seance_de(charte)
    voter_et_clore(seance)
    client = client_de(charte.membres.get().utilisateur)
    url = reverse("priorisation:decision", args=[charte.slug, seance.pk])
    reponse = client.post(url, donnees([(besoin(seance, "Santé"), True, "Accéder aux soins", [])]) | modification)
    assert reponse.status_code == 200
    assert message in reponse.content.decode().replace("&#x27;", "'")
    assert not Priorite.objects.exists()
