"""Stage 4: indicators measured all along, the evaluation grid of each action, the final assessment."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from charte.models import Charte, ajouter_mois
from diagnostic.models import Enquete
from plan_actions.models import FicheAction
from territoires.models import Organisation

VALEUR = {"max_digits": 14, "decimal_places": 2}


class Indicateur(models.Model):
    """What is measured, against which baseline and target, by whom and how often."""

    class Niveau(models.TextChoices):
        MOYENS = "moyens", "Moyens"
        REALISATION = "realisation", "Réalisation"
        RESULTAT = "resultat", "Résultat"
        IMPACT = "impact", "Impact"

    class Nature(models.TextChoices):
        QUANTITATIF = "quantitatif", "Quantitatif"
        QUALITATIF = "qualitatif", "Qualitatif"

    class Sens(models.TextChoices):
        HAUSSE = "hausse", "Plus c'est haut, mieux c'est"
        BAISSE = "baisse", "Plus c'est bas, mieux c'est"

    class Frequence(models.TextChoices):
        MENSUELLE = "mensuelle", "Mensuelle"
        TRIMESTRIELLE = "trimestrielle", "Trimestrielle"
        ANNUELLE = "annuelle", "Annuelle"
        UNIQUE = "unique", "Une fois"

    # Months between two measurements (a one-off measurement is due at the deadline).
    MOIS_ENTRE_MESURES = {Frequence.MENSUELLE: 1, Frequence.TRIMESTRIELLE: 3, Frequence.ANNUELLE: 12}

    class Calcul(models.TextChoices):
        """Indicators the application computes from the project's own data (no entry needed)."""

        AUCUN = "", "Saisi par l'organisation responsable"
        REPONDANTS = "repondants", "Nombre de familles ayant répondu aux enquêtes"
        FICHES_REALISEES = "fiches_realisees", "Part des fiches actions réalisées (%)"
        FINANCEMENT_ACQUIS = "financement_acquis", "Financement acquis sur financement prévu (%)"
        COUVERTURE_PETITE_ENFANCE = (
            "couverture_petite_enfance",
            "Taux de couverture petite enfance (places pour 100 enfants de moins de 3 ans)",
        )

    charte = models.ForeignKey(Charte, related_name="indicateurs", on_delete=models.CASCADE)
    fiche = models.ForeignKey(
        FicheAction,
        verbose_name="fiche action",
        related_name="indicateurs",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        help_text="Aucune : indicateur de la charte dans son ensemble.",
    )
    libelle = models.CharField("indicateur", max_length=200)
    objectif = models.CharField("objectif mesuré", max_length=300, blank=True)
    niveau = models.CharField("niveau", max_length=12, choices=Niveau.choices, default=Niveau.REALISATION)
    nature = models.CharField("nature", max_length=12, choices=Nature.choices, default=Nature.QUANTITATIF)
    unite = models.CharField("unité", max_length=50, blank=True, help_text="ex. familles, %, places")
    perimetre = models.CharField("périmètre (public, communes, période)", max_length=300, blank=True)
    sens = models.CharField("sens", max_length=8, choices=Sens.choices, default=Sens.HAUSSE)
    valeur_reference = models.DecimalField("valeur de référence", **VALEUR, null=True, blank=True)
    date_reference = models.DateField("date de la valeur de référence", null=True, blank=True)
    cible = models.DecimalField("valeur cible", **VALEUR, null=True, blank=True)
    echeance = models.DateField("échéance de la cible", null=True, blank=True)
    source = models.CharField("source des données", max_length=200, blank=True)
    methode = models.CharField("méthode de collecte", max_length=200, blank=True)
    frequence = models.CharField("fréquence", max_length=14, choices=Frequence.choices, default=Frequence.ANNUELLE)
    calcul = models.CharField("calcul automatique", max_length=30, choices=Calcul.choices, blank=True, default="")
    responsable = models.ForeignKey(
        Organisation,
        verbose_name="organisation qui le renseigne",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="indicateurs",
    )
    valide_le = models.DateField("validé le", null=True, blank=True)
    valide_par = models.CharField("validé par (instance)", max_length=200, blank=True)
    rappel_envoye_le = models.DateField(null=True, blank=True, editable=False)
    cree_le = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["fiche__numero", "id"]
        indexes = [models.Index(fields=["charte", "fiche"])]

    def __str__(self):
        return self.libelle

    @property
    def quantitatif(self):
        return self.nature == self.Nature.QUANTITATIF

    @property
    def derniere_mesure(self):
        """The latest measurement (reads the prefetched `mesures`, ordered by date, when there are)."""
        mesures = list(self.mesures.all())
        return max(mesures, key=lambda m: (m.date, m.pk)) if mesures else None

    @property
    def taux_actuel(self):
        """Attainment at the latest measurement (computed indicators: see evaluation.suivi)."""
        derniere = self.derniere_mesure
        return self.taux_atteinte(derniere.valeur) if derniere and self.quantitatif else None

    def prochaine_echeance(self, derniere_mesure):
        """When the next measurement is due: a period after the last one (or after the baseline)."""
        if self.calcul:
            return None
        mois = self.MOIS_ENTRE_MESURES.get(self.frequence)
        if mois is None:
            return None if derniere_mesure else self.echeance
        depart = derniere_mesure.date if derniere_mesure else (self.date_reference or self.cree_le.date())
        return ajouter_mois(depart, mois)

    def taux_atteinte(self, valeur):
        """How far `valeur` has gone from the baseline to the target, in % (None when it cannot be said).

        Works both ways: for "lower is better" the target lies below the baseline, so the same ratio holds.
        Without a baseline, the value is compared with the target directly.
        """
        if valeur is None or self.cible is None:
            return None
        if self.valeur_reference is None:
            if self.sens == self.Sens.BAISSE:
                return round(100 * self.cible / valeur) if valeur else None
            return round(100 * valeur / self.cible) if self.cible else None
        ecart_vise = self.cible - self.valeur_reference
        if ecart_vise == 0:
            return 100 if self._atteinte(valeur) else 0
        return round(100 * (valeur - self.valeur_reference) / ecart_vise)

    def _atteinte(self, valeur):
        return valeur <= self.cible if self.sens == self.Sens.BAISSE else valeur >= self.cible


