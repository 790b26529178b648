"""National-scale data for the benchmarks: hundreds of charters on real EPCIs, written with COPY.

Everything is built in memory as rows and sent with PostgreSQL's COPY (psycopg 3), ids reserved
from the sequences beforehand so that children can point at their parents without a round trip.
Only the survey structure goes through `creer_enquete` (a few hundred rows per charter), so that
the questionnaire is exactly the shipped template. PostgreSQL only: COPY has no SQLite equivalent.
"""

import datetime
import json
import random
import secrets
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from charte.models import Charte, Etape, Journal, Membre
from diagnostic.comptages import cle
from diagnostic.demo import BESOINS, DEBUT_COLLECTE, DUREE_COLLECTE_JOURS, profil, valeurs
from diagnostic.models import Besoin, Comptage, Domaine, Enquete, Question, Reponse, Valeur
from diagnostic.services import creer_enquete, lire_gabarit
from evaluation.models import Indicateur, Mesure
from plan_actions.models import FicheAction, Financement, LigneBudget, Nature
from priorisation.models import Priorite
from territoires.models import Famille, Organisation, Territoire
from territoires.services import charger_referentiel

# The marker of generated data: charters named "… (jeu national)", accounts "national-…".
MARQUE = " (jeu national)"
PREFIXE_COMPTE = "national-"
MOT_DE_PASSE = "jeu-national-2026"  # benchmark data only: every account shares it
DATE_DEBUT = datetime.date(2025, 1, 6)
# Distinct answer sets drawn once and shared by every survey: generating 400 000 households answer by
# answer would take minutes of Python; a pool keeps the distributions of diagnostic.demo.
TAILLE_DU_VIVIER = 1000

ORGANISATIONS_DEPARTEMENTALES = [
    ("MSA", Organisation.Type.MSA),
    ("CAF", Organisation.Type.CAF),
    ("Conseil départemental", Organisation.Type.CD),
    ("ARS", Organisation.Type.ARS),
    ("CPAM", Organisation.Type.CPAM),
    ("Association familiale", Organisation.Type.ASSOCIATION),
]
PRENOMS = ["Camille", "Lucie", "Thomas", "Nadia", "Julien", "Sophie", "Karim", "Élodie", "Hugo", "Manon"]
NOMS = ["Martin", "Bernard", "Petit", "Durand", "Leroy", "Moreau", "Simon", "Laurent", "Michel", "Garcia"]
VERBES = ["Créer", "Développer", "Renforcer", "Faire connaître", "Mutualiser", "Ouvrir", "Accompagner"]
ACTIONS = [
    "un relais petite enfance itinérant",
    "des cafés des parents dans les villages",
    "un transport à la demande pour les jeunes",
    "une permanence santé avec la PMI",
    "un guide des droits et des aides",
    "des ateliers de répit pour les aidants",
    "un accueil de loisirs le mercredi",
    "une fête des familles du territoire",
]


@dataclass
class Volumes:
    """How much to generate; the defaults are the national scale of issue #8."""

    chartes: int = 200
    reponses: int = 2000
    membres: int = 30
    besoins: int = 12
    priorites: int = 6
    fiches: int = 60
    indicateurs: int = 100
    mesures: int = 4  # per indicator


class Chronometre:
    """Prints and keeps the duration of each phase."""

    def __init__(self, ecrire=print):
        self.ecrire, self.durees = ecrire, {}

    def phase(self, nom, fonction, *args):
        debut = time.perf_counter()
        resultat = fonction(*args)
        self.durees[nom] = time.perf_counter() - debut
        self.ecrire(f"  {nom} : {self.durees[nom]:.1f} s")
        return resultat


def deja_genere():
    return Charte.objects.filter(nom__endswith=MARQUE).exists()


# --- COPY helpers -------------------------------------------------------------------------------


def reserver_ids(modele, nombre):
    """`nombre` ids taken from the table's sequence, so that rows can be written with their id."""
    with connection.cursor() as curseur:
        curseur.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [modele._meta.db_table, nombre],
        )
        return [ligne[0] for ligne in curseur.fetchall()]


