"""Stage 2: partners, elected officials and families rank the needs together; priorities are decided."""

import secrets
import string
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models

from charte.models import Charte
from diagnostic.models import Besoin

CRITERES_PAR_DEFAUT = ["Importance pour les familles", "Urgence", "Faisabilité sur le territoire"]
ALPHABET_CODE = "".join(c for c in string.ascii_uppercase + string.digits if c not in "O0I1")


def code_de_seance():
    """A short code that guests type on a phone (no O/0 or I/1 to confuse)."""
    return "".join(secrets.choice(ALPHABET_CODE) for _ in range(6))


def jeton_participant():
    return secrets.token_urlsafe(24)


class Seance(models.Model):
    class Mode(models.TextChoices):
        MULTICRITERE = "multicritere", "Notation multicritère (1 à 5)"
        GOMMETTES = "gommettes", "Vote par gommettes (points à répartir)"

    class Statut(models.TextChoices):
        PREPARATION = "preparation", "En préparation"
        OUVERTE = "ouverte", "Ouverte au vote"
        CLOSE = "close", "Close"

    charte = models.ForeignKey(Charte, related_name="seances", on_delete=models.CASCADE)
    titre = models.CharField("titre", max_length=200)
    date = models.DateField("date")
    mode = models.CharField("mode", max_length=15, choices=Mode.choices, default=Mode.MULTICRITERE)
    points_par_participant = models.PositiveSmallIntegerField(
        "points par participant", default=10, help_text="Vote par gommettes : points que chacun répartit."
    )
    seuil_anonymat = models.PositiveSmallIntegerField(
        "participants minimum par collège",
        default=3,
        validators=[MinValueValidator(1)],
        help_text="En dessous, le détail du collège n'est pas affiché (seulement l'ensemble).",
    )
    statut = models.CharField("statut", max_length=12, choices=Statut.choices, default=Statut.PREPARATION)
    code = models.CharField("code de participation", max_length=8, unique=True, default=code_de_seance)
    besoins = models.ManyToManyField(Besoin, verbose_name="besoins soumis au vote", related_name="seances")
    creee_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    creee_le = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = "séance de priorisation"
        verbose_name_plural = "séances de priorisation"

    def __str__(self):
        return self.titre

    @property
    def ouverte(self):
        return self.statut == self.Statut.OUVERTE

    @property
    def multicritere(self):
        return self.mode == self.Mode.MULTICRITERE


class Critere(models.Model):
    seance = models.ForeignKey(Seance, related_name="criteres", on_delete=models.CASCADE)
    libelle = models.CharField("critère", max_length=120)
    poids = models.DecimalField(
        "poids", max_digits=4, decimal_places=1, default=Decimal("1.0"), validators=[MinValueValidator(Decimal("0.1"))]
    )
    ordre = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["ordre", "id"]
        verbose_name = "critère"

    def __str__(self):
        return self.libelle


class Participant(models.Model):
    class College(models.TextChoices):
        FAMILLES = "familles", "Familles"
        INSTITUTIONS = "institutions", "Institutions et partenaires"
        ELUS = "elus", "Élus"
        ASSOCIATIONS = "associations", "Associations"

    seance = models.ForeignKey(Seance, related_name="participants", on_delete=models.CASCADE)
    college = models.CharField("collège", max_length=15, choices=College.choices)
    utilisateur = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="participations"
    )
    pseudonyme = models.CharField(
        "comment vous présenter", max_length=80, blank=True, help_text="Facultatif, ex. « parent de Triaucourt »."
    )
    # A guest's browser keeps this token (cookie): it lets them change their scores until the close.
    jeton = models.CharField(max_length=64, unique=True, default=jeton_participant, editable=False)
    arrive_le = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["seance", "utilisateur"],
                condition=models.Q(utilisateur__isnull=False),
                name="un_compte_participe_une_fois",
            )
        ]

    def __str__(self):
        return self.pseudonyme or str(self.utilisateur or "Invité")


class Note(models.Model):
    """One participant's score of one need (per criterion), or the points they put on it."""

    participant = models.ForeignKey(Participant, related_name="notes", on_delete=models.CASCADE)
    besoin = models.ForeignKey(Besoin, related_name="notes", on_delete=models.CASCADE)
    critere = models.ForeignKey(Critere, related_name="notes", on_delete=models.CASCADE, null=True, blank=True)
    valeur = models.PositiveSmallIntegerField("note")
    modifiee_le = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "besoin", "critere"],
                name="une_note_par_critere",
                nulls_distinct=False,
            )
        ]

    def __str__(self):
        return f"{self.besoin} : {self.valeur}"


class Priorite(models.Model):
    """A retained priority: the action plan answers it."""

    class Instance(models.TextChoices):
        COPIL = "copil", "Comité de pilotage (COPIL)"
        SEANCE = "seance", "Séance de priorisation"

    charte = models.ForeignKey(Charte, related_name="priorites", on_delete=models.CASCADE)
    seance = models.ForeignKey(Seance, related_name="priorites", on_delete=models.SET_NULL, null=True, blank=True)
    besoin = models.ForeignKey(Besoin, related_name="priorites", on_delete=models.PROTECT)
    besoins_regroupes = models.ManyToManyField(
        Besoin, verbose_name="autres besoins regroupés", blank=True, related_name="priorites_regroupees"
    )
    rang = models.PositiveSmallIntegerField("rang")
    intitule = models.CharField("intitulé de la priorité", max_length=200)
    justification = models.TextField("justification", blank=True)
    decidee_le = models.DateField("décidée le")
    instance = models.CharField("décidée par", max_length=10, choices=Instance.choices, default=Instance.COPIL)
    decidee_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["rang"]
        verbose_name = "priorité"
        constraints = [models.UniqueConstraint(fields=["charte", "rang"], name="rang_unique_par_charte")]

    def __str__(self):
        return f"{self.rang}. {self.intitule}"
