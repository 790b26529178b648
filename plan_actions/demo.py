"""Demo action plan of the Aire à l'Argonne charter: 20 fiches answering the 6 demo priorities.

The fiches go through the application's own services — written by their pilot, proposed, validated by
the référent, signed at the COPIL of 10 July 2025, then followed up and adjusted — so that their history,
the journal and the comparison with the signed plan are real. Realised amounts come from a seeded
generator: the demo is the same on every run.
"""

import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from charte.demo import ORGANISATIONS
from charte.models import Etape, Membre
from plan_actions import services
from plan_actions.models import Commentaire, Contribution, FicheAction, Financement, Jalon, LigneBudget, Nature
from territoires.models import Organisation

D = datetime.date
Statut = FicheAction.Statut
FONCT, INVEST = Nature.FONCTIONNEMENT, Nature.INVESTISSEMENT
OPTIMISATION, CREATION = FicheAction.Type.OPTIMISATION, FicheAction.Type.CREATION

SIGNATURE = D(2025, 7, 10)
INSTANCE_SIGNATURE = "COPIL du 10 juillet 2025"
# Progress entries dated before this come before the 2025 accounts are closed; the others after.
CLOTURE_2025 = D(2026, 1, 15)
GRAINE = 71025

# Partners of the plan that the charter's socle does not create: (name, type, département).
PARTENAIRES_LOCAUX = {
    "familles_rurales": ("Familles rurales — fédération de la Meuse", Organisation.Type.ASSOCIATION, "55"),
    "maison_sante": ("Maison de santé pluriprofessionnelle de l'Aire", Organisation.Type.MAISON_SANTE, "55"),
    "remplacement": ("Service de remplacement agricole de la Meuse", Organisation.Type.ASSOCIATION, "55"),
    "seuil": ("Commune de Seuil-d'Argonne", Organisation.Type.COLLECTIVITE, "55"),
}

AXES = {
    "petite_enfance": "Accueillir les jeunes enfants au rythme des familles rurales",
    "parentalite": "Soutenir les parents dans leur rôle",
    "enfance_jeunesse": "Offrir aux enfants et aux jeunes des loisirs proches",
    "sante": "Prendre soin de la santé des familles",
    "animation_sociale": "Faire vivre les liens entre familles",
    "accompagnement": "Faciliter l'accès aux droits et aux services",
}

# The needs behind the six demo priorities (diagnostic.demo.BESOINS, retained by priorisation.demo).
GARDE = "Trouver un mode de garde compatible avec les horaires agricoles"
OCCASIONNEL = "Accéder à un accueil occasionnel ou d'urgence"
EPUISEMENT = "Prévenir l'épuisement des parents agriculteurs"
EVENEMENTS = "Faire connaître les événements et associations du territoire"
ISOLEMENT = "Rompre l'isolement des parents face aux difficultés éducatives"
DROITS = "Connaître et obtenir ses droits sans se perdre dans les démarches"


@dataclass(frozen=True)
class FicheDemo:
    titre: str
    besoins: tuple  # titles of the needs whose priorities the fiche answers
    domaine: str
    type_action: str
    objectif: str
    operationnels: tuple
    publics: tuple
    pilote: str  # key of ORGANISATIONS or PARTENAIRES_LOCAUX
    partenaires: tuple  # (organisation key, commitment)
    debut: datetime.date
    fin: datetime.date
    jalons: tuple  # (label, planned date, date reached or None)
    budget: tuple  # (label, nature, {year: planned amount in euros})
    financeurs: dict  # organisation key → share of each year's budget; shares adding up to less than 1 leave a gap
    communes: tuple = ()
    moyens_humains: str = ""
    moyens_materiels: str = ""
    renvoi: str = ""  # the référent first sends the fiche back with this request
    suivis: tuple = ()  # (date, text, progress %, status)
    commentaires: tuple = ()  # ("referent", "coordinateur" or an organisation key, text)
    ajustement: object = None  # a change decided after the signature: function(fiche, contexte)
    apres_signature: str = ""  # "proposee" or "brouillon": written after the plan was signed


# --- changes decided after the signature (what the comparison with the signed plan shows) ----------


def rallonger_la_tournee(fiche, contexte):
    """The relais tours eight communes from 2027: the animatrice goes full time, not yet financed."""
    fiche.lignes_budget.filter(annee__gte=2027, libelle__startswith="Animatrice").update(
        montant_prevu=F("montant_prevu") * Decimal("1.25")
    )


def reporter_les_travaux(fiche, contexte):
    """The building permit came late: works and opening move by about a year, with their budget and funding."""
    fiche.jalons.filter(libelle="Début des travaux").update(date_prevue=D(2027, 3, 1))
    fiche.jalons.filter(libelle="Ouverture de la micro-crèche").update(date_prevue=D(2027, 9, 1))
    fiche.lignes_budget.filter(annee=2026).update(annee=2027)
    for financement in fiche.financements.filter(annee=2026):
        suivant, _ = Financement.objects.get_or_create(
            fiche=fiche, financeur=financement.financeur, annee=2027, defaults={"montant": 0}
        )
        Financement.objects.filter(pk=suivant.pk).update(montant=F("montant") + financement.montant)
        financement.delete()


def decaler_la_formation(fiche, contexte):
    """No trainer before the autumn: the second session and the end of the action move."""
    fiche.jalons.filter(libelle="Deuxième session de formation").update(date_prevue=D(2026, 10, 15))
    FicheAction.objects.filter(pk=fiche.pk).update(date_fin=D(2028, 6, 30))


def completer_le_financement(fiche, contexte):
    """The Département grants what was still missing for 2026."""
    prevu = sum(ligne.montant_prevu for ligne in fiche.lignes_budget.filter(annee=2026))
    finance = sum(f.montant for f in fiche.financements.filter(annee=2026))
    Financement.objects.create(
        fiche=fiche,
        financeur=contexte.organisations["cd"],
        annee=2026,
        montant=prevu - finance,
        statut=Financement.Statut.ACCORDE,
    )


def elargir_les_cafes(fiche, contexte):
    """The MSA joins with two cafés on parents' health; a fourth commune asked for one."""
    Contribution.objects.create(
        fiche=fiche,
        organisation=contexte.organisations["msa"],
        engagement="Animation de deux cafés des parents sur la santé et le sommeil",
    )
    fiche.communes.add(*contexte.charte.communes.filter(nom="Beausite"))