class Mesure(models.Model):
    """A dated value of an indicator (or, for a qualitative one, an assessment in words)."""

    indicateur = models.ForeignKey(Indicateur, related_name="mesures", on_delete=models.CASCADE)
    date = models.DateField("date de la mesure")
    valeur = models.DecimalField("valeur", **VALEUR, null=True, blank=True)
    appreciation = models.TextField("appréciation", blank=True)
    commentaire = models.TextField("commentaire", blank=True)
    saisie_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    saisie_le = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["indicateur", "date", "id"]
        constraints = [models.UniqueConstraint(fields=["indicateur", "date"], name="une_mesure_par_date")]

    def __str__(self):
        return f"{self.indicateur} au {self.date:%d/%m/%Y}"


class Critere(models.TextChoices):
    """The standard criteria of public-policy evaluation."""

    PERTINENCE = "pertinence", "Pertinence"
    COHERENCE = "coherence", "Cohérence"
    EFFICACITE = "efficacite", "Efficacité"
    EFFICIENCE = "efficience", "Efficience"
    IMPACT = "impact", "Impact"
    DURABILITE = "durabilite", "Durabilité (pérennisation après le retrait de la MSA)"


class AppreciationAction(models.Model):
    """One criterion of a fiche's evaluation grid: drafted by the pilot, validated by the coordinator."""

    class Niveau(models.IntegerChoices):
        INSUFFISANT = 1, "Insuffisant"
        PARTIEL = 2, "Partiellement atteint"
        SATISFAISANT = 3, "Satisfaisant"
        TRES_SATISFAISANT = 4, "Très satisfaisant"

    fiche = models.ForeignKey(FicheAction, related_name="appreciations", on_delete=models.CASCADE)
    critere = models.CharField("critère", max_length=12, choices=Critere.choices)
    niveau = models.PositiveSmallIntegerField(
        "niveau", choices=Niveau.choices, null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    justification = models.TextField("justification", blank=True)
    redigee_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    redigee_le = models.DateTimeField(null=True, blank=True)
    validee_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    validee_le = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["fiche", "critere"]
        constraints = [models.UniqueConstraint(fields=["fiche", "critere"], name="une_appreciation_par_critere")]

    def __str__(self):
        return f"{self.fiche} — {self.get_critere_display()}"


class BilanFinal(models.Model):
    """The final assessment of the charter; its adoption validates the last gate."""

    charte = models.OneToOneField(Charte, related_name="bilan", on_delete=models.CASCADE)
    realisations = models.TextField("ce qui a été réalisé, priorité par priorité", blank=True)
    avis_des_familles = models.TextField("ce qu'en disent les familles", blank=True)
    recommandations = models.TextField("recommandations pour continuer sans la MSA comme pilote", blank=True)
    enquete_avant = models.ForeignKey(
        Enquete,
        verbose_name="enquête du diagnostic",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    enquete_apres = models.ForeignKey(
        Enquete,
        verbose_name="enquête de satisfaction",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    version = models.PositiveIntegerField(default=1)
    modifie_le = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "bilan final"

    def __str__(self):
        return f"Bilan final — {self.charte}"
