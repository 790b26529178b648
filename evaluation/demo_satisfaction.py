"""Demo satisfaction survey of the Aire à l'Argonne charter (autumn 2026) and a draft final assessment.

The survey is built from the demo diagnostic survey by the application's own function, so its codes
compare; ~60 households answer, with distributions that moved where the plan acted (childcare,
parents' support, access to care and to rights). Two realised actions get their evaluation grid, drafted
by their pilot (one validated by the coordinator). Idempotent: a second run changes nothing.
"""

import datetime
import random

from django.db import transaction

from charte.models import Membre
from diagnostic.demo import TITRE as TITRE_DIAGNOSTIC
from diagnostic.demo import choisir, repondre
from diagnostic.models import Enquete, Question, Valeur
from evaluation.comparaison import creer_enquete_satisfaction
from evaluation.models import BilanFinal
from evaluation.views_bilan import appreciations_de, enregistrer_grille, jeton_de
from plan_actions.models import FicheAction

SLUG = "cc-de-laire-a-largonne"
TITRE = "Enquête de satisfaction des familles de l'Aire à l'Argonne — automne 2026"
NB_REPONSES = 60
DEBUT_COLLECTE = datetime.datetime(2026, 10, 5, 8, tzinfo=datetime.UTC)
DUREE_COLLECTE_JOURS = 42

# Weights per option (choices) or per level 1 to 5 (scales and grids), where the answers moved since the
# diagnostic; the other questions are answered as in the diagnostic demo.
POIDS = {
    "pe2": [30, 50, 20],  # fewer families struggled to find childcare (diagnostic: about 55 % « Oui »)
    "pe4": [5, 15, 30, 35, 15],  # the childcare offer is judged better
    "pa1": [15, 35, 30, 15, 5],  # parents a little less exhausted
    "pa3": [58, 22, 12, 8],  # more parents know, and went to, a place to be listened to
    "sa1": [60, 22, 12, 6],
    "sa3": [28, 62, 10],  # fewer gave up care
    "as1": [20, 35, 30, 10, 5],  # less isolation
    "ac3": [25, 55, 20],  # fewer difficulties with paperwork
    "vp2": [4, 12, 34, 36, 14],  # more satisfied with family life on the territory
    "sat1": [6, 18, 34, 30, 12],
    "sat4": [35, 40, 25],
}
ECHELLE_DIAGNOSTIC = [10, 25, 35, 20, 10]
TEXTES = [
    "Le relais petite enfance qui passe dans le village a tout changé pour nous.",
    "Les ateliers parents du samedi matin : à continuer absolument.",
    "Le transport à la demande pour les ados est encore trop peu connu.",
    "Toujours difficile d'avoir un rendez-vous chez le médecin.",
    "Merci de nous avoir redemandé notre avis.",
]


def creer_demo_satisfaction(charte, coordinateur):
    """The satisfaction survey with its answers and a draft final assessment, once."""
    source = Enquete.objects.filter(charte=charte, titre=TITRE_DIAGNOSTIC).first()
    if charte.slug != SLUG or source is None:
        return
    with transaction.atomic():
        enquete = Enquete.objects.filter(charte=charte, titre=TITRE).first()
        if enquete is None:
            enquete = creer_enquete_satisfaction(charte, source, par=coordinateur, titre=TITRE)
            enquete.statut = Enquete.Statut.PUBLIEE
            enquete.ouverture = DEBUT_COLLECTE.date()
            enquete.fermeture = datetime.date(2026, 12, 15)
            enquete.save()
            enquete.questions.exclude(type__in=Question.TYPES_TEXTE).update(resultats_publies=True)
            repondre(
                enquete,
                random.Random(2026),
                NB_REPONSES,
                debut=DEBUT_COLLECTE,
                jours=DUREE_COLLECTE_JOURS,
                papier=0.3,
                valeurs_de=valeurs,
            )
        evaluer_des_actions(charte, coordinateur)
        rediger_bilan(charte, source, enquete)