FICHES = [
    FicheDemo(
        titre="Créer un relais petite enfance itinérant",
        besoins=(GARDE, OCCASIONNEL),
        domaine="petite_enfance",
        type_action=CREATION,
        objectif="Rapprocher des familles et des assistantes maternelles un lieu d'information, d'échange et d'éveil, dans les communes qui n'ont aucun service petite enfance.",
        operationnels=(
            "Informer les parents sur l'ensemble des modes d'accueil",
            "Proposer des temps d'éveil collectifs aux assistantes maternelles et aux enfants",
            "Mettre en relation l'offre et la demande d'accueil, y compris aux horaires atypiques",
        ),
        publics=("grossesse", "petite_enfance", "parents"),
        communes=("Les Hauts-de-Chée", "Seuil-d'Argonne", "Vaubecourt", "Pierrefitte-sur-Aire"),
        pilote="codecom",
        partenaires=(
            ("caf", "Prestation de service relais petite enfance et appui de la conseillère technique"),
            ("msa", "Cofinancement du démarrage et information des familles agricoles"),
            ("cd", "Lien avec la PMI pour l'agrément et le suivi des assistantes maternelles"),
        ),
        moyens_humains="Une éducatrice de jeunes enfants (0,8 ETP)",
        moyens_materiels="Un véhicule aménagé ; des salles prêtées par les mairies",
        debut=D(2025, 9, 1),
        fin=D(2028, 6, 30),
        jalons=(
            ("Recrutement de l'animatrice", D(2025, 9, 30), D(2025, 10, 6)),
            ("Première tournée dans quatre communes", D(2025, 11, 15), D(2025, 11, 18)),
            ("Bilan de la première année présenté au COPIL", D(2026, 7, 3), D(2026, 7, 3)),
            ("Extension de la tournée à huit communes", D(2026, 10, 31), None),
        ),
        budget=(
            ("Animatrice (0,8 ETP)", FONCT, {2025: 11500, 2026: 34000, 2027: 34800, 2028: 17800}),
            ("Déplacements et matériel d'éveil", FONCT, {2025: 2500, 2026: 4000, 2027: 4000, 2028: 2000}),
            ("Véhicule aménagé", INVEST, {2025: 26000}),
        ),
        financeurs={"caf": 0.5, "msa": 0.15, "codecom": 0.3, "cd": 0.05},
        suivis=(
            (
                D(2025, 10, 20),
                "Animatrice recrutée le 6 octobre ; calendrier de tournée arrêté avec les quatre mairies.",
                10,
                Statut.EN_COURS,
            ),
            (
                D(2026, 1, 26),
                "Tournée hebdomadaire en place : 23 assistantes maternelles et 41 enfants aux temps d'éveil ; 18 familles informées.",
                35,
                Statut.EN_COURS,
            ),
            (
                D(2026, 9, 14),
                "31 assistantes maternelles fréquentent le relais. L'extension à huit communes attend le passage de l'animatrice à temps plein en 2027.",
                55,
                Statut.EN_COURS,
            ),
        ),
        commentaires=(
            (
                "referent",
                "Les familles de Beausite demandent un passage le samedi matin : à étudier pour l'extension de la tournée.",
            ),
        ),
        ajustement=rallonger_la_tournee,
    ),
    FicheDemo(
        titre="Développer l'accueil aux horaires atypiques chez les assistantes maternelles",
        besoins=(GARDE,),
        domaine="petite_enfance",
        type_action=OPTIMISATION,
        objectif="Permettre aux parents qui travaillent tôt le matin, tard le soir ou le week-end, notamment sur les exploitations, de trouver une assistante maternelle disponible.",
        operationnels=(
            "Recenser les assistantes maternelles prêtes à accueillir en horaires décalés",
            "Compenser le surcoût des heures atypiques pour les familles",
            "Former les assistantes maternelles volontaires",
        ),
        publics=("petite_enfance", "parents"),
        pilote="caf",
        partenaires=(
            ("msa", "Aide complémentaire pour les familles du régime agricole"),
            ("codecom", "Information des parents par le relais petite enfance"),
        ),
        debut=D(2025, 9, 1),
        fin=D(2028, 6, 30),
        jalons=(
            ("Recensement des assistantes maternelles volontaires", D(2025, 10, 31), D(2025, 11, 7)),
            ("Première session de formation", D(2026, 3, 31), D(2026, 3, 24)),
            ("Évaluation du dispositif avec les familles", D(2027, 3, 31), None),
        ),
        budget=(
            (
                "Aide aux heures atypiques versée aux familles",
                FONCT,
                {2025: 4000, 2026: 12000, 2027: 13000, 2028: 6500},
            ),
            ("Formation des assistantes maternelles", FONCT, {2026: 3200, 2027: 1800}),
        ),
        financeurs={"caf": 0.6, "msa": 0.25},
        suivis=(
            (
                D(2025, 11, 12),
                "14 assistantes maternelles volontaires recensées, dont 5 acceptent d'accueillir dès 6 h.",
                20,
                Statut.EN_COURS,
            ),
            (
                D(2026, 4, 2),
                "Formation « Accueillir en horaires décalés » suivie par 11 assistantes maternelles ; 9 familles reçoivent l'aide.",
                45,
                Statut.EN_COURS,
            ),
        ),
    ),
    FicheDemo(
        titre="Ouvrir une micro-crèche aux horaires élargis à Seuil-d'Argonne",
        besoins=(GARDE, OCCASIONNEL),
        domaine="petite_enfance",
        type_action=CREATION,
        objectif="Offrir dix places d'accueil collectif ouvertes de 6 h 30 à 19 h 30, dont deux réservées à l'accueil occasionnel et d'urgence.",
        operationnels=(
            "Aménager les locaux de l'ancienne école",
            "Confier la gestion à un gestionnaire retenu sur appel à projets",
            "Réserver deux places à l'accueil occasionnel",
        ),
        publics=("petite_enfance", "parents"),
        communes=("Seuil-d'Argonne",),
        pilote="codecom",
        partenaires=(
            ("caf", "Aide à l'investissement puis prestation de service unique"),
            ("msa", "Cofinancement de l'aménagement"),
            ("cd", "Avis de la PMI sur le projet d'établissement"),
            ("seuil", "Mise à disposition de l'ancienne école"),
        ),
        moyens_materiels="L'ancienne école de Triaucourt, à rendre accessible",
        debut=D(2025, 9, 1),
        fin=D(2028, 6, 30),
        jalons=(
            ("Étude de faisabilité rendue", D(2025, 11, 30), D(2025, 12, 5)),
            ("Dépôt du permis de construire", D(2026, 1, 31), D(2026, 3, 12)),
            ("Début des travaux", D(2026, 5, 4), None),
            ("Ouverture de la micro-crèche", D(2026, 11, 2), None),
        ),
        budget=(
            ("Étude de faisabilité", FONCT, {2025: 7500}),
            ("Aménagement des locaux", INVEST, {2026: 92000}),
            ("Mobilier et équipement", INVEST, {2026: 18000}),
            ("Subvention de fonctionnement au gestionnaire", FONCT, {2027: 45000, 2028: 47000}),
        ),
        financeurs={"caf": 0.45, "msa": 0.1, "codecom": 0.2, "seuil": 0.05},
        suivis=(
            (
                D(2025, 12, 8),
                "Étude de faisabilité rendue : l'ancienne école convient, sous réserve de sa mise en accessibilité.",
                15,
                Statut.EN_COURS,
            ),
            (
                D(2026, 3, 16),
                "Permis déposé avec deux mois de retard (avis de l'architecte des bâtiments de France) : travaux et ouverture reportés d'environ un an.",
                20,
                Statut.REPORTEE,
            ),
        ),
        commentaires=(
            (
                "caf",
                "La CAF maintient son aide à l'investissement sur 2027 : merci de transmettre le nouveau calendrier des travaux avant le 30 juin.",
            ),
        ),
        ajustement=reporter_les_travaux,
    ),
    FicheDemo(
        titre="Réserver des places d'accueil d'urgence au multi-accueil de Triaucourt",
        besoins=(OCCASIONNEL,),
        domaine="petite_enfance",
        type_action=OPTIMISATION,
        objectif="Garantir une solution d'accueil sous 48 heures aux parents confrontés à un imprévu : reprise d'emploi, hospitalisation, formation.",
        operationnels=(
            "Réserver deux places d'accueil d'urgence toute l'année",
            "Définir avec la PMI et les travailleurs sociaux les critères d'orientation",
            "Ouvrir l'accueil occasionnel le samedi matin",
        ),
        publics=("petite_enfance", "parents"),
        communes=("Seuil-d'Argonne",),
        pilote="familles_rurales",
        partenaires=(
            ("caf", "Bonus « inclusivité » de la prestation de service unique"),
            ("cd", "Orientation des familles par les travailleurs sociaux et la PMI"),
        ),
        debut=D(2025, 9, 1),
        fin=D(2028, 6, 30),
        jalons=(
            ("Convention de réservation signée", D(2025, 9, 30), D(2025, 9, 26)),
            ("Protocole d'orientation partagé avec la PMI", D(2025, 12, 15), D(2026, 1, 20)),
            ("Ouverture le samedi matin", D(2026, 9, 5), None),
        ),
        budget=(
            ("Réservation de deux places", FONCT, {2025: 3200, 2026: 9600, 2027: 9800, 2028: 5000}),
            ("Heures d'ouverture du samedi", FONCT, {2026: 2400, 2027: 4800, 2028: 2400}),
        ),
        financeurs={"caf": 0.5, "codecom": 0.3, "msa": 0.2},
        suivis=(
            (
                D(2025, 12, 1),
                "Deux places réservées depuis le 1er octobre : 7 enfants accueillis en urgence, pour 3 semaines en moyenne.",
                25,
                Statut.EN_COURS,
            ),
            (
                D(2026, 6, 15),
                "19 accueils d'urgence depuis l'ouverture. L'ouverture du samedi attend le recrutement d'une auxiliaire.",
                45,
                Statut.EN_COURS,
            ),
        ),
    ),
    FicheDemo(
        titre="Éditer un guide des solutions de garde du territoire",
        besoins=(GARDE, EVENEMENTS),
        domaine="petite_enfance",
        type_action=CREATION,
        objectif="Donner aux futurs parents et aux parents une vue claire et à jour des solutions d'accueil, de leurs horaires et des aides.",
        operationnels=(
            "Recenser l'offre d'accueil et ses horaires",
            "Diffuser le guide en mairie, à la PMI, chez les médecins et en ligne",
            "Mettre le guide à jour chaque année",
        ),
        publics=("grossesse", "petite_enfance", "parents", "grands_parents"),
        pilote="caf",
        partenaires=(
            ("codecom", "Diffusion dans les 47 mairies et sur le site intercommunal"),
            ("msa", "Envoi aux familles affiliées"),
        ),
        debut=D(2025, 9, 1),
        fin=D(2026, 6, 30),
        jalons=(
            ("Recensement de l'offre terminé", D(2025, 10, 31), D(2025, 10, 24)),
            ("Guide imprimé et diffusé", D(2026, 1, 15), D(2026, 1, 29)),
            ("Première mise à jour en ligne", D(2026, 6, 30), D(2026, 6, 22)),
        ),
        budget=(
            ("Conception et mise en page", FONCT, {2025: 2800}),
            ("Impression (3 000 exemplaires)", FONCT, {2026: 3400}),
            ("Mise à jour en ligne", FONCT, {2026: 600}),
        ),
        financeurs={"caf": 0.7, "msa": 0.3},
        suivis=(
            (
                D(2025, 11, 3),
                "Offre recensée : 38 assistantes maternelles, 2 multi-accueils, 4 accueils périscolaires.",
                40,
                Statut.EN_COURS,
            ),
            (
                D(2026, 2, 2),
                "Guide diffusé à 3 000 exemplaires (mairies, cabinets médicaux, écoles) ; 640 consultations en ligne le premier mois.",
                85,
                Statut.EN_COURS,
            ),
            (
                D(2026, 6, 29),
                "Mise à jour en ligne publiée ; le relais petite enfance reprend la mise à jour annuelle. Action terminée.",
                100,
                Statut.REALISEE,
            ),
        ),
    ),
    FicheDemo(
        titre="Développer l'aide au répit des exploitants agricoles",
        besoins=(EPUISEMENT,),
        domaine="sante",
        type_action=OPTIMISATION,
        objectif="Permettre aux parents exploitants épuisés de se faire remplacer quelques jours pour souffler, se soigner ou passer du temps en famille.",
        operationnels=(
            "Faire connaître l'aide au répit de la MSA",
            "Repérer les situations d'épuisement avec les travailleurs sociaux et les conseillers agricoles",
            "Financer des journées de remplacement et des séjours en famille",
        ),
        publics=("parents", "aidants"),
        pilote="msa",
        partenaires=(("remplacement", "Mise à disposition d'agents de remplacement sous huit jours"),),
        debut=D(2025, 9, 1),
        fin=D(2028, 6, 30),
        jalons=(
            ("Réunion d'information avec les organisations agricoles", D(2025, 10, 15), D(2025, 10, 15)),
            ("Dix familles accompagnées", D(2026, 6, 30), D(2026, 5, 18)),
            ("Bilan à mi-parcours", D(2027, 1, 31), None),
        ),
        budget=(
            ("Journées de remplacement", FONCT, {2025: 6000, 2026: 15000, 2027: 15000, 2028: 7500}),
            ("Séjours de répit en famille", FONCT, {2026: 4000, 2027: 4000}),
        ),
        financeurs={"msa": 0.85, "cd": 0.15},
        suivis=(
            (
                D(2025, 12, 15),
                "Réunion d'information tenue avec la chambre d'agriculture ; 4 familles ont déjà été remplacées.",
                20,
                Statut.EN_COURS,
            ),
            (
                D(2026, 5, 26),
                "11 familles accompagnées depuis le début, dont 3 orientées par les conseillers agricoles.",
                45,
                Statut.EN_COURS,
            ),
        ),
    ),
    FicheDemo(
        titre="Organiser des ateliers de gestion du stress pour les parents agriculteurs",
        besoins=(EPUISEMENT,),
        domaine="sante",
        type_action=CREATION,
        objectif="Prévenir l'épuisement en donnant aux parents agriculteurs des temps et des outils pour gérer le stress, le sommeil et la charge de travail.",
        operationnels=(
            "Organiser deux cycles de cinq ateliers par an",
            "Garder les enfants pendant les ateliers",
            "Orienter vers un accompagnement individuel si besoin",
        ),
        publics=("parents",),
        communes=("Vaubecourt", "Pierrefitte-sur-Aire"),
        pilote="msa",
        partenaires=(
            ("ars", "Financement au titre de la prévention et intervention d'une sophrologue"),
            ("familles_rurales", "Garde des enfants pendant les ateliers"),
        ),
        debut=D(2025, 10, 1),
        fin=D(2028, 6, 30),
        jalons=(
            ("Premier cycle d'ateliers à Vaubecourt", D(2025, 11, 30), D(2025, 12, 2)),
            ("Deuxième cycle à Pierrefitte-sur-Aire", D(2026, 4, 30), D(2026, 5, 12)),
            ("Troisième cycle d'ateliers", D(2026, 10, 31), None),
        ),
        budget=(
            ("Intervenantes (sophrologue, diététicienne)", FONCT, {2025: 2400, 2026: 4800, 2027: 4800, 2028: 2400}),
            ("Garde d'enfants et location de salles", FONCT, {2025: 600, 2026: 1200, 2027: 1200, 2028: 600}),
        ),
        financeurs={"msa": 0.5, "ars": 0.5},
        suivis=(
            (
                D(2025, 12, 8),
                "Premier cycle : 9 participants, très satisfaits ; ils demandent un horaire en soirée.",
                20,
                Statut.EN_COURS,
            ),
            (D(2026, 5, 20), "Deuxième cycle, en soirée : 12 participants dont 4 couples.", 45, Statut.EN_COURS),
        ),
    ),
    FicheDemo(
        titre="Organiser des consultations de PMI itinérantes dans les communes éloignées",
        besoins=(EPUISEMENT, ISOLEMENT),
        domaine="sante",
        type_action=OPTIMISATION,
        objectif="Rapprocher des familles le suivi des jeunes enfants et le soutien aux jeunes parents, là où le médecin est parti.",
        operationnels=(
            "Tenir une consultation mensuelle dans trois communes",
            "Proposer une visite à domicile après chaque naissance",
            "Repérer les signes d'épuisement maternel et parental",
        ),
        publics=("grossesse", "petite_enfance", "parents"),
        communes=("Les Hauts-de-Chée", "Beausite", "Rembercourt-Sommaisne"),
        pilote="cd",
        partenaires=(
            ("maison_sante", "Prêt d'une salle de consultation et coordination avec les médecins"),
            ("codecom", "Mise à disposition de salles communales"),
        ),
        moyens_humains="Une puéricultrice et un médecin de PMI, une demi-journée par mois et par commune",
        debut=D(2025, 10, 1),
        fin=D(2028, 6, 30),
        jalons=(
            ("Première consultation aux Hauts-de-Chée", D(2025, 10, 15), D(2025, 10, 16)),
            ("Consultations ouvertes dans les trois communes", D(2026, 1, 31), D(2026, 2, 12)),
            ("Visite à domicile après chaque naissance", D(2026, 9, 30), None),
        ),
        budget=(
            ("Temps de puéricultrice et de médecin de PMI", FONCT, {2025: 5500, 2026: 22000, 2027: 22500, 2028: 11500}),
            ("Équipement de consultation mobile", INVEST, {2025: 6500}),
        ),
        financeurs={"cd": 0.7, "ars": 0.2, "codecom": 0.1},
        suivis=(
            (
                D(2025, 12, 1),
                "Consultation mensuelle aux Hauts-de-Chée : 14 enfants vus en deux séances.",
                15,
                Statut.EN_COURS,
            ),
            (D(2026, 3, 2), "Trois lieux de consultation ouverts ; 52 enfants suivis.", 40, Statut.EN_COURS),
            (
                D(2026, 10, 5),
                "Les visites à domicile attendent le remplacement d'une puéricultrice partie cet été.",
                50,
                Statut.EN_COURS,
            ),
        ),
        commentaires=(
            ("referent", "Le relais petite enfance peut annoncer les dates de consultation pendant sa tournée."),
        ),
    ),
    FicheDemo(
        titre="Former les professionnels au repérage de l'épuisement parental",
        besoins=(EPUISEMENT,),
        domaine="sante",
        type_action=CREATION,
        objectif="Que les professionnels au contact des familles sachent repérer l'épuisement parental et orienter vers la bonne aide.",
        operationnels=(
            "Former 40 professionnels en trois ans, 15 par session",
            "Diffuser un annuaire des ressources d'écoute et de soin",
            "Réunir le réseau une fois par an",
        ),
        publics=("parents", "aidants"),
        pilote="ars",
        partenaires=(
            ("msa", "Intervention de la travailleuse sociale et du dispositif de prévention du mal-être agricole"),
            ("cd", "Inscription des professionnels de la PMI et de l'action sociale"),
            ("maison_sante", "Participation des soignants"),
        ),
        debut=D(2025, 10, 1),
        fin=D(2027, 12, 31),
        jalons=(
            ("Première session de formation", D(2026, 1, 31), D(2026, 2, 5)),
            ("Annuaire des ressources diffusé", D(2026, 4, 30), None),
            ("Deuxième session de formation", D(2026, 6, 30), None),
        ),
        budget=(
            ("Organisme de formation", FONCT, {2026: 6000, 2027: 6000}),
            ("Annuaire des ressources", FONCT, {2026: 1500}),
        ),
        financeurs={"ars": 0.8, "msa": 0.2},
        renvoi="Précisez le nombre de professionnels formés par session et qui finance l'annuaire.",
        suivis=(
            (
                D(2026, 2, 9),
                "Première session : 16 professionnels formés (PMI, secrétaires de mairie, assistantes sociales).",
                25,
                Statut.EN_COURS,
            ),
            (
                D(2026, 7, 6),
                "Deuxième session décalée à l'automne faute de formateur disponible ; annuaire en relecture.",
                35,
                Statut.EN_COURS,
            ),
        ),
        commentaires=(
            ("coordinateur", "La maison de santé peut accueillir la deuxième session : salle libre en octobre."),
        ),
        ajustement=decaler_la_formation,
    ),
    FicheDemo(
        titre="Mettre en place un transport solidaire vers les consultations",
        besoins=(EPUISEMENT, DROITS),
        domaine="sante",
        type_action=CREATION,
        objectif="Permettre aux familles sans voiture ou sans second véhicule de se rendre aux consultations médicales, à la PMI et aux rendez-vous administratifs.",
        operationnels=(
            "Constituer un réseau de chauffeurs bénévoles",
            "Organiser les réservations par téléphone",
            "Rembourser les frais kilométriques des bénévoles",
        ),
        publics=("grossesse", "parents", "grands_parents"),
        pilote="familles_rurales",
        partenaires=(
            ("codecom", "Réservations par l'espace France services"),
            ("msa", "Cofinancement des frais kilométriques"),
        ),
        debut=D(2025, 10, 1),
        fin=D(2028, 6, 30),
        jalons=(
            ("Dix chauffeurs bénévoles recrutés", D(2025, 12, 31), None),
            ("Premiers trajets", D(2026, 2, 2), None),
        ),
        budget=(
            ("Frais kilométriques des bénévoles", FONCT, {2025: 800, 2026: 3500, 2027: 3500, 2028: 1800}),
            ("Coordination et assurance", FONCT, {2025: 1200, 2026: 2500, 2027: 2500, 2028: 1200}),
        ),
        financeurs={"msa": 0.4, "codecom": 0.4},
        suivis=(
            (
                D(2025, 12, 15),
                "Quatre chauffeurs bénévoles seulement ; l'assurance des bénévoles reste à régler.",
                10,
                Statut.EN_COURS,
            ),
            (
                D(2026, 3, 9),
                "Le Département étend son transport à la demande à tout le territoire au 1er avril : il répond au besoin. Le COPIL abandonne l'action et reporte ses crédits sur l'accompagnement aux démarches.",
                10,
                Statut.ABANDONNEE,
            ),
        ),
    ),
    FicheDemo(
        titre="Créer un agenda partagé des activités pour les familles",
        besoins=(EVENEMENTS,),
        domaine="animation_sociale",
        type_action=CREATION,
        objectif="Rassembler en un seul endroit les activités, sorties et services proposés aux familles du territoire.",
        operationnels=(
            "Mettre en ligne un agenda alimenté par les associations et les mairies",
            "Afficher chaque mois une version papier en mairie",
            "Former les associations à la saisie",
        ),
        publics=("parents", "enfants", "adolescents", "grands_parents"),
        pilote="codecom",
        partenaires=(
            ("familles_rurales", "Saisie des activités associatives et relais auprès des bénévoles"),
            ("caf", "Référencement sur monenfant.fr"),
        ),
        debut=D(2025, 9, 15),
        fin=D(2028, 6, 30),
        jalons=(
            ("Choix de l'outil en ligne", D(2025, 10, 31), D(2025, 11, 14)),
            ("Mise en ligne de l'agenda", D(2026, 1, 15), D(2026, 2, 2)),
            ("Trente associations contributrices", D(2026, 9, 30), None),
        ),
        budget=(
            ("Outil en ligne et hébergement", INVEST, {2025: 4500}),
            ("Animation du réseau des contributeurs", FONCT, {2026: 3000, 2027: 3000, 2028: 1500}),
            ("Impression des affiches mensuelles", FONCT, {2026: 900, 2027: 900, 2028: 450}),
        ),
        financeurs={"codecom": 0.6, "caf": 0.4},
        suivis=(
            (
                D(2025, 11, 17),
                "Outil choisi avec les associations ; saisie ouverte aux contributeurs.",
                15,
                Statut.EN_COURS,
            ),
            (
                D(2026, 2, 9),
                "Agenda en ligne depuis le 2 février ; 12 associations ont saisi leurs activités.",
                40,
                Statut.EN_COURS,
            ),
            (
                D(2026, 10, 12),
                "21 associations contributrices et 1 100 visites par mois ; relance prévue au prochain forum.",
                60,
                Statut.EN_COURS,
            ),
        ),
    ),
    FicheDemo(
        titre="Organiser un forum des associations et des services aux familles",
        besoins=(EVENEMENTS, DROITS),
        domaine="animation_sociale",
        type_action=CREATION,
        objectif="Faire découvrir en une journée les associations, les services et les droits des familles du territoire.",
        operationnels=(
            "Réunir associations, services publics et partenaires en un même lieu",
            "Tenir un stand commun d'accès aux droits CAF-MSA",
            "Proposer des animations pour les enfants",
        ),
        publics=("parents", "enfants", "adolescents", "grands_parents"),
        communes=("Les Hauts-de-Chée",),
        pilote="familles_rurales",
        partenaires=(
            ("codecom", "Prêt de la salle polyvalente et communication"),
            ("caf", "Stand d'accès aux droits"),
            ("msa", "Stand d'accès aux droits et animation santé"),
        ),
        debut=D(2025, 9, 1),
        fin=D(2026, 9, 30),
        jalons=(
            ("Premier forum aux Hauts-de-Chée", D(2025, 9, 13), D(2025, 9, 13)),
            ("Bilan partagé avec les associations", D(2025, 11, 30), D(2025, 11, 20)),
            ("Second forum", D(2026, 9, 12), D(2026, 9, 12)),
        ),
        budget=(
            ("Location de matériel et communication", FONCT, {2025: 3500, 2026: 3600}),
            ("Animations pour les enfants", FONCT, {2025: 1200, 2026: 1200}),
        ),
        financeurs={"codecom": 0.5, "caf": 0.25, "msa": 0.25},
        suivis=(
            (
                D(2025, 9, 22),
                "Premier forum : 34 exposants, environ 450 visiteurs, 62 familles reçues au stand des droits.",
                50,
                Statut.EN_COURS,
            ),
            (
                D(2026, 9, 21),
                "Second forum : 41 exposants et 600 visiteurs. La communauté de communes le reprend chaque année : action terminée.",
                100,
                Statut.REALISEE,
            ),
        ),
    ),
    FicheDemo(
        titre="Organiser des cafés des parents",
        besoins=(ISOLEMENT, EVENEMENTS),
        domaine="parentalite",
        type_action=CREATION,
        objectif="Offrir aux parents des temps d'échange conviviaux et sans jugement pour partager leurs questions éducatives et rompre l'isolement.",
        operationnels=(
            "Tenir un café des parents par mois en alternant les communes",
            "Faire intervenir un professionnel sur un thème choisi par les parents",
            "Accueillir les enfants pendant les échanges",
        ),
        publics=("parents", "grands_parents"),
        communes=("Vaubecourt", "Seuil-d'Argonne", "Pierrefitte-sur-Aire"),
        pilote="familles_rurales",
        partenaires=(
            ("caf", "Financement au titre du réseau d'écoute, d'appui et d'accompagnement des parents (REAAP)"),
            ("codecom", "Prêt de salles et annonce dans l'agenda partagé"),
        ),
        debut=D(2025, 9, 1),
        fin=D(2028, 6, 30),
        jalons=(
            ("Premier café des parents", D(2025, 10, 4), D(2025, 10, 4)),
            ("Groupe de parents animateurs constitué", D(2026, 3, 31), D(2026, 4, 25)),
            ("Programme thématique 2026-2027 arrêté", D(2026, 9, 15), D(2026, 9, 10)),
        ),
        budget=(
            ("Animatrice familles (0,2 ETP)", FONCT, {2025: 2300, 2026: 7000, 2027: 7200, 2028: 3600}),
            ("Intervenants et goûters", FONCT, {2025: 500, 2026: 1500, 2027: 1500, 2028: 750}),
        ),
        financeurs={"caf": 0.6, "codecom": 0.2, "msa": 0.1},
        suivis=(
            (D(2025, 10, 13), "Premier café à Vaubecourt : 11 parents, sur le thème des écrans.", 10, Statut.EN_COURS),
            (
                D(2026, 4, 27),
                "Sept cafés tenus, 64 participations ; cinq parents forment le groupe d'animation.",
                40,
                Statut.EN_COURS,
            ),
            (
                D(2026, 10, 19),
                "Programme de l'année arrêté avec les parents : sommeil, adolescence, fratries.",
                55,
                Statut.EN_COURS,
            ),
        ),
        ajustement=elargir_les_cafes,
    ),
    FicheDemo(
        titre="Créer un lieu d'accueil enfants-parents itinérant",
        besoins=(ISOLEMENT,),
        domaine="parentalite",
        type_action=CREATION,
        objectif="Offrir aux enfants de moins de 6 ans et à leurs parents un lieu de jeu et de parole, anonyme et gratuit, tenu par deux accueillantes formées.",
        operationnels=(
            "Ouvrir deux demi-journées par semaine dans deux communes",
            "Former les accueillantes à l'écoute",
            "Faire connaître le lieu par la PMI et les écoles",
        ),
        publics=("grossesse", "petite_enfance", "enfants", "parents", "grands_parents"),
        communes=("Vaubecourt", "Les Hauts-de-Chée"),
        pilote="caf",
        partenaires=(
            ("familles_rurales", "Gestion du lieu et emploi des accueillantes"),
            ("msa", "Cofinancement"),
            ("cd", "Orientation des familles par la PMI"),
        ),
        debut=D(2025, 11, 1),
        fin=D(2028, 6, 30),
        jalons=(
            ("Recrutement et formation des accueillantes", D(2026, 1, 31), D(2026, 2, 27)),
            ("Ouverture à Vaubecourt", D(2026, 3, 2), D(2026, 3, 10)),
            ("Ouverture aux Hauts-de-Chée", D(2026, 9, 1), None),
        ),
        budget=(
            ("Accueillantes (2 × 0,2 ETP)", FONCT, {2026: 14000, 2027: 16000, 2028: 8000}),
            ("Supervision et formation", FONCT, {2025: 1500, 2026: 1200, 2027: 1200, 2028: 600}),
            ("Jeux et mobilier", INVEST, {2026: 3500}),
        ),
        financeurs={"caf": 0.65, "msa": 0.15, "codecom": 0.1},
        suivis=(
            (
                D(2026, 3, 16),
                "Le lieu a ouvert à Vaubecourt le 10 mars : 6 familles à la première séance.",
                30,
                Statut.EN_COURS,
            ),
            (
                D(2026, 10, 26),
                "8 familles par séance en moyenne. L'ouverture aux Hauts-de-Chée attend une salle adaptée.",
                45,
                Statut.EN_COURS,
            ),
        ),
        commentaires=(
            (
                "coordinateur",
                "La salle des fêtes des Hauts-de-Chée est libre le mardi matin : à confirmer avec la mairie.",
            ),
        ),
    ),
    FicheDemo(
        titre="Développer les ateliers parents-enfants dans les écoles",
        besoins=(ISOLEMENT,),
        domaine="parentalite",
        type_action=OPTIMISATION,
        objectif="Faire de l'école un lieu où les parents trouvent leur place, par des ateliers partagés avec leurs enfants.",
        operationnels=(
            "Proposer un atelier par trimestre dans cinq écoles volontaires",
            "Aller vers les parents éloignés de l'école",
            "S'appuyer sur les actions existantes des regroupements pédagogiques",
        ),
        publics=("enfants", "parents"),
        pilote="cd",
        partenaires=(
            ("familles_rurales", "Animation des ateliers"),
            ("caf", "Financement au titre du REAAP"),
        ),
        debut=D(2027, 1, 4),
        fin=D(2028, 6, 30),
        jalons=(
            ("Choix des écoles volontaires", D(2026, 12, 18), None),
            ("Premiers ateliers", D(2027, 3, 31), None),
        ),
        budget=(
            ("Animation des ateliers", FONCT, {2027: 4800, 2028: 2400}),
            ("Matériel pédagogique", FONCT, {2027: 800}),
        ),
        financeurs={"caf": 0.5, "cd": 0.5},
    ),
    FicheDemo(
        titre="Organiser des rendez-vous des droits itinérants",
        besoins=(DROITS,),
        domaine="accompagnement",
        type_action=OPTIMISATION,
        objectif="Que chaque famille puisse faire le point sur tous ses droits (prestations, santé, retraite) près de chez elle, en un seul rendez-vous.",
        operationnels=(
            "Tenir une permanence commune MSA-CAF par mois dans trois communes",
            "Proposer un rendez-vous des droits aux familles repérées par les mairies",
            "Vérifier les droits ouverts trois mois après chaque rendez-vous",
        ),
        publics=("parents", "jeunes_adultes", "grands_parents"),
        communes=("Les Hauts-de-Chée", "Seuil-d'Argonne", "Vaubecourt"),
        pilote="msa",
        partenaires=(
            ("caf", "Co-animation des permanences"),
            ("codecom", "Prise de rendez-vous par l'espace France services"),
        ),
        debut=D(2025, 9, 1),
        fin=D(2028, 6, 30),
        jalons=(
            ("Première permanence commune", D(2025, 9, 25), D(2025, 9, 25)),
            ("Cent rendez-vous des droits réalisés", D(2026, 6, 30), D(2026, 6, 11)),
            ("Bilan des droits ouverts", D(2026, 12, 15), None),
        ),
        budget=(
            ("Temps de conseillers et déplacements", FONCT, {2025: 3000, 2026: 9000, 2027: 9000, 2028: 4500}),
            ("Communication", FONCT, {2025: 800, 2026: 500, 2027: 500}),
        ),
        financeurs={"msa": 0.6, "caf": 0.3},
        suivis=(
            (
                D(2025, 10, 6),
                "Première permanence à Vaubecourt : 9 familles reçues, 5 droits ouverts (prime d'activité, complémentaire santé solidaire).",
                15,
                Statut.EN_COURS,
            ),
            (
                D(2026, 6, 15),
                "104 rendez-vous des droits depuis septembre ; 61 % ont ouvert au moins un droit.",
                50,
                Statut.EN_COURS,
            ),
        ),
        ajustement=completer_le_financement,
    ),
    FicheDemo(
        titre="Former les secrétaires de mairie à l'orientation des familles",
        besoins=(DROITS, EVENEMENTS),
        domaine="accompagnement",
        type_action=CREATION,
        objectif="Faire des mairies un premier point d'information fiable sur les droits et les services aux familles.",
        operationnels=(
            "Former les secrétaires de mairie des 47 communes, en deux sessions par an",
            "Leur remettre un aide-mémoire des contacts utiles",
            "Organiser une rencontre annuelle avec les partenaires",
        ),
        publics=("parents", "grands_parents"),
        pilote="cd",
        partenaires=(
            ("caf", "Intervention sur les prestations familiales"),
            ("msa", "Intervention sur les droits des familles agricoles"),
            ("codecom", "Invitation des secrétaires de mairie"),
        ),
        debut=D(2025, 10, 1),
        fin=D(2028, 6, 30),
        jalons=(
            ("Première session de formation", D(2025, 11, 20), D(2025, 11, 20)),
            ("Aide-mémoire des contacts remis aux mairies", D(2026, 2, 28), D(2026, 3, 9)),
            ("Toutes les communes formées", D(2026, 6, 30), None),
        ),
        budget=(("Formation et aide-mémoire", FONCT, {2025: 1200, 2026: 2000, 2027: 1500, 2028: 800}),),
        financeurs={"cd": 0.6, "msa": 0.2, "caf": 0.2},
        suivis=(
            (D(2025, 11, 24), "Première session : 18 secrétaires de mairie formées.", 30, Statut.EN_COURS),
            (
                D(2026, 5, 4),
                "33 communes sur 47 représentées après deux sessions ; aide-mémoire diffusé.",
                55,
                Statut.EN_COURS,
            ),
        ),
    ),
    FicheDemo(
        titre="Accompagner les familles dans leurs démarches en ligne",
        besoins=(DROITS,),
        domaine="accompagnement",
        type_action=OPTIMISATION,
        objectif="Aider les parents peu à l'aise avec le numérique à faire seuls leurs démarches en ligne (CAF, MSA, impôts, école).",
        operationnels=(
            "Tenir des ateliers numériques à l'espace France services",
            "Proposer un accompagnement individuel sur rendez-vous",
            "Prêter des ordinateurs portables aux familles",
        ),
        publics=("parents", "jeunes_adultes", "grands_parents"),
        communes=("Les Hauts-de-Chée", "Seuil-d'Argonne"),
        pilote="codecom",
        partenaires=(
            ("caf", "Formation du conseiller numérique aux démarches CAF"),
            ("msa", "Formation du conseiller numérique aux démarches MSA"),
        ),
        moyens_humains="Le conseiller numérique de l'espace France services (un tiers de son temps)",
        debut=D(2025, 9, 1),
        fin=D(2028, 6, 30),
        jalons=(
            ("Premier cycle d'ateliers numériques", D(2025, 11, 30), D(2025, 11, 27)),
            ("Prêt d'ordinateurs aux familles", D(2026, 4, 30), D(2026, 4, 14)),
            ("Ateliers dans une seconde commune", D(2026, 11, 15), None),
        ),
        budget=(
            (
                "Conseiller numérique (part consacrée aux familles)",
                FONCT,
                {2025: 3500, 2026: 10500, 2027: 10500, 2028: 5200},
            ),
            ("Ordinateurs portables à prêter", INVEST, {2026: 6000}),
        ),
        financeurs={"codecom": 0.5, "msa": 0.2, "caf": 0.2},
        suivis=(
            (
                D(2025, 12, 1),
                "Premier cycle : 14 parents ont créé leurs espaces personnels CAF et MSA.",
                20,
                Statut.EN_COURS,
            ),
            (
                D(2026, 5, 11),
                "Dix ordinateurs prêtés ; 46 accompagnements individuels depuis janvier.",
                45,
                Statut.EN_COURS,
            ),
        ),
    ),
    FicheDemo(
        titre="Mettre en place une permanence d'écoute pour les parents",
        besoins=(ISOLEMENT, EPUISEMENT),
        domaine="parentalite",
        type_action=CREATION,
        objectif="Offrir aux parents, agriculteurs compris, une écoute par téléphone ou en visio avec une psychologue, en soirée.",
        operationnels=(
            "Ouvrir deux soirées d'écoute par semaine",
            "Faire connaître le numéro par les mairies, les écoles et la MSA",
        ),
        publics=("parents", "aidants"),
        pilote="msa",
        partenaires=(
            ("caf", "Cofinancement au titre du soutien à la parentalité"),
            ("familles_rurales", "Relais auprès des parents des cafés des parents"),
        ),
        debut=D(2027, 1, 4),
        fin=D(2028, 6, 30),
        jalons=(
            ("Choix de la psychologue", D(2026, 12, 15), None),
            ("Ouverture de la permanence", D(2027, 2, 1), None),
        ),
        budget=(
            ("Vacations de psychologue", FONCT, {2027: 7800, 2028: 3900}),
            ("Ligne téléphonique et communication", FONCT, {2027: 900, 2028: 300}),
        ),
        financeurs={"msa": 0.5, "caf": 0.3},
        commentaires=(("referent", "Fiche à examiner au COPIL de décembre, avec le coût de la ligne téléphonique."),),
        apres_signature=Statut.PROPOSEE,
    ),
    FicheDemo(
        titre="Diffuser une lettre d'information trimestrielle aux familles",
        besoins=(EVENEMENTS,),
        domaine="animation_sociale",
        type_action=CREATION,
        objectif="Tenir les familles au courant des actions de la charte, des nouveaux services et des temps forts du territoire.",
        operationnels=("Publier quatre lettres par an, sur papier et en ligne",),
        publics=("parents", "grands_parents"),
        pilote="codecom",
        partenaires=(),
        debut=D(2027, 1, 4),
        fin=D(2028, 6, 30),
        jalons=(
            ("Premier numéro", D(2027, 3, 15), None),
            ("Enquête de lecture auprès des familles", D(2027, 12, 15), None),
        ),
        budget=(("Mise en page et impression", FONCT, {2027: 2400, 2028: 1200}),),
        financeurs={"codecom": 0.5},
        apres_signature=Statut.BROUILLON,
    ),
]