def valeur_de(objet, champ, maintenant):
    valeur = getattr(objet, champ.attname)
    if valeur is None and (getattr(champ, "auto_now", False) or getattr(champ, "auto_now_add", False)):
        return maintenant
    if champ.get_internal_type() == "JSONField":
        return json.dumps(valeur)
    return valeur


def copier(objets):
    """Write unsaved instances of one model with a single COPY; their ids are set on them."""
    if not objets:
        return objets
    meta = type(objets[0])._meta
    champs = [champ for champ in meta.concrete_fields if not champ.primary_key]
    colonnes = ", ".join(["id", *(connection.ops.quote_name(champ.column) for champ in champs)])
    maintenant = timezone.now()
    ids = reserver_ids(type(objets[0]), len(objets))
    with connection.cursor() as curseur, curseur.copy(f"COPY {meta.db_table} ({colonnes}) FROM STDIN") as copie:
        for id_, objet in zip(ids, objets, strict=True):
            objet.pk = id_
            copie.write_row([id_, *(valeur_de(objet, champ, maintenant) for champ in champs)])
    return objets


@contextmanager
def sans_index_ni_contraintes(*modeles):
    """Bulk load: drop the tables' secondary indexes and foreign-key/unique constraints, rebuild them after.

    Checked and indexed row by row, 17 million answer values cost three index insertions and three foreign-key
    lookups each; rebuilt once at the end, PostgreSQL sorts each index once and validates each key with one join.
    DDL is transactional in PostgreSQL: if the load fails, the rollback puts everything back.
    """
    tables = [modele._meta.db_table for modele in modeles]
    with connection.cursor() as curseur:
        curseur.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = ANY(%s::regclass[]) AND contype IN ('f', 'u')",
            [tables],
        )
        contraintes = curseur.fetchall()
        curseur.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE contype IN ('p', 'u', 'x'))",
            [tables],
        )
        index = curseur.fetchall()
        for table, nom, _definition in contraintes:
            curseur.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{nom}"')
        for nom, _definition in index:
            curseur.execute(f'DROP INDEX "{nom}"')
    yield
    with connection.cursor() as curseur:
        # Each index is one sort of 17 million rows: with the default 64 MB it spills to disk in many runs.
        curseur.execute("SET LOCAL maintenance_work_mem = '1GB'")
        for _nom, definition in index:
            curseur.execute(definition)
        for table, nom, definition in contraintes:
            curseur.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{nom}" {definition}')


def copier_texte(table, colonnes, morceaux):
    """COPY rows already in PostgreSQL's text format (the millions of answers: no per-value adaptation)."""
    with connection.cursor() as curseur, curseur.copy(f"COPY {table} ({', '.join(colonnes)}) FROM STDIN") as copie:
        for morceau in morceaux:
            copie.write(morceau)


# --- reference data, organisations, accounts, charters ----------------------------------------------


def territoires_choisis(nombre, hasard):
    """`nombre` real EPCIs (the whole reference data is loaded first if the database has none)."""
    if not Territoire.objects.filter(communes__isnull=False).exists():
        charger_referentiel()
    candidats = list(Territoire.objects.filter(communes__isnull=False).distinct().order_by("siren"))
    if nombre <= len(candidats):
        return hasard.sample(candidats, nombre)
    return [candidats[i % len(candidats)] for i in range(nombre)]  # a tiny reference data set: reuse EPCIs


def organisations_par_departement(territoires):
    """The usual partners of each department, created once and shared by its charters."""
    departements = sorted({t.departements.split(",")[0] for t in territoires})
    Organisation.objects.bulk_create(
        [
            Organisation(nom=f"{nom} — département {dep}", type=type_, departement=dep)
            for dep in departements
            for nom, type_ in ORGANISATIONS_DEPARTEMENTALES
        ],
        ignore_conflicts=True,  # a second run on the same database reuses them
    )
    par_departement = {dep: [] for dep in departements}
    for organisation in Organisation.objects.filter(nom__contains=" — département "):
        par_departement.get(organisation.departement, []).append(organisation)
    return par_departement


