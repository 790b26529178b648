"""Demo COPIL meetings of the Aire à l'Argonne charter: one per gate passed, a progress review, the next meeting.

The three 2025 meetings are the ones the gates were validated at (charte.demo, plan_actions.demo); the
progress review of 9 March 2026 took the decisions the fiches' follow-up tells (transport abandoned, cafés
widened…); the meeting of 10 December 2026 is still to come, with its decisions to take.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from charte.models import Etape, Journal
from plan_actions.models import FicheAction
from plan_actions.services import figer_version
from rapports.models import Decision, SeanceCopil

D = datetime.date
A_PRENDRE, ADOPTEE, AJOURNEE = Decision.Statut.A_PRENDRE, Decision.Statut.ADOPTEE, Decision.Statut.AJOURNEE

SIEGE = "Salle du conseil communautaire, Seuil-d'Argonne"
INSTANCES = (
    "MSA Lorraine",
    "CC de l'Aire à l'Argonne",
    "CAF de la Meuse",
    "Conseil départemental de la Meuse",
    "ARS Grand Est",
    "Familles rurales — fédération de la Meuse",
    "Représentants des familles",
)
PRESENTS = (
    "Claire Martin, agente de développement, MSA Lorraine (coordination)",
    "Julien Thomas, chargé de mission, CC de l'Aire à l'Argonne (référent)",
    "Sophie Bernard, conseillère territoriale, CAF de la Meuse",
    "Karim Haddad, chargé de prévention, ARS Grand Est",
    "Nathalie Petit, responsable territoriale, Conseil départemental de la Meuse",
    "Bernard Collin, vice-président de la communauté de communes",
    "Deux parents du territoire",
)

# Decision objects, named as in the other demos: ("besoin", title), ("priorite", need's title),
# ("fiche", title), ("etape", number) or None.
GARDE = "Trouver un mode de garde compatible avec les horaires agricoles"
EPUISEMENT = "Prévenir l'épuisement des parents agriculteurs"
MICRO_CRECHE = "Ouvrir une micro-crèche aux horaires élargis à Seuil-d'Argonne"
RELAIS = "Créer un relais petite enfance itinérant"
CAFES = "Organiser des cafés des parents"


@dataclass(frozen=True)
class CopilDemo:
    date: datetime.date
    lieu: str
    ordre_du_jour: tuple
    decisions: tuple  # (text, status, object)
    compte_rendu: str = ""
    plan: str = ""  # "signé": the version frozen at the signature; "figer": freeze the plan now


COPILS = [
    CopilDemo(
        date=D(2025, 5, 15),
        lieu=SIEGE,
        ordre_du_jour=(
            "Résultats de l'enquête auprès des familles (300 réponses)",
            "Données des partenaires et entretiens",
            "Synthèse : douze besoins dans six domaines",
            "Validation du diagnostic territorial",
            "Organisation de la séance de priorisation",
        ),
        decisions=(
            (
                "Le diagnostic territorial est validé : douze besoins des familles, dans les six domaines de la charte.",
                ADOPTEE,
                ("etape", Etape.Numero.DIAGNOSTIC),
            ),
            (
                "La garde d'enfants aux horaires agricoles est reconnue comme le besoin le plus souvent exprimé ; "
                "la CAF transmettra l'offre d'accueil par commune avant la séance de priorisation.",
                ADOPTEE,
                ("besoin", GARDE),
            ),
            (
                "Les familles ayant répondu à l'enquête sont invitées à la séance de priorisation du 12 juin 2025, "
                "aux côtés des institutions, des élus et des associations.",
                ADOPTEE,
                None,
            ),
        ),
        compte_rendu="La MSA présente les résultats de l'enquête et la synthèse des besoins. Les partenaires "
        "complètent les données (accueil du jeune enfant, démographie médicale). Le diagnostic est validé à "
        "l'unanimité ; le référent de la communauté de communes le cosigne.",
    ),
    CopilDemo(
        date=D(2025, 6, 12),
        lieu="Salle des fêtes, Vaubecourt",
        ordre_du_jour=(
            "Restitution de la séance de priorisation partagée (25 participants, 4 collèges)",
            "Décision des priorités",
            "Calendrier de rédaction des fiches actions",
        ),
        decisions=(
            (
                "Les six priorités issues de la séance de priorisation partagée sont décidées.",
                ADOPTEE,
                ("etape", Etape.Numero.PRIORISATION),
            ),
            (
                "L'accueil du jeune enfant aux horaires des parents agriculteurs est la première priorité du plan.",
                ADOPTEE,
                ("priorite", GARDE),
            ),
            (
                "Le service de remplacement agricole est associé aux actions de prévention de l'épuisement des parents.",
                ADOPTEE,
                ("priorite", EPUISEMENT),
            ),
            (
                "Ajouter une priorité sur les déplacements des adolescents vers les loisirs : ajourné, "
                "à réexaminer au bilan à mi-parcours.",
                AJOURNEE,
                ("besoin", "Permettre aux adolescents de se déplacer vers les loisirs et les stages"),
            ),
        ),
        compte_rendu="Les familles ont pesé pour l'accueil du jeune enfant et la santé, les élus pour la "
        "faisabilité. Le COPIL retient les six besoins les mieux classés. Les pilotes rédigent leurs fiches "
        "d'ici fin juin.",
    ),
    CopilDemo(
        date=D(2025, 7, 10),
        lieu=SIEGE,
        ordre_du_jour=(
            "Présentation des fiches actions validées par le référent",
            "Budget et plan de financement 2025-2028",
            "Signature du plan d'actions partagé",
            "Modalités de suivi",
        ),
        decisions=(
            (
                "Le plan d'actions partagé est signé ; le référent de la communauté de communes le cosigne.",
                ADOPTEE,
                ("etape", Etape.Numero.PLAN),
            ),
            (
                "La communauté de communes porte la micro-crèche de Seuil-d'Argonne et lance l'étude de faisabilité "
                "à la rentrée.",
                ADOPTEE,
                ("fiche", MICRO_CRECHE),
            ),
            (
                "Le COPIL se réunit au moins deux fois par an ; chaque séance reçoit le rapport d'avancement du plan.",
                ADOPTEE,
                None,
            ),
        ),
        compte_rendu="Les pilotes présentent leurs fiches. Le plan est signé en séance ; la version signée "
        "devient la référence du suivi.",
        plan="signé",
    ),
    CopilDemo(
        date=D(2026, 3, 9),
        lieu="Mairie de Pierrefitte-sur-Aire",
        ordre_du_jour=(
            "Avancement des fiches actions et comptes 2025",
            "Fiches en difficulté : transport solidaire, formation au repérage de l'épuisement",
            "Ajustements demandés par les pilotes",
            "Financements 2026",
        ),
        decisions=(
            (
                "La fiche « transport solidaire » est abandonnée : le transport à la demande du Département, étendu "
                "à tout le territoire au 1er avril, répond au besoin. Ses crédits sont reportés sur "
                "l'accompagnement aux démarches.",
                ADOPTEE,
                ("fiche", "Mettre en place un transport solidaire vers les consultations"),
            ),
            (
                "Les cafés des parents s'étendent à Beausite ; la MSA y anime deux cafés sur la santé et le sommeil.",
                ADOPTEE,
                ("fiche", CAFES),
            ),
            (
                "L'animatrice du relais petite enfance passe à temps plein en 2027 pour desservir huit communes ; "
                "le complément de financement sera présenté au COPIL de décembre.",
                ADOPTEE,
                ("fiche", RELAIS),
            ),
            (
                "La deuxième session de formation au repérage de l'épuisement parental est décalée à l'automne 2026, "
                "faute de formateur disponible avant.",
                ADOPTEE,
                ("fiche", "Former les professionnels au repérage de l'épuisement parental"),
            ),
            (
                "Le Département complète le financement 2026 de la formation des secrétaires de mairie.",
                ADOPTEE,
                ("fiche", "Former les secrétaires de mairie à l'orientation des familles"),
            ),
            (
                "Relancer une enquête auprès des familles en 2026 : ajourné, à examiner avec le calendrier de "
                "l'évaluation.",
                AJOURNEE,
                None,
            ),
        ),
        compte_rendu="Revue d'avancement des fiches actions et des comptes 2025, au regard du plan signé. Le COPIL "
        "acte un abandon et plusieurs ajustements.",
        # The demo plan's history is written today: a version frozen now would already hold the later changes,
        # and the December report would show none. The signed plan stays the reference of the demo.
        plan="signé",
    ),
    CopilDemo(
        date=D(2026, 12, 10),
        lieu=SIEGE,
        ordre_du_jour=(
            "Avancement du plan d'actions depuis le COPIL du 9 mars 2026",
            "Micro-crèche de Seuil-d'Argonne : nouveau calendrier",
            "Financements 2027 : les restes à financer",
            "Fiche proposée : permanence d'écoute pour les parents",
            "Calendrier de l'évaluation",
            "Questions diverses",
        ),
        decisions=(
            (
                "Valider le nouveau calendrier de la micro-crèche (travaux en mars 2027, ouverture en septembre 2027) "
                "et le report sur 2027 des crédits d'investissement prévus en 2026.",
                A_PRENDRE,
                ("fiche", MICRO_CRECHE),
            ),
            (
                "Financer le temps plein de l'animatrice du relais petite enfance itinérant en 2027-2028 : "
                "{reste} restent à trouver ; la MSA et le Département sont sollicités.",
                A_PRENDRE,
                ("fiche", RELAIS),
            ),
            (
                "Prolonger les cafés des parents jusqu'en juin 2028 et les ouvrir à deux nouvelles communes.",
                A_PRENDRE,
                ("fiche", CAFES),
            ),
            (
                "Retenir la fiche « Permanence d'écoute pour les parents » dans le plan, avec le coût de la ligne "
                "téléphonique.",
                A_PRENDRE,
                ("fiche", "Mettre en place une permanence d'écoute pour les parents"),
            ),
            (
                "Adopter le calendrier de l'évaluation : indicateurs arrêtés au premier trimestre 2027, enquête de "
                "satisfaction des familles au printemps 2028, bilan final présenté au COPIL de septembre 2028.",
                A_PRENDRE,
                ("etape", Etape.Numero.EVALUATION),
            ),
        ),
    ),
]


def creer_demo_copil(charte, coordinateur):
    """The demo charter's COPIL meetings and decisions; nothing if it has meetings already or no plan yet."""
    if charte.copils.exists() or not charte.fiches.exists():
        return
    with transaction.atomic():
        objets = objets_de(charte)
        for modele in COPILS:
            seance = SeanceCopil.objects.create(
                charte=charte,
                date=modele.date,
                lieu=modele.lieu,
                instances="\n".join(INSTANCES),
                presents="\n".join(PRESENTS) if modele.compte_rendu else "",
                ordre_du_jour="\n".join(modele.ordre_du_jour),
                compte_rendu=modele.compte_rendu,
                version_plan=version_du_plan(charte, coordinateur, modele),
                creee_par=coordinateur,
            )
            Decision.objects.bulk_create(
                Decision(
                    seance=seance,
                    texte=texte.format(**objets["textes"]),
                    statut=statut,
                    ordre=rang,
                    **lier(cible, objets),
                )
                for rang, (texte, statut, cible) in enumerate(modele.decisions)
            )
            Journal.noter(charte, coordinateur, f"{seance} enregistré ({len(modele.decisions)} décisions)")