@dataclass
class Contexte:
    """Who and what the demo fiches refer to, looked up once."""

    charte: object
    coordinateur: object
    referent: object
    organisations: dict  # key → Organisation
    membres: dict  # organisation pk → Membre of the charter
    priorites: list
    hasard: random.Random = field(default_factory=lambda: random.Random(GRAINE))

    def personne(self, cle):
        """The person speaking for `cle` ("coordinateur", "referent" or an organisation), else the coordinator."""
        if cle in ("coordinateur", "referent"):
            return getattr(self, cle)
        membre = self.membres.get(self.organisations[cle].pk)
        return membre.utilisateur if membre else self.coordinateur

    def redacteur(self, modele):
        """A partner writes its own organisation's fiches; the coordinator writes the others."""
        membre = self.membres.get(self.organisations[modele.pilote].pk)
        return membre.utilisateur if membre and membre.role == Membre.Role.PARTENAIRE else self.coordinateur


def creer_demo_plan(charte, coordinateur):
    """The demo plan: fiches written and validated, the plan signed, then a year and a half of follow-up."""
    if charte.fiches.exists() or not charte.priorites.exists():
        return
    with transaction.atomic():
        contexte = preparer(charte, coordinateur)
        rouvrir_le_jalon_du_plan(charte, coordinateur)
        signees = [m for m in FICHES if not m.apres_signature]
        fiches = [ecrire(modele, contexte) for modele in signees]
        signer(contexte)
        for fiche, modele in zip(fiches, signees, strict=True):
            faire_vivre(fiche, modele, contexte)
        for modele in FICHES:
            if modele.apres_signature:
                fiche = ecrire(modele, contexte, jusqu_a=modele.apres_signature)
                commenter(fiche, modele, contexte)
        # The demo's comments are history: nobody is to be e-mailed about them when the seed commits.
        Commentaire.objects.filter(fiche__charte=charte).update(notifie_le=timezone.now())


