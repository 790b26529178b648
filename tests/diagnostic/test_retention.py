"""Retention: after a charter's end + RETENTION_REPONSES_MOIS, the families' raw answers go, the results stay."""

import datetime
import os
import secrets
import subprocess
import sys

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from charte.fraicheur import cle_de_version
from charte.models import Journal
from diagnostic.comptages import recompter
from diagnostic.models import Enquete, Reponse, Valeur
from diagnostic.services import creer_enquete, enregistrer_reponse
from diagnostic.tasks import appliquer_retention
from evaluation.comparaison import comparer
from rapports.contextes import chiffres_de_l_enquete, profil_des_repondants
from territoires.models import Famille
from tests.diagnostic.conftest import QUESTIONNAIRE, option, question
from tests.factories import CharteFactory

TEXTE_LIBRE = "MARQUEUR-IDEE-RETENTION"
TEXTE_AUTRE = "MARQUEUR-AUTRE-RETENTION"
IL_Y_A_UNE_HEURE = datetime.timedelta(hours=1)


@pytest.fixture
def charte(db):
    """A charter launched in January 2020: its last stage ended in September 2023, long enough ago."""
    return CharteFactory(date_debut=datetime.date(2020, 1, 6))


def repondre(enquete, garde, *, idee="", autre="", commune=None, il_y_a=IL_Y_A_UNE_HEURE):
    """One household's answers: every kind of question, with free text when given."""
    choix = option(enquete, "garde", garde)
    valeurs = [
        {"question": choix.question, "option": choix, "texte": autre},
        {"question": question(enquete, "satisfaction"), "nombre": 4 if garde == "Crèche" else 2},
        {"question": question(enquete, "distance"), "nombre": 12},
    ]
    valeurs += [
        {"question": ligne.question, "option": ligne, "nombre": 3}
        for ligne in question(enquete, "services").options.all()
    ]
    if garde == "Crèche":
        valeurs.append({"question": question(enquete, "difficulte"), "option": option(enquete, "difficulte", "Coût")})
    if idee:
        valeurs.append({"question": question(enquete, "idee"), "texte": idee})
    profil = {
        "commune": commune or enquete.charte.communes.order_by("nom").first(),
        "nombre_adultes": 1,
        "nombre_enfants": 2,
        "ages_enfants": [1, 4],
        "monoparentale": True,
        "etape_vie": "petite_enfance",
        "affiliation_msa": "oui",
    }
    reponse, _ = enregistrer_reponse(
        enquete, profil=profil, valeurs=valeurs, canal=Reponse.Canal.PAPIER, jeton=secrets.token_hex(8)
    )
    Reponse.objects.filter(pk=reponse.pk).update(soumise_le=timezone.now() - il_y_a)
    return reponse


def repondre_plusieurs(enquete):
    repondre(enquete, "Crèche", idee=f"{TEXTE_LIBRE} 1")
    repondre(enquete, "Crèche")
    repondre(enquete, "Grands-parents", idee=f"{TEXTE_LIBRE} 2")
    repondre(enquete, "Autre", autre=TEXTE_AUTRE)


def chiffres(client, enquete):
    """What the results page shows: answers, then per question respondents, bars, grid and mean."""
    page = client.get(reverse("diagnostic:resultats", args=[enquete.charte.slug, enquete.pk]))
    assert page.status_code == 200
    par_question = [
        (
            r.question.code,
            r.repondants,
            [b.effectif for b in r.barres],
            [[b.effectif for b in barres] for _libelle, barres, _moyenne in r.grille],
            r.moyenne,
        )
        for r in page.context["resultats"]
    ]
    return page.context["nb_filtrees"], par_question


def export_agrege(client, enquete):
    return client.get(reverse("diagnostic:export_resultats", args=[enquete.charte.slug, enquete.pk, "csv"])).content


def contenus(client, enquete):
    """Every page and file of the survey a coordinator reads, as one text."""
    slug = enquete.charte.slug
    adresses = [
        reverse("diagnostic:resultats", args=[slug, enquete.pk]),
        reverse("diagnostic:export_reponses", args=[slug, enquete.pk, "csv"]),
        reverse("diagnostic:export_resultats", args=[slug, enquete.pk, "csv"]),
    ]
    return "".join(client.get(a).content.decode("utf-8-sig") for a in adresses)


def test_la_retention_garde_les_chiffres_et_supprime_textes_et_profils(
    enquete, personnes, client_de, django_capture_on_commit_callbacks
):
    repondre_plusieurs(enquete)
    recente = repondre(enquete, "Crèche", idee="arrivée à l'instant", il_y_a=datetime.timedelta(0))
    client = client_de(personnes["coordinateur"])
    avant, export_avant = chiffres(client, enquete), export_agrege(client, enquete)
    assert avant[0] == 5 and TEXTE_LIBRE in contenus(client, enquete) and TEXTE_AUTRE in contenus(client, enquete)

    version = cache.get(cle_de_version(enquete.charte_id))
    with django_capture_on_commit_callbacks(execute=True):
        appliquer_retention.delay()  # what celery beat runs each night (in-process in the tests)
    # The charter's cached summaries (dashboard…) are computed afresh, as after a change made on a page.
    assert cache.get(cle_de_version(enquete.charte_id)) != version

    enquete.refresh_from_db()
    assert enquete.anonymisee_le is not None and enquete.statut == Enquete.Statut.CLOSE
    anciennes = enquete.reponses.exclude(pk=recente.pk)
    assert anciennes.count() == 4 and not anciennes.filter(famille__isnull=False).exists()
    assert not Valeur.objects.filter(reponse__in=anciennes).exists()
    assert Famille.objects.count() == 1  # only the household that answered a moment ago (kept until the next run)
    # The results page and the aggregated export give the same figures; no free text is left anywhere.
    assert chiffres(client, enquete) == avant
    assert export_agrege(client, enquete) == export_avant
    texte = contenus(client, enquete)
    assert TEXTE_LIBRE not in texte and TEXTE_AUTRE not in texte and "Réponses anonymisées le" in texte
    entree = Journal.objects.get(charte=enquete.charte, action__startswith="Rétention")
    assert entree.auteur is None
    assert (
        "(4 réponses) : 24 valeurs dont 3 textes libres, 4 profils de foyer supprimés ; questionnaire clos"
        in entree.action
    )