def organisation_du_territoire(territoires):
    """Each EPCI as an organisation (its référent speaks for it)."""
    Organisation.objects.bulk_create(
        [
            Organisation(nom=t.nom, type=Organisation.Type.COLLECTIVITE, departement=t.departements.split(",")[0])
            for t in territoires
        ],
        ignore_conflicts=True,
    )
    return {o.nom: o for o in Organisation.objects.filter(nom__in=[t.nom for t in territoires])}


def comptes(volumes):
    """volumes.membres accounts per charter; one password hash for all (hashing is deliberately slow)."""
    Utilisateur = get_user_model()
    mot_de_passe = make_password(MOT_DE_PASSE)
    utilisateurs = [
        Utilisateur(
            username=f"{PREFIXE_COMPTE}{i:03d}-{j:02d}",
            first_name=PRENOMS[(i + j) % len(PRENOMS)],
            last_name=NOMS[(i * 7 + j) % len(NOMS)],
            email=f"{PREFIXE_COMPTE}{i:03d}-{j:02d}@exemple.fr",
            password=mot_de_passe,
            est_agent_msa=j == 0,
        )
        for i in range(volumes.chartes)
        for j in range(volumes.membres)
    ]
    copier(utilisateurs)
    return [utilisateurs[i * volumes.membres : (i + 1) * volumes.membres] for i in range(volumes.chartes)]


@dataclass
class ChartePreparee:
    """A generated charter and what its later phases need."""

    charte: Charte
    personnes: list
    partenaires: list  # organisations
    communes: list
    enquete: Enquete | None = None


def chartes(territoires, personnes, partenaires, collectivites):
    lignes = [
        Charte(
            nom=f"Avec les familles — {t.nom}{MARQUE}",
            slug=f"{slugify(t.nom)[:64]}-national-{i:03d}",
            territoire=t,
            date_debut=DATE_DEBUT,
            creee_par=personnes[i][0],
        )
        for i, t in enumerate(territoires)
    ]
    copier(lignes)
    communes = {t.pk: list(t.communes.all()) for t in set(territoires)}
    Lien = Charte.communes.through
    copier([Lien(charte_id=c.pk, commune_id=commune.pk) for c in lignes for commune in communes[c.territoire_id]])
    copier([etape for c in lignes for etape in Etape.depuis_gabarit(c)])
    copier([Journal(charte=c, auteur=c.creee_par, action="Charte créée (jeu de données national)") for c in lignes])
    preparees = []
    for i, c in enumerate(lignes):
        organisations = partenaires[c.territoire.departements.split(",")[0]]
        preparees.append(ChartePreparee(c, personnes[i], organisations, communes[c.territoire_id]))
    copier([m for p in preparees for m in membres(p, collectivites[p.charte.territoire.nom])])
    return preparees


def membres(preparee, collectivite):
    """1 coordinator (MSA), 1 référent (the EPCI), two thirds partners, the rest observers."""
    msa = next(o for o in preparee.partenaires if o.type == Organisation.Type.MSA)
    roles = []
    for j, personne in enumerate(preparee.personnes):
        if j == 0:
            role, organisation = Membre.Role.COORDINATEUR, msa
        elif j == 1:
            role, organisation = Membre.Role.REFERENT, collectivite
        elif j <= 2 * len(preparee.personnes) // 3:
            role, organisation = Membre.Role.PARTENAIRE, preparee.partenaires[j % len(preparee.partenaires)]
        else:
            role, organisation = Membre.Role.OBSERVATEUR, None
        roles.append(Membre(charte=preparee.charte, utilisateur=personne, role=role, organisation=organisation))
    return roles


# --- surveys and answers --------------------------------------------------------------------------


def questionnaires(preparees):
    """The shipped template, once per charter, published; non-text results shown to partners as in the demo."""
    gabarit = lire_gabarit()
    for p in preparees:
        p.enquete = creer_enquete(p.charte, gabarit, par=p.personnes[0], titre="Questionnaire aux familles")
    ids = [p.enquete.pk for p in preparees]
    Enquete.objects.filter(pk__in=ids).update(statut=Enquete.Statut.PUBLIEE, ouverture=DEBUT_COLLECTE.date())
    Question.objects.filter(enquete__in=ids).exclude(type__in=Question.TYPES_TEXTE).update(resultats_publies=True)