def preparer(charte, coordinateur):
    organisations = {
        cle: Organisation.objects.update_or_create(nom=nom, defaults={"type": type_, "departement": dep})[0]
        for cle, (nom, type_, dep) in {**ORGANISATIONS, **PARTENAIRES_LOCAUX}.items()
    }
    membres = {}
    for membre in charte.membres.select_related("utilisateur").exclude(organisation=None).order_by("id"):
        membres.setdefault(membre.organisation_id, membre)
    referent = charte.membres.filter(role=Membre.Role.REFERENT).select_related("utilisateur").first()
    return Contexte(
        charte=charte,
        coordinateur=coordinateur,
        referent=referent.utilisateur if referent else coordinateur,
        organisations=organisations,
        membres=membres,
        priorites=list(charte.priorites.select_related("besoin")),
    )


def rouvrir_le_jalon_du_plan(charte, par):
    """Databases seeded before this demo existed have the plan's gate validated with no plan: reopen it."""
    etape = charte.etapes.get(numero=Etape.Numero.PLAN)
    if etape.jalon_valide:
        etape.annuler_jalon(par=par)


def priorites_de(modele, contexte):
    """The priorities ranking the fiche's needs; failing that, those of its domain (if the ranking changed)."""
    retenues = [p for p in contexte.priorites if p.besoin.titre in modele.besoins]
    return retenues or [p for p in contexte.priorites if p.besoin.domaine == modele.domaine] or contexte.priorites[:1]