def objets_de(charte):
    """The charter's needs, priorities, fiches and gates by the names the demo gives them."""
    relais = FicheAction.objects.de(charte).avec_totaux().filter(titre=RELAIS).first()
    reste = relais.reste_a_financer if relais else 0
    return {
        "besoin": {b.titre: b for b in charte.besoins.all()},
        "priorite": {p.besoin.titre: p for p in charte.priorites.select_related("besoin")},
        "fiche": {f.titre: f for f in charte.fiches.all()},
        "etape": {e.numero: e for e in charte.etapes.all()},
        # Amounts told in a decision's text, computed from the plan so that they match its pages.
        "textes": {"reste": f"{reste:,.0f} €".replace(",", "\u202f")},
    }


def lier(cible, objets):
    """The decision's foreign key to what it is about, if the charter has it (the demo data may have changed)."""
    if cible is None:
        return {}
    genre, nom = cible
    objet = objets[genre].get(nom)
    return {genre: objet} if objet else {}


def version_du_plan(charte, coordinateur, modele):
    if modele.plan == "signé":
        return charte.versions_plan.filter(libelle__startswith="Plan signé").order_by("creee_le").first()
    if modele.plan == "figer":
        # The demo plan is written today, with its past dates: freezing it now gives the plan as it stands.
        # Dated the evening of the meeting, so that the list of versions reads in the charter's order.
        version = figer_version(charte, coordinateur, f"Plan présenté au COPIL du {modele.date:%d/%m/%Y}")
        version.creee_le = timezone.make_aware(datetime.datetime.combine(modele.date, datetime.time(18)))
        version.save(update_fields=["creee_le"])
        return version
    return None
