"""What gathers all stages: the steering committee's meetings and decisions, and the PDF reports."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from charte.models import Charte, Etape
from diagnostic.models import Besoin
from plan_actions.models import FicheAction, VersionPlan
from priorisation.models import Priorite


class SeanceCopil(models.Model):
    """A meeting of the steering committee (COPIL): who came, what was on the agenda, what was decided."""

    charte = models.ForeignKey(Charte, related_name="copils", on_delete=models.CASCADE)
    date = models.DateField("date")
    lieu = models.CharField("lieu", max_length=200, blank=True)
    instances = models.TextField(
        "instances représentées", blank=True, help_text="Une par ligne : MSA, CAF, conseil départemental…"
    )
    presents = models.TextField("personnes présentes", blank=True, help_text="Une par ligne, avec leur fonction.")
    ordre_du_jour = models.TextField("ordre du jour", blank=True, help_text="Un point par ligne.")
    compte_rendu = models.TextField("compte rendu", blank=True)
    # The plan as presented to this meeting: the next COPIL's report shows what changed since.
    version_plan = models.ForeignKey(
        VersionPlan,
        verbose_name="version du plan présentée",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="copils",
    )
    creee_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    creee_le = models.DateTimeField(auto_now_add=True)
    # Optimistic locking: a save from a form opened on an older version is refused.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = "séance du comité de pilotage"
        verbose_name_plural = "séances du comité de pilotage"

    def __str__(self):
        return f"COPIL du {self.date:%d/%m/%Y}"

    @staticmethod
    def lignes(texte):
        return [ligne.strip() for ligne in texte.splitlines() if ligne.strip()]

    @property
    def points_ordre_du_jour(self):
        return self.lignes(self.ordre_du_jour)

    @property
    def liste_presents(self):
        return self.lignes(self.presents)

    @property
    def liste_instances(self):
        return self.lignes(self.instances)


class Decision(models.Model):
    """A decision put to a COPIL; it may be about a need, a priority, a fiche action or a gate."""

    class Statut(models.TextChoices):
        A_PRENDRE = "a_prendre", "À prendre"
        ADOPTEE = "adoptee", "Adoptée"
        AJOURNEE = "ajournee", "Ajournée"
        REJETEE = "rejetee", "Rejetée"

    seance = models.ForeignKey(SeanceCopil, related_name="decisions", on_delete=models.CASCADE)
    texte = models.TextField("décision")
    statut = models.CharField("statut", max_length=10, choices=Statut.choices, default=Statut.A_PRENDRE)
    besoin = models.ForeignKey(
        Besoin, verbose_name="besoin", on_delete=models.SET_NULL, null=True, blank=True, related_name="decisions"
    )
    priorite = models.ForeignKey(
        Priorite, verbose_name="priorité", on_delete=models.SET_NULL, null=True, blank=True, related_name="decisions"
    )
    fiche = models.ForeignKey(
        FicheAction,
        verbose_name="fiche action",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="decisions",
    )
    etape = models.ForeignKey(
        Etape, verbose_name="jalon", on_delete=models.SET_NULL, null=True, blank=True, related_name="decisions"
    )
    ordre = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["seance", "ordre", "id"]
        verbose_name = "décision"

    def __str__(self):
        return self.texte[:80]

    @property
    def objet(self):
        """What the decision is about, if anything: fiche, priority, need or gate."""
        return self.fiche or self.priorite or self.besoin or self.etape


def chemin_du_rapport(rapport, nom):
    return f"rapports/{rapport.charte_id}/{nom}"


class Rapport(models.Model):
    """A PDF report, produced once by a Celery worker and then kept unchanged (a COPIL keeps what it was given).

    The row exists before the task: its status, attempts and heartbeat let a lost or killed job be
    picked up again, and make a second run of the same job a no-op.
    """

    class Type(models.TextChoices):
        COPIL = "copil", "Rapport de comité de pilotage"
        DIAGNOSTIC = "diagnostic", "Rapport de diagnostic"
        FICHE = "fiche", "Fiche action"
        EVALUATION = "evaluation", "Rapport d'évaluation finale"

    class Statut(models.TextChoices):
        EN_ATTENTE = "en_attente", "En attente"
        EN_COURS = "en_cours", "En cours"
        PRET = "pret", "Prêt"
        ECHEC = "echec", "Échec"

    charte = models.ForeignKey(Charte, related_name="rapports", on_delete=models.CASCADE)
    type = models.CharField("type", max_length=12, choices=Type.choices)
    seance = models.ForeignKey(
        SeanceCopil,
        verbose_name="COPIL",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rapports",
    )
    fiche = models.ForeignKey(FicheAction, on_delete=models.PROTECT, null=True, blank=True, related_name="rapports")
    statut = models.CharField("statut", max_length=12, choices=Statut.choices, default=Statut.EN_ATTENTE)
    demande_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="demandé par", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    demande_le = models.DateTimeField("demandé le", default=timezone.now)
    # Set once the job is on the queue; empty while the queue (Redis) cannot be reached.
    mis_en_file_le = models.DateTimeField(null=True, blank=True)
    commence_le = models.DateTimeField(null=True, blank=True)
    battement = models.DateTimeField(null=True, blank=True)  # the worker's heartbeat while it renders
    tentatives = models.PositiveSmallIntegerField(default=0)
    termine_le = models.DateTimeField(null=True, blank=True)
    erreur = models.TextField(blank=True)
    fichier = models.FileField(upload_to=chemin_du_rapport, blank=True)
    nb_pages = models.PositiveIntegerField(null=True, blank=True)
    duree_ms = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-demande_le", "-id"]
        indexes = [models.Index(fields=["statut", "battement"])]

    def __str__(self):
        return f"{self.get_type_display()} du {timezone.localtime(self.demande_le):%d/%m/%Y %H:%M}"

    @property
    def termine(self):
        return self.statut in (self.Statut.PRET, self.Statut.ECHEC)

    @property
    def differe(self):
        """Requested while the job queue was unreachable: it will be queued again automatically."""
        return self.statut == self.Statut.EN_ATTENTE and self.mis_en_file_le is None
