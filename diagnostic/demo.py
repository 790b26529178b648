"""Demo diagnostic of the Aire à l'Argonne charter: the template survey and ~300 plausible answers."""

import datetime
import random
import secrets

from django.db import transaction

from diagnostic.models import Besoin, DonneeTerritoriale, Enquete, Entretien, PreuveQuestion, Question, Reponse, Valeur
from diagnostic.resultats import constat_principal
from diagnostic.services import creer_enquete, lire_gabarit
from territoires.models import Famille, Organisation

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
        repondre(enquete, random.Random(2025), NB_REPONSES)


def repondre(enquete, hasard, nombre, *, debut=DEBUT_COLLECTE, jours=DUREE_COLLECTE_JOURS, papier=0.2, valeurs_de=None):
    """`nombre` plausible answers, stored in bulk (also used by the benchmarks for large surveys).

    Collected over `jours` days from `debut`, a share `papier` typed in from paper; `valeurs_de(hasard,
    reponse, questions)` draws each household's answers (the diagnostic's distributions by default).
    """
    valeurs_de = valeurs_de or valeurs
    communes = list(enquete.charte.communes.all())
    questions = list(enquete.questions.prefetch_related("options").select_related("condition_option"))
    familles = Famille.objects.bulk_create(profil(hasard, communes) for _ in range(nombre))
    reponses = Reponse.objects.bulk_create(
        Reponse(
            enquete=enquete,
            famille=famille,
            canal=Reponse.Canal.PAPIER if hasard.random() < papier else Reponse.Canal.EN_LIGNE,
            soumise_le=debut + datetime.timedelta(minutes=hasard.randrange(jours * 24 * 60)),
            jeton_soumission=secrets.token_hex(16),
        )
        for famille in familles
    )
    Valeur.objects.bulk_create(valeur for reponse in reponses for valeur in valeurs_de(hasard, reponse, questions))


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


# (domain, label, value, unit, organisation name, source)
DONNEES = [
    (
        "petite_enfance",
        "Places d'accueil collectif du jeune enfant (EAJE)",
        20,
        "places",
        "CAF de la Meuse",
        "CAF de la Meuse, fichier des EAJE au 31/12/2024",
    ),
    (
        "petite_enfance",
        "Assistantes maternelles en activité",
        38,
        "assistantes maternelles",
        "CAF de la Meuse",
        "CAF de la Meuse, Monenfant.fr",
    ),
    (
        "petite_enfance",
        "Taux de couverture petite enfance",
        48.5,
        "places pour 100 enfants de moins de 3 ans",
        "CAF de la Meuse",
        "CAF, indicateur national de couverture 2023",
    ),
    (
        "petite_enfance",
        "Naissances domiciliées",
        52,
        "naissances par an",
        "Conseil départemental de la Meuse",
        "PMI de la Meuse, 2024",
    ),
    ("parentalite", "Familles monoparentales allocataires", 96, "familles", "CAF de la Meuse", "CAF, 2024"),
    (
        "parentalite",
        "Actions de soutien à la parentalité financées (REAAP)",
        2,
        "actions",
        "CAF de la Meuse",
        "CAF, bilan REAAP 2024",
    ),
    (
        "enfance_jeunesse",
        "Places en accueil de loisirs le mercredi",
        64,
        "places",
        "CC de l'Aire à l'Argonne",
        "Service enfance de la communauté de communes",
    ),
    (
        "enfance_jeunesse",
        "Jeunes de 16 à 25 ans suivis par la mission locale",
        71,
        "jeunes",
        "Conseil départemental de la Meuse",
        "Mission locale, 2024",
    ),
    ("sante", "Médecins généralistes installés", 3, "médecins", "ARS Grand Est", "ARS Grand Est, RPPS 2025"),
    (
        "sante",
        "Distance moyenne à la maison de santé la plus proche",
        14.2,
        "km",
        "ARS Grand Est",
        "ARS Grand Est, distancier 2024",
    ),
    (
        "sante",
        "Enfants vus en bilan de santé de 4 ans en école maternelle",
        81,
        "%",
        "Conseil départemental de la Meuse",
        "PMI de la Meuse, 2023-2024",
    ),
    (
        "animation_sociale",
        "Associations familiales et de loisirs actives",
        27,
        "associations",
        "CC de l'Aire à l'Argonne",
        "Répertoire des associations",
    ),
    ("accompagnement", "Allocataires de la prime d'activité", 412, "foyers", "CAF de la Meuse", "CAF, 2024"),
    (
        "accompagnement",
        "Adhérents MSA (exploitants et salariés agricoles)",
        23,
        "% de la population",
        "MSA Lorraine",
        "MSA Lorraine, 2024",
    ),
]