def structure(enquete):
    """The survey's questions in template order, with their options: positions are the same in every copy."""
    questions = list(enquete.questions.prefetch_related("options").select_related("condition_option"))
    return questions, [[o.pk for o in q.options.all()] for q in questions]


def texte_copy(valeur):
    return valeur.replace("\\", "\\\\").replace("\t", " ").replace("\n", " ").replace("\r", " ")


@dataclass
class Vivier:
    """Answer sets by position (question, option): (rows, counts) each, mapped onto each survey's ids."""

    lignes: list  # per set: [(question position, option position or None, nombre or None, texte)]

    @classmethod
    def tirer(cls, enquete, hasard, taille=TAILLE_DU_VIVIER):
        questions, _options = structure(enquete)
        position_q = {q.pk: i for i, q in enumerate(questions)}
        position_o = {o.pk: j for q in questions for j, o in enumerate(q.options.all())}
        ensembles = []
        for _ in range(taille):
            ensembles.append(
                [
                    (position_q[v.question_id], position_o.get(v.option_id), v.nombre, v.texte)
                    for v in valeurs(hasard, None, questions)
                ]
            )
        return cls(ensembles)

    def modeles(self, enquete):
        """Per set, its COPY text with "\\x00" where the answer id goes, for this survey's ids."""
        questions, options = structure(enquete)
        modeles = []
        for ensemble in self.lignes:
            morceaux = []
            for q, o, nombre, texte in ensemble:
                option = r"\N" if o is None else options[q][o]
                valeur = r"\N" if nombre is None else str(nombre)
                morceaux.append(f"\x00\t{questions[q].pk}\t{option}\t{valeur}\t{texte_copy(texte)}\n")
            modeles.append("".join(morceaux))
        return modeles

    def comptages(self, enquete, utilisations):
        """The Comptage rows of a survey whose answers used each set `utilisations[i]` times."""
        questions, options = structure(enquete)
        comptes = Counter()
        for i, n in utilisations.items():
            repondues = set()
            for q, o, nombre, _texte in self.lignes[i]:
                comptes[(questions[q].pk, cle(None if o is None else options[q][o], nombre))] += n
                repondues.add(q)
            for q in repondues:
                comptes[(questions[q].pk, Comptage.REPONDANTS)] += n
        return [Comptage(question_id=q, cle=c, effectif=n) for (q, c), n in sorted(comptes.items())]


def reponses(preparees, volumes, hasard, ecrire):
    """volumes.reponses households per survey: Famille, Reponse and Valeur rows, and the running counts."""
    if not preparees:
        return 0
    vivier = Vivier.tirer(preparees[0].enquete, hasard)
    nb_valeurs, debut = 0, time.perf_counter()
    with sans_index_ni_contraintes(Famille, Reponse, Valeur):
        for n, p in enumerate(preparees, start=1):
            nb_valeurs += repondre(p, vivier, volumes.reponses, hasard)
            if n % 20 == 0:  # the longest phase: show that it moves
                ecrire(f"    {n} enquêtes remplies, {nb_valeurs} valeurs ({time.perf_counter() - debut:.0f} s)")
        ecrire(f"    réponses écrites en {time.perf_counter() - debut:.0f} s ; index et contraintes reconstruits…")
    return nb_valeurs


