"""Shared reference data: intercommunalities, communes, partner organisations, households."""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q


def normaliser(texte):
    """Lower-case, accent-free, punctuation-free text, for searching names the way people type them."""
    sans_accents = unicodedata.normalize("NFKD", texte).encode("ascii", "ignore").decode()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", sans_accents.lower()).split())


class TerritoireQuerySet(models.QuerySet):
    def recherche(self, texte):
        """EPCIs whose SIREN starts with the digits typed, or whose name holds every word typed."""
        texte = texte.strip()
        if not texte:
            return self.none()
        chiffres = texte.replace(" ", "")
        if chiffres.isdigit():
            return self.filter(siren__startswith=chiffres)
        filtre = Q()
        for mot in normaliser(texte).split():
            filtre &= Q(nom_recherche__contains=mot)
        return self.filter(filtre)


class Territoire(models.Model):
    """An intercommunality (EPCI), as in the official reference data."""

    class Nature(models.TextChoices):
        CC = "CC", "Communauté de communes"
        CA = "CA", "Communauté d'agglomération"
        CU = "CU", "Communauté urbaine"
        METRO = "METRO", "Métropole"
        MET69 = "MET69", "Métropole de Lyon"

    siren = models.CharField("SIREN", max_length=9, unique=True)
    nom = models.CharField("nom", max_length=200)
    nom_recherche = models.CharField(max_length=200, editable=False, db_index=True)
    nature = models.CharField("nature", max_length=5, choices=Nature.choices)
    population = models.PositiveIntegerField("population totale")
    departements = models.CharField("département(s)", max_length=100, help_text="Codes, séparés par des virgules")

    objects = TerritoireQuerySet.as_manager()

    class Meta:
        verbose_name = "territoire (EPCI)"
        verbose_name_plural = "territoires (EPCI)"
        ordering = ["nom"]

    def __str__(self):
        return self.nom

    @property
    def liste_departements(self):
        return self.departements.split(",") if self.departements else []


class Commune(models.Model):
    code_insee = models.CharField("code INSEE", max_length=5, unique=True)
    nom = models.CharField("nom", max_length=200)
    departement = models.CharField("département", max_length=3)
    population = models.PositiveIntegerField("population totale")
    territoire = models.ForeignKey(
        Territoire, verbose_name="EPCI", related_name="communes", on_delete=models.SET_NULL, null=True, blank=True
    )

    class Meta:
        ordering = ["nom"]

    def __str__(self):
        return f"{self.nom} ({self.departement})"


class Organisation(models.Model):
    """A partner organisation; shared between charters (the CAF de la Meuse serves several)."""

    class Type(models.TextChoices):
        MSA = "msa", "MSA"
        CAF = "caf", "CAF"
        CD = "cd", "Conseil départemental"
        ARS = "ars", "ARS"
        CPAM = "cpam", "CPAM"
        PETR = "petr", "PETR"
        COLLECTIVITE = "collectivite", "Commune / EPCI"
        ECOLE = "ecole", "École"
        ASSOCIATION = "association", "Association"
        ENTREPRISE = "entreprise", "Entreprise"
        MAISON_SANTE = "maison_sante", "Maison de santé"
        AUTRE = "autre", "Autre"

    nom = models.CharField("nom", max_length=200, unique=True)
    type = models.CharField("type", max_length=20, choices=Type.choices)
    departement = models.CharField("département", max_length=3, blank=True)

    class Meta:
        ordering = ["nom"]

    def __str__(self):
        return self.nom


# Children may still live at home as young adults; beyond this, they are no longer counted.
AGE_ENFANT_MAX = 30


class Famille(models.Model):
    """An anonymous household profile: no name, no address, only what the analysis needs."""

    class EtapeVie(models.TextChoices):
        GROSSESSE = "grossesse", "Grossesse / attente d'un enfant"
        PETITE_ENFANCE = "petite_enfance", "Parents de jeunes enfants (0-3 ans)"
        ENFANCE = "enfance", "Parents d'enfants (3-11 ans)"
        ADOLESCENCE = "adolescence", "Parents d'adolescents (12-17 ans)"
        JEUNES_ADULTES = "jeunes_adultes", "Parents de jeunes adultes (18-25 ans)"
        GRANDS_PARENTS = "grands_parents", "Grands-parents"

    class AffiliationMsa(models.TextChoices):
        OUI = "oui", "Oui"
        NON = "non", "Non"
        NE_SAIT_PAS = "nsp", "Ne sait pas"

    commune = models.ForeignKey(Commune, verbose_name="commune", on_delete=models.PROTECT, null=True, blank=True)
    nombre_adultes = models.PositiveSmallIntegerField("nombre d'adultes", default=2)
    nombre_enfants = models.PositiveSmallIntegerField("nombre d'enfants", default=0)
    ages_enfants = models.JSONField("âges des enfants", default=list, blank=True)
    monoparentale = models.BooleanField("famille monoparentale", default=False)
    etape_vie = models.CharField("étape de vie", max_length=20, choices=EtapeVie.choices, blank=True)
    affiliation_msa = models.CharField(
        "affiliée à la MSA", max_length=3, choices=AffiliationMsa.choices, default=AffiliationMsa.NE_SAIT_PAS
    )
    creee_le = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "famille (profil anonyme)"
        verbose_name_plural = "familles (profils anonymes)"

    def __str__(self):
        return f"Foyer de {self.nombre_adultes} adulte(s) et {self.nombre_enfants} enfant(s)"

    def clean(self):
        ages = self.ages_enfants or []
        if len(ages) != self.nombre_enfants:
            raise ValidationError({"ages_enfants": f"Indiquez l'âge de chacun des {self.nombre_enfants} enfants."})
        if any(not isinstance(age, int) or not 0 <= age <= AGE_ENFANT_MAX for age in ages):
            raise ValidationError(
                {"ages_enfants": f"Chaque âge est un nombre entier d'années, de 0 à {AGE_ENFANT_MAX}."}
            )
        if self.monoparentale and self.nombre_adultes != 1:
            raise ValidationError({"monoparentale": "Une famille monoparentale compte un seul adulte."})