def valeurs(hasard, reponse, questions):
    """One household's answers: as in the diagnostic demo, with the weights of POIDS where things moved."""
    cochees = set()
    for question in questions:
        if question.condition_option_id and question.condition_option_id not in cochees:
            continue
        if not question.obligatoire and hasard.random() < (0.8 if question.type in Question.TYPES_TEXTE else 0.15):
            continue
        options = list(question.options.all())
        poids = POIDS.get(question.code)
        if question.a_des_options:
            if poids and question.type == Question.Type.CHOIX_UNIQUE:
                choisies = hasard.choices(options, weights=poids)
            else:
                choisies = choisir(hasard, question, options)
            cochees |= {o.pk for o in choisies}
            for option in choisies:
                yield Valeur(reponse=reponse, question=question, option=option, texte="Autre" if option.autre else "")
        elif question.type == Question.Type.ECHELLE:
            yield Valeur(reponse=reponse, question=question, nombre=_niveau(hasard, poids))
        elif question.est_grille:
            for option in options:
                yield Valeur(reponse=reponse, question=question, option=option, nombre=_niveau(hasard, poids))
        elif question.type == Question.Type.NOMBRE:
            haut = float(question.maximum or 50)
            valeur = min(max(round(hasard.gauss(haut / 9, haut / 12)), float(question.minimum or 0)), haut)
            yield Valeur(reponse=reponse, question=question, nombre=valeur)
        else:
            yield Valeur(reponse=reponse, question=question, texte=hasard.choice(TEXTES))


def _niveau(hasard, poids):
    return hasard.choices(range(1, 6), poids or ECHELLE_DIAGNOSTIC)[0]


GRILLE = {
    "pertinence": (4, "Répond directement à un besoin relevé par l'enquête de 2025 et confirmé en entretiens."),
    "coherence": (
        3,
        "Articulée avec l'offre de la CAF et du Département ; le lien avec les communes reste à renforcer.",
    ),
    "efficacite": (3, "La plupart des cibles des indicateurs sont atteintes ou en bonne voie."),
    "efficience": (3, "Budget tenu ; le temps d'animation avait été sous-estimé la première année."),
    "impact": (3, "À l'automne 2026, les familles disent rencontrer moins de difficultés sur ce point."),
}
DURABILITE = [
    (3, "La communauté de communes reprend le portage ; le financement de la CAF court jusqu'en 2028."),
    (2, "Aucun porteur identifié après 2028 : à traiter dans les recommandations."),
]


def evaluer_des_actions(charte, coordinateur):
    """The grids of the first two realised actions: drafted by their pilot, the first validated."""
    fiches = FicheAction.objects.de(charte).filter(statut=FicheAction.Statut.REALISEE).order_by("numero")[:2]
    for fiche, (niveau, raison) in zip(fiches, DURABILITE, strict=False):
        fiche.charte = charte
        if appreciations_de(fiche):
            continue
        membre = Membre.objects.filter(charte=charte, organisation=fiche.pilote_id).exclude(
            role=Membre.Role.OBSERVATEUR
        )
        pilote = getattr(membre.select_related("utilisateur").first(), "utilisateur", coordinateur)
        enregistrer_grille(fiche, GRILLE | {"durabilite": (niveau, raison)}, pilote, jeton_de({}))
        if fiche == fiches[0]:
            saisies = GRILLE | {"durabilite": (niveau, raison)}
            enregistrer_grille(fiche, saisies, coordinateur, jeton_de(appreciations_de(fiche)), valider=True)


REALISATIONS = (
    "À mi-parcours, la plupart des actions du plan sont engagées. Le relais petite enfance itinérant tourne "
    "dans cinq communes et la micro-crèche aux horaires agricoles a ouvert ; les ateliers parents et le lieu "
    "d'écoute fonctionnent depuis le printemps 2026. Le transport à la demande pour les jeunes reste à lancer."
)
AVIS = (
    "L'enquête de satisfaction de l'automne 2026 (environ 60 familles) montre moins de difficultés pour faire "
    "garder les jeunes enfants, des parents qui connaissent mieux les lieux où être écoutés et moins de "
    "renoncements aux soins qu'au diagnostic de 2025. Les familles demandent de mieux faire connaître les "
    "services nouveaux."
)
RECOMMANDATIONS = (
    "Confier le pilotage à la communauté de communes, avec un comité de suivi annuel réunissant la CAF, le "
    "Département, l'ARS et des familles. Inscrire le relais et la micro-crèche dans la convention territoriale "
    "globale (CTG) pour pérenniser leur financement. La MSA reste partenaire."
)


def rediger_bilan(charte, source, enquete):
    """A draft assessment (not adopted); texts someone already wrote are kept."""
    bilan, _ = BilanFinal.objects.get_or_create(charte=charte)
    textes = {"realisations": REALISATIONS, "avis_des_familles": AVIS, "recommandations": RECOMMANDATIONS}
    a_remplir = {champ: texte for champ, texte in textes.items() if not getattr(bilan, champ)}
    if not bilan.enquete_avant_id:
        a_remplir["enquete_avant"] = source
    if not bilan.enquete_apres_id:
        a_remplir["enquete_apres"] = enquete
    if a_remplir:
        BilanFinal.objects.filter(pk=bilan.pk).update(**a_remplir)
