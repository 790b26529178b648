"""factory_boy factories; charters are built through the same service the application uses."""

import datetime
import functools

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from charte.models import Membre
from charte.services import creer_charte
from territoires.models import Commune, Organisation, Territoire, normaliser

MOT_DE_PASSE = "un-mot-de-passe-Solide-42"


@functools.cache
def empreinte_du_mot_de_passe():
    """Hash the test password once: the real hasher is slow on purpose."""
    return make_password(MOT_DE_PASSE)


class UtilisateurFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"personne{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@exemple.fr")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    password = factory.LazyFunction(empreinte_du_mot_de_passe)

    class Params:
        agent_msa = factory.Trait(est_agent_msa=True)
        national = factory.Trait(est_national=True)


class TerritoireFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Territoire

    siren = factory.Sequence(lambda n: f"{900000000 + n}")
    nom = factory.Sequence(lambda n: f"CC du Territoire d'essai {n}")
    nom_recherche = factory.LazyAttribute(lambda o: normaliser(o.nom))
    nature = Territoire.Nature.CC
    population = 5000
    departements = "55"


class CommuneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commune

    code_insee = factory.Sequence(lambda n: f"9{n:04d}")
    nom = factory.Sequence(lambda n: f"Commune {n}")
    departement = "55"
    population = 300
    territoire = factory.SubFactory(TerritoireFactory)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("nom",)

    nom = factory.Sequence(lambda n: f"Organisation {n}")
    type = Organisation.Type.CAF


class CharteFactory(factory.Factory):
    """A charter created as an MSA agent would: communes, four stages, creator as coordinator."""

    class Meta:
        model = creer_charte

    territoire = factory.LazyFunction(lambda: CommuneFactory().territoire)
    nom = factory.LazyAttribute(lambda o: f"Charte — {o.territoire.nom}")
    date_debut = datetime.date(2025, 1, 6)
    par = factory.SubFactory(UtilisateurFactory, agent_msa=True)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return model_class(**kwargs)

    _build = _create


class MembreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membre

    charte = factory.SubFactory(CharteFactory)
    utilisateur = factory.SubFactory(UtilisateurFactory)
    role = Membre.Role.OBSERVATEUR

    class Params:
        coordinateur = factory.Trait(role=Membre.Role.COORDINATEUR)
        referent = factory.Trait(role=Membre.Role.REFERENT)
        partenaire = factory.Trait(role=Membre.Role.PARTENAIRE, organisation=factory.SubFactory(OrganisationFactory))
        observateur = factory.Trait(role=Membre.Role.OBSERVATEUR)


# A one-question survey, in the template's format (diagnostic.services.creer_enquete).
QUESTIONNAIRE_MINIMAL = {
    "titre": "Enquête d'essai",
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
                    "options": [{"libelle": "Crèche"}, {"libelle": "Autre", "autre": True}],
                }
            ],
        }
    ],
}


class BesoinFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "diagnostic.Besoin"

    charte = factory.SubFactory(CharteFactory)
    domaine = "petite_enfance"
    titre = factory.Sequence(lambda n: f"Besoin {n}")


class PrioriteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "priorisation.Priorite"

    charte = factory.SubFactory(CharteFactory)
    besoin = factory.SubFactory(BesoinFactory, charte=factory.SelfAttribute("..charte"))
    rang = factory.Sequence(lambda n: n + 1)
    intitule = factory.LazyAttribute(lambda o: f"Priorité : {o.besoin.titre}")
    decidee_le = datetime.date(2025, 6, 12)


class FicheActionFactory(factory.django.DjangoModelFactory):
    """A fiche of the plan (brouillon), answering one new priority of its charter unless told otherwise."""

    class Meta:
        model = "plan_actions.FicheAction"
        skip_postgeneration_save = True

    charte = factory.SubFactory(CharteFactory)
    numero = factory.Sequence(lambda n: n + 1)
    titre = factory.Sequence(lambda n: f"Créer l'action {n}")
    domaine = "petite_enfance"
    objectif_general = "Répondre au besoin des familles."
    pilote = factory.SubFactory(OrganisationFactory)
    date_debut = datetime.date(2025, 9, 1)
    date_fin = datetime.date(2027, 12, 31)

    @factory.post_generation
    def priorites(self, create, priorites, **kwargs):
        if not create:
            return
        self.priorites.set(priorites if priorites is not None else [PrioriteFactory(charte=self.charte)])


class LigneBudgetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "plan_actions.LigneBudget"

    fiche = factory.SubFactory(FicheActionFactory)
    annee = 2026
    libelle = "Animation"
    montant_prevu = 1000


class FinancementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "plan_actions.Financement"

    fiche = factory.SubFactory(FicheActionFactory)
    financeur = factory.SubFactory(OrganisationFactory)
    annee = 2026
    montant = 500


class IndicateurFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "evaluation.Indicateur"

    fiche = factory.SubFactory(FicheActionFactory)
    charte = factory.SelfAttribute("fiche.charte")
    libelle = factory.Sequence(lambda n: f"Indicateur {n}")
    valeur_reference = 0
    date_reference = datetime.date(2025, 9, 1)
    cible = 100
    echeance = datetime.date(2028, 6, 30)
    frequence = "trimestrielle"