def test_simulation_puis_application_puis_second_passage(enquete, capsys):
    repondre_plusieurs(enquete)
    etat = (Valeur.objects.count(), Famille.objects.count(), Journal.objects.count(), Enquete.objects.get().statut)

    call_command("appliquer_retention", "--dry-run")
    sortie = capsys.readouterr().out
    assert "(4 réponses) : 24 valeurs dont 3 textes libres, 4 profils de foyer à supprimer" in sortie
    assert "rien n'a été modifié" in sortie
    assert (
        Valeur.objects.count(),
        Famille.objects.count(),
        Journal.objects.count(),
        Enquete.objects.get().statut,
    ) == etat

    call_command("appliquer_retention")
    assert "1 questionnaire(s) anonymisé(s)" in capsys.readouterr().out
    assert not Valeur.objects.exists() and not Famille.objects.exists()
    journal = Journal.objects.count()

    call_command("appliquer_retention")
    assert "Aucune réponse à anonymiser" in capsys.readouterr().out
    assert Journal.objects.count() == journal


def test_une_charte_pas_encore_echue_n_est_pas_touchee(enquete):
    en_cours = creer_enquete(CharteFactory(), QUESTIONNAIRE, par=None)  # launched in January 2025: ends in 2028
    repondre_plusieurs(en_cours)
    repondre_plusieurs(enquete)
    call_command("appliquer_retention")
    assert not Valeur.objects.filter(reponse__enquete=enquete).exists()
    assert Valeur.objects.filter(reponse__enquete=en_cours).count() == 24
    assert en_cours.reponses.filter(famille__isnull=False).count() == 4
    en_cours.refresh_from_db()
    assert en_cours.anonymisee_le is None
    assert not Journal.objects.filter(charte=en_cours.charte, action__startswith="Rétention").exists()


def test_le_delai_de_conservation_se_regle(enquete, settings):
    repondre_plusieurs(enquete)
    # The charter ended on 6 September 2023: 12 years later is still to come.
    settings.RETENTION_REPONSES_MOIS = 12 * 12
    call_command("appliquer_retention")
    assert Valeur.objects.count() == 24 and enquete.reponses.filter(famille__isnull=False).count() == 4


def test_les_comptes_d_une_enquete_anonymisee_ne_se_recalculent_plus(enquete):
    repondre_plusieurs(enquete)
    call_command("appliquer_retention")
    with pytest.raises(ValidationError, match="anonymisées"):
        recompter(enquete)


def test_un_delai_negatif_arrete_le_demarrage():
    environnement = {**os.environ, "RETENTION_REPONSES_MOIS": "-3"}
    sortie = subprocess.run(
        [sys.executable, "-c", "import charte.settings"], env=environnement, capture_output=True, text=True
    )
    assert sortie.returncode != 0 and "RETENTION_REPONSES_MOIS=-3" in sortie.stderr


def test_la_comparaison_avant_apres_garde_ses_chiffres(enquete):
    satisfaction = creer_enquete(enquete.charte, QUESTIONNAIRE, par=None, titre="Satisfaction")
    repondre_plusieurs(enquete)
    repondre(satisfaction, "Crèche")
    repondre(satisfaction, "Grands-parents")

    def chiffres_compares():
        cache.clear()  # computed afresh from what the database holds now
        return [
            (c.code, c.repondants_avant, c.repondants_apres, c.moyenne_avant, c.moyenne_apres, repr(c.categories))
            for c in comparer(enquete, satisfaction)
        ]

    avant = chiffres_compares()
    call_command("appliquer_retention")
    assert not Valeur.objects.exists()
    assert chiffres_compares() == avant
    assert avant[0][:3] == ("garde", 4, 2)


def test_les_rapports_ne_comptent_plus_les_profils_supprimes_comme_des_zeros(enquete):
    """After retention the report says « — » for the household shares, not 0 %; answers still count."""
    repondre_plusieurs(enquete)
    avant = chiffres_de_l_enquete(enquete.charte)
    assert (avant["repondants"], avant["part_monoparentales"], avant["part_msa"]) == (4, 100, 100)

    call_command("appliquer_retention")

    apres = chiffres_de_l_enquete(enquete.charte)
    assert (apres["repondants"], apres["part_monoparentales"], apres["part_msa"]) == (4, None, None)
    assert profil_des_repondants(enquete.charte, apres["avec_profil"]) == ""