def ecrire(modele, contexte, jusqu_a=Statut.VALIDEE):
    """Write the fiche as its pilot would, then take it along the review up to `jusqu_a`."""
    auteur = contexte.redacteur(modele)
    fiche = services.creer_fiche(contexte.charte, auteur, lambda numero: enregistrer(modele, contexte, numero))
    if jusqu_a == Statut.BROUILLON:
        return fiche
    services.proposer_fiche(fiche, auteur)
    if modele.renvoi:
        services.renvoyer_fiche(fiche, contexte.referent, modele.renvoi)
        services.proposer_fiche(fiche, auteur)
    if jusqu_a == Statut.VALIDEE:
        services.valider_fiche(fiche, contexte.referent)
    return fiche


def enregistrer(modele, contexte, numero):
    """What the fiche form saves: the fiche, its priorities, communes, partners, milestones, budget, funders."""
    pilote = contexte.organisations[modele.pilote]
    membre = contexte.membres.get(pilote.pk)
    fiche = FicheAction.objects.create(
        charte=contexte.charte,
        numero=numero,
        titre=modele.titre,
        axe=AXES[modele.domaine],
        domaine=modele.domaine,
        type_action=modele.type_action,
        objectif_general=modele.objectif,
        objectifs_operationnels="\n".join(modele.operationnels),
        publics=list(modele.publics),
        pilote=pilote,
        responsable=membre.utilisateur if membre else None,
        moyens_humains=modele.moyens_humains,
        moyens_materiels=modele.moyens_materiels,
        date_debut=modele.debut,
        date_fin=modele.fin,
        creee_par=contexte.redacteur(modele),
    )
    fiche.priorites.set(priorites_de(modele, contexte))
    fiche.communes.set(contexte.charte.communes.filter(nom__in=modele.communes))
    Contribution.objects.bulk_create(
        Contribution(fiche=fiche, organisation=contexte.organisations[cle], engagement=engagement)
        for cle, engagement in modele.partenaires
    )
    Jalon.objects.bulk_create(
        Jalon(fiche=fiche, libelle=libelle, date_prevue=prevue) for libelle, prevue, _ in modele.jalons
    )
    LigneBudget.objects.bulk_create(
        LigneBudget(fiche=fiche, annee=annee, nature=nature, libelle=libelle, montant_prevu=Decimal(montant))
        for libelle, nature, montants in modele.budget
        for annee, montant in montants.items()
    )
    Financement.objects.bulk_create(financements(fiche, modele, contexte.organisations))
    return fiche