def repondre(preparee, vivier, nombre, hasard):
    enquete = preparee.enquete
    familles = copier([profil(hasard, preparee.communes) for _ in range(nombre)])
    ids = reserver_ids(Reponse, nombre)
    minutes = DUREE_COLLECTE_JOURS * 24 * 60
    copier_texte(
        Reponse._meta.db_table,
        ["id", "enquete_id", "famille_id", "canal", "soumise_le", "jeton_soumission"],
        (
            f"{id_}\t{enquete.pk}\t{famille.pk}\t{'papier' if hasard.random() < 0.2 else 'en_ligne'}\t"
            f"{(DEBUT_COLLECTE + datetime.timedelta(minutes=hasard.randrange(minutes))).isoformat()}\t"
            f"{secrets.token_hex(16)}\n"
            for id_, famille in zip(ids, familles, strict=True)
        ),
    )
    choix = [hasard.randrange(len(vivier.lignes)) for _ in ids]
    modeles = vivier.modeles(enquete)
    copier_texte(
        Valeur._meta.db_table,
        ["reponse_id", "question_id", "option_id", "nombre", "texte"],
        (modeles[i].replace("\x00", str(id_)) for id_, i in zip(ids, choix, strict=True)),
    )
    # The counts hold every answer written here: the results page reads them, not 50 000 rows.
    copier(vivier.comptages(enquete, Counter(choix)))
    Enquete.objects.filter(pk=enquete.pk).update(comptee_jusqu_a=max(ids))
    return sum(len(vivier.lignes[i]) for i in choix)


# --- needs, priorities, plan, indicators ----------------------------------------------------------------


def besoins_et_priorites(preparees, volumes):
    besoins = copier(
        [
            Besoin(
                charte=p.charte,
                domaine=BESOINS[i % len(BESOINS)][0],
                titre=BESOINS[i % len(BESOINS)][1] + ("" if i < len(BESOINS) else f" ({i + 1})"),
                description=BESOINS[i % len(BESOINS)][2],
                creee_par=p.personnes[0],
            )
            for p in preparees
            for i in range(volumes.besoins)
        ]
    )
    priorites = copier(
        [
            Priorite(
                charte=p.charte,
                besoin=besoins[n * volumes.besoins + rang],
                rang=rang + 1,
                intitule=besoins[n * volumes.besoins + rang].titre,
                decidee_le=datetime.date(2025, 6, 12),
                decidee_par=p.personnes[0],
            )
            for n, p in enumerate(preparees)
            for rang in range(min(volumes.priorites, volumes.besoins))
        ]
    )
    par_charte = {}
    for priorite in priorites:
        par_charte.setdefault(priorite.charte_id, []).append(priorite)
    return par_charte


def plan(preparees, volumes, priorites, hasard):
    """volumes.fiches fiches per charter, each answering a priority, with 3 budget lines and 2 or 3 funders."""
    statuts = [s for s, _ in FicheAction.Statut.choices]
    fiches = []
    for p in preparees:
        for numero in range(1, volumes.fiches + 1):
            debut = DATE_DEBUT + datetime.timedelta(days=180 + hasard.randrange(700))
            fiches.append(
                FicheAction(
                    charte=p.charte,
                    numero=numero,
                    titre=f"{hasard.choice(VERBES)} {hasard.choice(ACTIONS)}",
                    domaine=hasard.choice(Domaine.values),
                    objectif_general="Répondre à un besoin exprimé par les familles lors du diagnostic.",
                    publics=["parents"],
                    pilote=hasard.choice(p.partenaires),
                    responsable=p.personnes[2 + numero % 10],
                    date_debut=debut,
                    date_fin=debut + datetime.timedelta(days=90 + hasard.randrange(600)),
                    statut=hasard.choices(statuts, weights=[5, 5, 25, 40, 15, 5, 5])[0],
                    avancement=hasard.randrange(0, 101, 10),
                    creee_par=p.personnes[0],
                )
            )
    copier(fiches)
    Lien = FicheAction.priorites.through
    copier([Lien(ficheaction_id=f.pk, priorite_id=hasard.choice(priorites[f.charte_id]).pk) for f in fiches])
    copier([ligne for f in fiches for ligne in budget(f, hasard)])
    organisations = {p.charte.pk: p.partenaires for p in preparees}
    copier([financement for f in fiches for financement in financements(f, organisations[f.charte_id], hasard)])
    return fiches


