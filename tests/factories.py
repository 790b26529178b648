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
