import datetime
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from diagnostic.models import Besoin
from priorisation.models import Note, Participant, Seance
from priorisation.services import classement, creer_seance, enregistrer_notes
from tests.factories import CharteFactory


def seance_de(charte, mode=Seance.Mode.MULTICRITERE, seuil=1, points=10):
    for titre in ("Garde", "Transport", "Santé"):
        Besoin.objects.create(charte=charte, domaine="sante", titre=titre)
    seance = creer_seance(
        charte, titre="Séance", date=datetime.date(2025, 6, 1), mode=mode, points=points, seuil=seuil, par=None
    )
    seance.statut = Seance.Statut.OUVERTE
    seance.save()
    return seance


def besoin(seance, titre):
    return seance.besoins.get(titre=titre).pk


def participant(seance, college="familles"):
    return Participant.objects.create(seance=seance, college=college)


@pytest.fixture
def seance(charte):
    return seance_de(charte)


def test_les_poids_des_criteres_comme_a_la_main(seance):
    importance, urgence, faisabilite = seance.criteres.all()
    importance.poids = Decimal("2")
    importance.save()
    garde = besoin(seance, "Garde")
    alice, bruno = participant(seance), participant(seance, "elus")
    enregistrer_notes(alice, {(garde, importance.pk): 5, (garde, urgence.pk): 3, (garde, faisabilite.pk): 1})
    enregistrer_notes(bruno, {(garde, importance.pk): 2, (garde, urgence.pk): 2, (garde, faisabilite.pk): 2})
    # alice: (2×5 + 3 + 1) / 4 = 3.5 ; bruno: 2 ; mean 2.75 ; population std dev 0.75
    ligne = next(ligne for ligne in classement(seance) if ligne.besoin.pk == garde)
    assert ligne.score == pytest.approx(2.75)
    assert ligne.dispersion == pytest.approx(0.75)
    assert ligne.par_college["familles"] == pytest.approx(3.5) and ligne.par_college["elus"] == pytest.approx(2)
    assert ligne.votants == 2


def test_le_classement_suit_les_scores(seance):
    critere = seance.criteres.first()
    p = participant(seance)
    enregistrer_notes(p, {(besoin(seance, "Garde"), critere.pk): 2, (besoin(seance, "Santé"), critere.pk): 5})
    assert [ligne.besoin.titre for ligne in classement(seance)] == ["Santé", "Garde", "Transport"]


def test_un_college_trop_petit_ne_montre_pas_son_detail(charte):
    seance = seance_de(charte, seuil=2)
    critere, garde = seance.criteres.first(), besoin(seance, "Garde")
    for college in ("familles", "familles", "elus"):
        enregistrer_notes(participant(seance, college), {(garde, critere.pk): 4})
    ligne = next(ligne for ligne in classement(seance) if ligne.besoin.pk == garde)
    assert ligne.par_college["familles"] == 4 and ligne.par_college["elus"] is None
    assert ligne.score == 4


def test_les_gommettes_ne_depassent_pas_les_points_disponibles(charte):
    seance = seance_de(charte, mode=Seance.Mode.GOMMETTES, points=5)
    p = participant(seance)
    enregistrer_notes(p, {(besoin(seance, "Garde"), None): 3, (besoin(seance, "Santé"), None): 2})
    with pytest.raises(ValidationError, match="6 points pour 5 disponibles"):
        enregistrer_notes(p, {(besoin(seance, "Transport"), None): 1})
    assert sorted(Note.objects.values_list("valeur", flat=True)) == [2, 3]  # nothing half-saved
    enregistrer_notes(p, {(besoin(seance, "Garde"), None): 2, (besoin(seance, "Transport"), None): 1})
    autre = participant(seance, "elus")
    enregistrer_notes(autre, {(besoin(seance, "Transport"), None): 5})
    scores = {ligne.besoin.titre: ligne.score for ligne in classement(seance)}
    assert scores == {"Transport": 6, "Garde": 2, "Santé": 2}


@pytest.mark.parametrize("valeur", [0, 6])
def test_une_note_hors_echelle_est_refusee(seance, valeur):
    with pytest.raises(ValidationError, match="de 1 à 5"):
        enregistrer_notes(participant(seance), {(besoin(seance, "Garde"), seance.criteres.first().pk): valeur})


def test_on_ne_vote_ni_sur_une_seance_close_ni_sur_un_besoin_etranger(seance):
    p, critere = participant(seance), seance.criteres.first()
    etranger = Besoin.objects.create(charte=CharteFactory(), domaine="sante", titre="Ailleurs")
    with pytest.raises(ValidationError, match="ne fait pas partie"):
        enregistrer_notes(p, {(etranger.pk, critere.pk): 3})
    Seance.objects.filter(pk=seance.pk).update(statut=Seance.Statut.CLOSE)
    with pytest.raises(ValidationError, match="pas ouverte"):
        enregistrer_notes(p, {(besoin(seance, "Garde"), critere.pk): 3})
    assert not Note.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_deux_participants_enregistrent_en_meme_temps_rien_n_est_perdu():
    seance = seance_de(CharteFactory())
    critere, garde = seance.criteres.first(), besoin(seance, "Garde")
    participants = [participant(seance) for _ in range(6)]
    depart, erreurs = threading.Barrier(len(participants)), []

    def voter(p, note):
        try:
            depart.wait()
            enregistrer_notes(p, {(garde, critere.pk): note})
        except Exception as erreur:  # reported below: a thread's failure must fail the test
            erreurs.append(erreur)
        finally:
            connection.close()

    fils = [threading.Thread(target=voter, args=(p, 1 + i % 5)) for i, p in enumerate(participants)]
    for f in fils:
        f.start()
    for f in fils:
        f.join()
    assert not erreurs
    assert Note.objects.filter(besoin_id=garde).count() == 6