def financements(fiche, modele, organisations):
    """Each funder's share of each year's budget, as requested when the plan was written (spring 2025)."""
    par_annee = {}
    for _libelle, _nature, montants in modele.budget:
        for annee, montant in montants.items():
            par_annee[annee] = par_annee.get(annee, 0) + montant
    for annee, total in sorted(par_annee.items()):
        # Round the running total, not each share: the shares then add up to the covered part exactly.
        cumul = 0.0
        for cle, part in modele.financeurs.items():
            montant = dizaine(total * (cumul + part)) - dizaine(total * cumul)
            cumul += part
            if montant:
                yield Financement(
                    fiche=fiche,
                    financeur=organisations[cle],
                    annee=annee,
                    montant=Decimal(montant),
                    statut=Financement.Statut.ACCORDE if annee <= 2025 else Financement.Statut.SOLLICITE,
                )


def dizaine(montant):
    return round(montant / 10) * 10


def signer(contexte):
    """The COPIL of 10 July 2025 signs the plan (a baseline is frozen) and the référent co-signs it."""
    services.signer_plan(contexte.charte, contexte.coordinateur, le=SIGNATURE, instance=INSTANCE_SIGNATURE)
    etape = contexte.charte.etapes.get(numero=Etape.Numero.PLAN)
    if contexte.referent != contexte.coordinateur:
        etape.cosigner_jalon(par=contexte.referent, le=SIGNATURE)