def budget(fiche, hasard):
    for annee, (nature, libelle) in zip(
        (2025, 2026, 2027),
        [
            (Nature.INVESTISSEMENT, "Équipement"),
            (Nature.FONCTIONNEMENT, "Animation"),
            (Nature.FONCTIONNEMENT, "Communication"),
        ],
        strict=True,
    ):
        prevu = Decimal(hasard.randrange(1000, 40000, 100))
        realise = (prevu * Decimal(hasard.randrange(50, 110)) / 100).quantize(Decimal("0.01"))
        yield LigneBudget(
            fiche=fiche, annee=annee, nature=nature, libelle=libelle, montant_prevu=prevu, montant_realise=realise
        )


def financements(fiche, organisations, hasard):
    statuts = [s for s, _ in Financement.Statut.choices]
    for financeur in hasard.sample(organisations, hasard.choice([2, 3])):
        yield Financement(
            fiche=fiche,
            financeur=financeur,
            annee=2026,
            montant=Decimal(hasard.randrange(2000, 30000, 500)),
            statut=hasard.choice(statuts),
        )


def indicateurs(preparees, volumes, fiches, hasard):
    """volumes.indicateurs per charter, one per fiche first then charter-wide, each with dated measurements."""
    par_charte = {}
    for fiche in fiches:
        par_charte.setdefault(fiche.charte_id, []).append(fiche)
    niveaux = [n for n, _ in Indicateur.Niveau.choices]
    lignes = []
    for p in preparees:
        siennes = par_charte.get(p.charte.pk, [])
        for i in range(volumes.indicateurs):
            fiche = siennes[i % len(siennes)] if siennes and i < 2 * len(siennes) else None
            lignes.append(
                Indicateur(
                    charte=p.charte,
                    fiche=fiche,
                    libelle=f"Familles touchées — indicateur {i + 1}",
                    niveau=niveaux[i % len(niveaux)],
                    unite="familles",
                    valeur_reference=Decimal(hasard.randrange(0, 50)),
                    date_reference=DATE_DEBUT,
                    cible=Decimal(hasard.randrange(50, 200)),
                    echeance=datetime.date(2028, 6, 30),
                    responsable=fiche.pilote if fiche else p.partenaires[0],
                )
            )
    copier(lignes)
    copier(
        [
            Mesure(
                indicateur=indicateur,
                date=datetime.date(2025, 6, 30) + datetime.timedelta(days=182 * k),
                valeur=Decimal(hasard.randrange(0, 200)),
            )
            for indicateur in lignes
            for k in range(volumes.mesures)
        ]
    )
    return lignes


# --- the whole run -----------------------------------------------------------------------------------


def generer(volumes, graine=2026, ecrire=print):
    """Generate the data set in one transaction (all or nothing); returns the duration of each phase."""
    hasard = random.Random(graine)
    chrono = Chronometre(ecrire)
    with transaction.atomic():
        # Django's foreign keys are checked at COMMIT (deferred): checked row by row instead, the
        # time of each phase includes them (≈ half of the total at national scale).
        with connection.cursor() as curseur:
            curseur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        territoires = chrono.phase("référentiel et EPCI", territoires_choisis, volumes.chartes, hasard)
        partenaires = chrono.phase("organisations", organisations_par_departement, territoires)
        collectivites = organisation_du_territoire(territoires)
        personnes = chrono.phase("comptes", comptes, volumes)
        preparees = chrono.phase(
            "chartes, étapes, membres", chartes, territoires, personnes, partenaires, collectivites
        )
        chrono.phase("questionnaires", questionnaires, preparees)
        nb_valeurs = chrono.phase("réponses et comptes", reponses, preparees, volumes, hasard, ecrire)
        priorites = chrono.phase("besoins et priorités", besoins_et_priorites, preparees, volumes)
        fiches = chrono.phase("plan d'actions", plan, preparees, volumes, priorites, hasard)
        chrono.phase("indicateurs et mesures", indicateurs, preparees, volumes, fiches, hasard)
    # Fresh statistics: without them the first queries plan as if the tables were empty.
    chrono.phase("ANALYZE", analyser)
    ecrire(f"  {nb_valeurs} valeurs ({nb_valeurs / max(volumes.chartes * volumes.reponses, 1):.1f} par réponse)")
    return chrono.durees


def analyser():
    with connection.cursor() as curseur:
        curseur.execute("ANALYZE")
