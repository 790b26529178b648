"""The national data generator (issue #8): what it writes, counts that match the answers, pages that open."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from charte.models import Charte, Membre
from diagnostic.comptages import recompter
from diagnostic.models import Comptage, Enquete, Reponse, Valeur
from evaluation.models import Indicateur, Mesure
from plan_actions.models import FicheAction, Financement, LigneBudget
from rapports.national import MARQUE
from territoires.models import Famille
from territoires.services import charger_referentiel, lire_referentiel

pytestmark = pytest.mark.django_db


TABLES_DES_REPONSES = [modele._meta.db_table for modele in (Famille, Reponse, Valeur)]


def index_et_contraintes():
    with connection.cursor() as curseur:
        curseur.execute("SELECT indexdef FROM pg_indexes WHERE tablename = ANY(%s)", [TABLES_DES_REPONSES])
        index = {ligne[0] for ligne in curseur.fetchall()}
        curseur.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = ANY(%s::regclass[])",
            [TABLES_DES_REPONSES],
        )
        return index, set(curseur.fetchall())


@pytest.fixture
def avant():
    return index_et_contraintes()


@pytest.fixture
def chartes(avant):
    # Two small real EPCIs: loading the whole reference data would only slow the test down.
    petits = sorted(lire_referentiel()["epci"], key=lambda ligne: ligne[3])[:2]
    charger_referentiel({ligne[0] for ligne in petits})
    call_command("generer_national", chartes=2, reponses=20, stdout=io.StringIO())
    return list(Charte.objects.filter(nom__endswith=MARQUE))


def test_les_volumes_par_charte(chartes):
    assert len(chartes) == 2
    for charte in chartes:
        assert charte.membres.count() == 30
        assert charte.membres.filter(role=Membre.Role.COORDINATEUR).count() == 1
        assert charte.communes.exists() and charte.etapes.count() == 4
        enquete = charte.enquetes.get()
        assert enquete.statut == Enquete.Statut.PUBLIEE
        assert Reponse.objects.filter(enquete=enquete).count() == 20
        assert Valeur.objects.filter(reponse__enquete=enquete).count() > 20 * 15
        assert charte.besoins.count() == 12 and charte.priorites.count() == 6
        assert charte.fiches.count() == 60
        assert charte.indicateurs.count() == 100
    fiches = FicheAction.objects.filter(charte__in=chartes)
    assert LigneBudget.objects.filter(fiche__in=fiches).count() == 2 * 60 * 3
    assert Financement.objects.filter(fiche__in=fiches).count() >= 2 * 60 * 2
    assert Mesure.objects.filter(indicateur__in=Indicateur.objects.filter(charte__in=chartes)).count() == 2 * 100 * 4


def test_les_comptes_des_resultats_sont_ceux_des_reponses(chartes):
    """The counts written with the answers equal those the application rebuilds from the rows."""
    enquete = chartes[0].enquetes.get()
    assert enquete.comptee_jusqu_a == max(enquete.reponses.values_list("pk", flat=True))
    ecrits = set(Comptage.objects.filter(question__enquete=enquete).values_list("question", "cle", "effectif"))
    recompter(enquete)
    assert ecrits == set(Comptage.objects.filter(question__enquete=enquete).values_list("question", "cle", "effectif"))


def test_les_pages_d_une_charte_generee_s_ouvrent(chartes, client_de):
    charte = chartes[0]
    enquete = charte.enquetes.get()
    client = client_de(charte.membres.get(role=Membre.Role.COORDINATEUR).utilisateur)
    for url in [
        reverse("rapports:tableau_de_bord", args=[charte.slug]),
        reverse("diagnostic:resultats", args=[charte.slug, enquete.pk]),
        reverse("plan_actions:plan", args=[charte.slug]),
    ]:
        assert client.get(url).status_code == 200, url
    assert "20 réponses" in client.get(reverse("diagnostic:resultats", args=[charte.slug, enquete.pk])).text


def test_les_index_et_contraintes_des_reponses_sont_reconstruits(chartes, avant):
    """The answers are loaded without indexes or foreign keys: every one is back, and enforced, afterwards."""
    assert index_et_contraintes() == avant
    question = chartes[0].enquetes.get().questions.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Valeur.objects.create(reponse_id=10**9, question=question, texte="sans réponse")


def test_un_second_passage_est_refuse(chartes):
    with pytest.raises(CommandError, match="déjà un jeu national"):
        call_command("generer_national", chartes=1, reponses=5)