def faire_vivre(fiche, modele, contexte):
    """After the signature: the pilot's progress entries, the 2025 accounts, the adjustments, the comments."""
    pilote = contexte.personne(modele.pilote)
    statut_final = modele.suivis[-1][3] if modele.suivis else Statut.VALIDEE
    for date, texte, avancement, statut in modele.suivis:
        if date < CLOTURE_2025:
            services.ajouter_suivi(fiche, pilote, date=date, texte=texte, avancement=avancement, statut=statut)
    services.modifier_fiche(
        fiche, pilote, fiche.version, lambda: arreter_les_comptes(fiche, modele, contexte, statut_final)
    )
    if modele.ajustement:
        services.modifier_fiche(fiche, pilote, fiche.version, lambda: modele.ajustement(fiche, contexte))
    for date, texte, avancement, statut in modele.suivis:
        if date >= CLOTURE_2025:
            services.ajouter_suivi(fiche, pilote, date=date, texte=texte, avancement=avancement, statut=statut)
    commenter(fiche, modele, contexte)


def arreter_les_comptes(fiche, modele, contexte, statut_final):
    """Spent amounts of the past years, funds paid for 2025 and granted for 2026, milestones reached."""
    annees_closes = {2025, 2026} if statut_final == Statut.REALISEE else {2025}
    for ligne in fiche.lignes_budget.filter(annee__in=annees_closes).order_by("id"):
        taux = Decimal(str(round(contexte.hasard.uniform(0.8, 1.02), 2)))
        LigneBudget.objects.filter(pk=ligne.pk).update(
            montant_realise=(ligne.montant_prevu * taux).quantize(Decimal("1"))
        )
    fiche.financements.filter(annee__lte=2025).update(statut=Financement.Statut.VERSE)
    if statut_final in (Statut.VALIDEE, Statut.EN_COURS, Statut.REALISEE):
        fiche.financements.filter(annee=2026).update(statut=Financement.Statut.ACCORDE)
    for libelle, _prevue, atteint in modele.jalons:
        if atteint:
            fiche.jalons.filter(libelle=libelle).update(date_reelle=atteint)


def commenter(fiche, modele, contexte):
    for auteur, texte in modele.commentaires:
        services.commenter(fiche, contexte.personne(auteur), texte)
