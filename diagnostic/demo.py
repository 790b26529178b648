"""Demo diagnostic of the Aire à l'Argonne charter: the template survey and ~300 plausible answers."""

import datetime
import random
import secrets

from django.db import transaction

from diagnostic.models import Enquete, Question, Reponse, Valeur
from diagnostic.services import creer_enquete, lire_gabarit
from territoires.models import Famille

TITRE = "Questionnaire aux familles de l'Aire à l'Argonne"
NB_REPONSES = 300
DEBUT_COLLECTE = datetime.datetime(2025, 1, 20, 9, tzinfo=datetime.UTC)
DUREE_COLLECTE_JOURS = 80
TEXTES = [
    "Il manque une crèche ou une micro-crèche près de chez nous, les horaires ne collent pas avec le travail à la ferme.",
    "Un lieu pour que les parents se retrouvent et échangent, même une fois par mois.",
    "Des activités pour les ados le mercredi et pendant les vacances, sans devoir faire 30 km.",
    "Le médecin est parti à la retraite, on attend des semaines pour un rendez-vous.",
    "Un transport à la demande pour les jeunes qui n'ont pas le permis.",
    "Plus d'informations sur les aides : on ne sait pas à quoi on a droit.",
    "Merci de nous demander notre avis.",
]
AGES_PAR_ETAPE = {
    "grossesse": (0, 0),
    "petite_enfance": (0, 3),
    "enfance": (3, 11),
    "adolescence": (12, 17),
    "jeunes_adultes": (18, 25),
    "grands_parents": (18, 30),
}


def creer_demo_diagnostic(charte, coordinateur):
    if Enquete.objects.filter(charte=charte, titre=TITRE).exists():
        return
    with transaction.atomic():
        enquete = creer_enquete(charte, lire_gabarit(), par=coordinateur, titre=TITRE)
        enquete.statut = Enquete.Statut.CLOSE
        enquete.ouverture, enquete.fermeture = (
            DEBUT_COLLECTE.date(),
            (DEBUT_COLLECTE + datetime.timedelta(days=DUREE_COLLECTE_JOURS)).date(),
        )
        enquete.save()
        enquete.questions.exclude(type__in=Question.TYPES_TEXTE).update(resultats_publies=True)
        repondre(enquete, random.Random(2025))


def repondre(enquete, hasard):
    communes = list(enquete.charte.communes.all())
    questions = list(enquete.questions.prefetch_related("options").select_related("condition_option"))
    familles = Famille.objects.bulk_create(profil(hasard, communes) for _ in range(NB_REPONSES))
    reponses = Reponse.objects.bulk_create(
        Reponse(
            enquete=enquete,
            famille=famille,
            canal=Reponse.Canal.PAPIER if hasard.random() < 0.2 else Reponse.Canal.EN_LIGNE,
            soumise_le=DEBUT_COLLECTE + datetime.timedelta(minutes=hasard.randrange(DUREE_COLLECTE_JOURS * 24 * 60)),
            jeton_soumission=secrets.token_hex(16),
        )
        for famille in familles
    )
    Valeur.objects.bulk_create(valeur for reponse in reponses for valeur in valeurs(hasard, reponse, questions))


def profil(hasard, communes):
    commune = hasard.choices(communes, weights=[c.population for c in communes])[0]
    etape = hasard.choices(list(AGES_PAR_ETAPE), weights=[5, 25, 35, 20, 8, 7])[0]
    seul = hasard.random() < 0.15
    nombre = 0 if etape == "grossesse" else hasard.choices([1, 2, 3, 4], weights=[35, 40, 18, 7])[0]
    mini, maxi = AGES_PAR_ETAPE[etape]
    return Famille(
        commune=commune,
        nombre_adultes=1 if seul else 2,
        monoparentale=seul,
        etape_vie=etape,
        nombre_enfants=nombre,
        ages_enfants=sorted(hasard.randint(mini, maxi) for _ in range(nombre)),
        affiliation_msa=hasard.choices(["oui", "non", "nsp"], weights=[30, 60, 10])[0],
    )


def valeurs(hasard, reponse, questions):
    cochees = set()
    for question in questions:
        if question.condition_option_id and question.condition_option_id not in cochees:
            continue
        if not question.obligatoire and hasard.random() < (0.85 if question.type in Question.TYPES_TEXTE else 0.25):
            continue
        options = list(question.options.all())
        if question.a_des_options:
            choisies = choisir(hasard, question, options)
            cochees |= {o.pk for o in choisies}
            for option in choisies:
                texte = hasard.choice(["Voisine", "Famille éloignée", "Autre solution"]) if option.autre else ""
                yield Valeur(reponse=reponse, question=question, option=option, texte=texte)
        elif question.type == Question.Type.ECHELLE:
            yield Valeur(
                reponse=reponse, question=question, nombre=hasard.choices(range(1, 6), [10, 25, 35, 20, 10])[0]
            )
        elif question.est_grille:
            for option in options:
                yield Valeur(
                    reponse=reponse,
                    question=question,
                    option=option,
                    nombre=hasard.choices(range(1, 6), [15, 25, 30, 20, 10])[0],
                )
        elif question.type == Question.Type.NOMBRE:
            haut = float(question.maximum or 50)
            valeur = min(max(round(hasard.gauss(haut / 8, haut / 12)), float(question.minimum or 0)), haut)
            yield Valeur(reponse=reponse, question=question, nombre=valeur)
        else:
            yield Valeur(reponse=reponse, question=question, texte=hasard.choice(TEXTES))


def choisir(hasard, question, options):
    """The first options are the common answers; « autre » is rare."""
    poids = [0.3 if o.autre else 1 / (rang + 1) for rang, o in enumerate(options)]
    if question.type == Question.Type.CHOIX_UNIQUE:
        return hasard.choices(options, weights=poids)
    choisies = [o for o, p in zip(options, poids, strict=True) if hasard.random() < min(0.7, p * 0.8)]
    return choisies or [options[0]]
