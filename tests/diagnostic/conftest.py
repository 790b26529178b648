import secrets

import pytest

from diagnostic.models import Enquete, Reponse, Valeur
from diagnostic.services import creer_enquete
from territoires.models import Famille
from tests.factories import CommuneFactory

QUESTIONNAIRE = {
    "titre": "Questionnaire d'essai",
    "introduction": "Pour tester.",
    "sections": [
        {
            "titre": "Petite enfance",
            "domaine": "petite_enfance",
            "questions": [
                {
                    "code": "garde",
                    "texte": "Qui garde votre enfant ?",
                    "type": "choix_unique",
                    "obligatoire": True,
                    "options": [
                        {"libelle": "Crèche"},
                        {"libelle": "Grands-parents"},
                        {"libelle": "Autre", "autre": True},
                    ],
                },
                {
                    "code": "difficulte",
                    "texte": "Difficultés ?",
                    "type": "choix_multiple",
                    "options": [{"libelle": "Horaires"}, {"libelle": "Coût"}, {"libelle": "Distance"}],
                    "condition": {"question": "garde", "option": "Crèche"},
                },
                {
                    "code": "satisfaction",
                    "texte": "Satisfaction ?",
                    "type": "echelle",
                    "libelles_echelle": ["Très mauvais", "Mauvais", "Moyen", "Bon", "Très bon"],
                },
                {"code": "distance", "texte": "Distance (km) ?", "type": "nombre", "min": 0, "max": 200, "unite": "km"},
                {
                    "code": "services",
                    "texte": "Notez les services",
                    "type": "grille",
                    "items": ["Crèche", "PMI"],
                    "libelles_echelle": ["1", "2", "3", "4", "5"],
                },
                {"code": "idee", "texte": "Une idée ?", "type": "texte_long"},
            ],
        }
    ],
}


@pytest.fixture
def enquete(charte):
    for nom in ("Beausite", "Triaucourt"):
        charte.communes.add(CommuneFactory(nom=nom, territoire=charte.territoire))
    enquete = creer_enquete(charte, QUESTIONNAIRE, par=None)
    enquete.statut = Enquete.Statut.PUBLIEE
    enquete.save()
    return enquete


def question(enquete, code):
    return enquete.questions.get(code=code)


def option(enquete, code, libelle):
    return question(enquete, code).options.get(libelle=libelle)


def profil(enquete, **autres):
    commune = enquete.charte.communes.order_by("nom").first()
    return {
        "commune": commune.pk,
        "nombre_adultes": 2,
        "nombre_enfants": 1,
        "ages_enfants": "2",
        "monoparentale": "non",
        "etape_vie": "petite_enfance",
        "affiliation_msa": "oui",
        "jeton": secrets.token_urlsafe(16),
    } | autres


def repondre_en_masse(enquete, n, commune=None):
    """n stored answers (crèche, satisfaction 4, 12 km), created in bulk for size tests."""
    commune = commune or enquete.charte.communes.first()
    familles = Famille.objects.bulk_create(Famille(commune=commune, nombre_enfants=0) for _ in range(n))
    reponses = Reponse.objects.bulk_create(
        Reponse(enquete=enquete, famille=f, jeton_soumission=secrets.token_hex(16)) for f in familles
    )
    creche, satisfaction, distance = (
        option(enquete, "garde", "Crèche"),
        question(enquete, "satisfaction"),
        question(enquete, "distance"),
    )
    Valeur.objects.bulk_create(
        v
        for r in reponses
        for v in (
            Valeur(reponse=r, question=creche.question, option=creche),
            Valeur(reponse=r, question=satisfaction, nombre=4),
            Valeur(reponse=r, question=distance, nombre=12),
        )
    )