ENTRETIENS = [
    (
        "famille",
        "Mère de trois enfants, exploitation laitière",
        ["petite_enfance", "accompagnement"],
        "Traite à 6 h et 18 h : aucune solution de garde aux horaires agricoles ; les grands-parents dépannent.",
    ),
    (
        "famille",
        "Père seul avec deux adolescents, commune sans commerce",
        ["enfance_jeunesse", "parentalite"],
        "Les ados restent à la maison faute de transport ; se sent seul face aux questions d'orientation.",
    ),
    (
        "acteur",
        "Directrice du multi-accueil de Triaucourt",
        ["petite_enfance"],
        "Liste d'attente de 15 familles ; demandes d'accueil occasionnel non satisfaites le samedi.",
    ),
    (
        "acteur",
        "Infirmière de PMI",
        ["sante", "parentalite"],
        "Baisse des consultations de nourrissons depuis le départ du médecin ; parents inquiets et isolés.",
    ),
    (
        "famille",
        "Grands-parents gardant leurs petits-enfants",
        ["parentalite", "animation_sociale"],
        "Heureux d'aider mais fatigués ; aimeraient un lieu pour rencontrer d'autres grands-parents.",
    ),
]

# (domain, title, description, question code cited or None, indexes of DONNEES, indexes of ENTRETIENS)
BESOINS = [
    (
        "petite_enfance",
        "Trouver un mode de garde compatible avec les horaires agricoles",
        "Les parents exploitants commencent tôt et finissent tard ; l'offre d'accueil suit les horaires de bureau.",
        "pe2",
        [0, 1, 2],
        [0, 2],
    ),
    ("petite_enfance", "Accéder à un accueil occasionnel ou d'urgence", "", "pe1", [0], [2]),
    ("parentalite", "Rompre l'isolement des parents face aux difficultés éducatives", "", "pa3", [4, 5], [1, 3]),
    ("parentalite", "Soutenir les grands-parents qui gardent leurs petits-enfants", "", "pa5", [], [4]),
    (
        "enfance_jeunesse",
        "Permettre aux adolescents de se déplacer vers les loisirs et les stages",
        "",
        "ej4",
        [7],
        [1],
    ),
    (
        "enfance_jeunesse",
        "Proposer des activités le mercredi et pendant les vacances près de chez soi",
        "",
        "ej1",
        [6],
        [],
    ),
    ("sante", "Accéder à un médecin et à la PMI sans longs trajets", "", "sa3", [8, 9], [3]),
    ("sante", "Prévenir l'épuisement des parents agriculteurs", "", "pa1", [], [0]),
    ("animation_sociale", "Créer des lieux et des temps de rencontre entre familles", "", "as3", [11], [4]),
    ("animation_sociale", "Faire connaître les événements et associations du territoire", "", "as2", [11], []),
    ("accompagnement", "Connaître et obtenir ses droits sans se perdre dans les démarches", "", "ac3", [12, 13], []),
    ("accompagnement", "Concilier vie professionnelle et vie familiale", "", "ac2", [12], [0]),
]


def creer_demo_synthese(charte, coordinateur):
    """Territory figures, interviews and the 12 needs of the demo diagnostic, with their evidence."""
    if charte.besoins.exists():
        return
    organisations = {o.nom: o for o in Organisation.objects.filter(nom__in={d[4] for d in DONNEES})}
    donnees = [
        DonneeTerritoriale.objects.create(
            charte=charte,
            domaine=domaine,
            libelle=libelle,
            valeur=valeur,
            unite=unite,
            organisation=organisations[organisation],
            source=source,
            date=datetime.date(2024, 12, 31),
            saisie_par=coordinateur,
        )
        for domaine, libelle, valeur, unite, organisation, source in DONNEES
    ]
    entretiens = [
        Entretien.objects.create(
            charte=charte,
            date=datetime.date(2025, 2, 10 + i),
            type=type_,
            personnes=qui,
            domaines=domaines,
            constats=constats,
            auteur=coordinateur,
        )
        for i, (type_, qui, domaines, constats) in enumerate(ENTRETIENS)
    ]
    questions = {q.code: q for q in Question.objects.filter(enquete__charte=charte)}
    for domaine, titre, description, code, i_donnees, i_entretiens in BESOINS:
        besoin = Besoin.objects.create(
            charte=charte, domaine=domaine, titre=titre, description=description, creee_par=coordinateur
        )
        besoin.donnees.set(donnees[i] for i in i_donnees)
        besoin.entretiens.set(entretiens[i] for i in i_entretiens)
        if code in questions:
            PreuveQuestion.objects.create(
                besoin=besoin, question=questions[code], constat=constat_principal(questions[code])
            )
