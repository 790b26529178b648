"""The charter aggregate: Charte, its timeline (Etape and gates), its members and invitations."""

import datetime
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from charte.fraicheur import marquer_modifiee
from territoires.models import Commune, Organisation, Territoire


def ajouter_mois(date, mois):
    """The same day `mois` months later (clamped to the month's last day)."""
    annee, index = divmod(date.month - 1 + mois, 12)
    annee += date.year
    for jour in (date.day, 30, 29, 28):
        try:
            return date.replace(year=annee, month=index + 1, day=jour)
        except ValueError:
            continue
    raise AssertionError("unreachable")


class Utilisateur(AbstractUser):
    est_agent_msa = models.BooleanField(
        "agent de développement MSA", default=False, help_text="Peut créer des chartes et en devenir coordinateur."
    )
    est_national = models.BooleanField(
        "personnel national MSA", default=False, help_text="Lit toutes les chartes, sans pouvoir les modifier."
    )

    class Meta:
        verbose_name = "utilisateur"

    def __str__(self):
        return self.get_full_name() or self.username

    @property
    def voit_toutes_les_chartes(self):
        return self.is_superuser or self.est_national


class CharteQuerySet(models.QuerySet):
    def accessibles(self, user):
        """The charters a person may open: theirs, or all of them for national staff."""
        if not user.is_authenticated:
            return self.none()
        if user.voit_toutes_les_chartes:
            return self
        return self.filter(membres__utilisateur=user)


class Charte(models.Model):
    nom = models.CharField("nom", max_length=200)
    slug = models.SlugField("identifiant dans les adresses", max_length=80, unique=True)
    territoire = models.ForeignKey(Territoire, verbose_name="territoire", on_delete=models.PROTECT)
    communes = models.ManyToManyField(Commune, verbose_name="communes couvertes", related_name="chartes")
    date_debut = models.DateField("date de lancement")
    creee_le = models.DateTimeField("créée le", auto_now_add=True)
    creee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="créée par", on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = CharteQuerySet.as_manager()

    class Meta:
        ordering = ["nom"]

    def __str__(self):
        return self.nom

    @property
    def avancement(self):
        return Avancement.de(list(self.etapes.all()))


@dataclass
class Avancement:
    """Where a charter stands: current stage (first gate not validated), late gates, time elapsed."""

    etape_courante: "Etape | None"
    retards: list
    jalons_valides: int
    nb_etapes: int
    pourcentage_temps: int

    @classmethod
    def de(cls, etapes, aujourd_hui=None):
        aujourd_hui = aujourd_hui or timezone.localdate()
        if not etapes:
            return cls(None, [], 0, 0, 0)
        debut = min(e.date_debut for e in etapes)
        fin = max(e.date_fin for e in etapes)
        ecoule = (aujourd_hui - debut).days / max((fin - debut).days, 1)
        return cls(
            etape_courante=cls.etape_en_cours(etapes, aujourd_hui),
            retards=[e for e in etapes if e.en_retard(aujourd_hui)],
            jalons_valides=sum(e.jalon_valide for e in etapes),
            nb_etapes=len(etapes),
            pourcentage_temps=round(100 * min(max(ecoule, 0), 1)),
        )

    @staticmethod
    def etape_en_cours(etapes, aujourd_hui):
        """The first started stage whose gate is still open; else the last started one, if not over."""
        commencees = [e for e in etapes if e.date_debut <= aujourd_hui]
        ouverte = next((e for e in commencees if not e.jalon_valide), None)
        if ouverte:
            return ouverte
        if commencees and commencees[-1].date_fin >= aujourd_hui:
            return commencees[-1]
        return None


class Etape(models.Model):
    """One of the four stages of a charter, with its gate (jalon) validated on a date by someone."""

    class Numero(models.IntegerChoices):
        DIAGNOSTIC = 1, "Diagnostic territorial"
        PRIORISATION = 2, "Priorisation"
        PLAN = 3, "Plan d'actions partagé"
        EVALUATION = 4, "Évaluation"

    # The charter template, in months from the launch date: (start, end, gate due, gate label).
    # Diagnostic, prioritisation and the writing of the plan fit in the first 6 months; the plan
    # is carried out over 36 months; the evaluation takes the last 2: 44 months in all.
    GABARIT = {
        Numero.DIAGNOSTIC: (0, 4, 4, "Diagnostic validé par le COPIL"),
        Numero.PRIORISATION: (3, 5, 5, "Priorités décidées"),
        Numero.PLAN: (4, 42, 6, "Plan d'actions signé par le référent et le COPIL"),
        Numero.EVALUATION: (42, 44, 44, "Bilan final adopté"),
    }

    charte = models.ForeignKey(Charte, related_name="etapes", on_delete=models.CASCADE)
    numero = models.PositiveSmallIntegerField("étape", choices=Numero.choices)
    date_debut = models.DateField("début")
    date_fin = models.DateField("fin")
    echeance_jalon = models.DateField("échéance du jalon")
    jalon_valide_le = models.DateField("jalon validé le", null=True, blank=True)
    jalon_valide_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="validé par", on_delete=models.PROTECT, null=True, related_name="+"
    )
    jalon_instance = models.CharField("instance de validation", max_length=200, blank=True)
    jalon_cosigne_le = models.DateField("cosigné le", null=True, blank=True)
    jalon_cosigne_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="cosigné par", on_delete=models.PROTECT, null=True, related_name="+"
    )
    soumise_le = models.DateTimeField("soumise à validation le", null=True, blank=True)
    soumise_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="soumise par", on_delete=models.PROTECT, null=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["charte", "numero"]
        constraints = [
            models.UniqueConstraint(fields=["charte", "numero"], name="etape_unique_par_charte"),
            models.CheckConstraint(condition=Q(date_fin__gte=models.F("date_debut")), name="etape_fin_apres_debut"),
        ]

    def __str__(self):
        return self.get_numero_display() or "Étape"  # a row of a tampered calendar form has no number

    @classmethod
    def depuis_gabarit(cls, charte):
        """The four stages of a new charter, dated from its launch date."""
        return [
            cls(
                charte=charte,
                numero=numero,
                date_debut=ajouter_mois(charte.date_debut, debut),
                date_fin=ajouter_mois(charte.date_debut, fin),
                echeance_jalon=ajouter_mois(charte.date_debut, echeance),
            )
            for numero, (debut, fin, echeance, _libelle) in cls.GABARIT.items()
        ]

    @property
    def libelle_jalon(self):
        return self.GABARIT[self.numero][3] if self.numero in self.GABARIT else ""

    @property
    def jalon_valide(self):
        return self.jalon_valide_le is not None

    def en_retard(self, aujourd_hui=None):
        aujourd_hui = aujourd_hui or timezone.localdate()
        return not self.jalon_valide and self.echeance_jalon < aujourd_hui

    def statut(self, aujourd_hui=None):
        aujourd_hui = aujourd_hui or timezone.localdate()
        if self.jalon_valide:
            return "validée"
        if self.en_retard(aujourd_hui):
            return "en retard"
        if self.date_debut <= aujourd_hui:
            return "en cours"
        return "à venir"

    def clean(self):
        if self.date_debut and self.date_fin and self.date_fin < self.date_debut:
            raise ValidationError({"date_fin": "La fin de l'étape doit suivre son début."})
        if self.echeance_jalon and self.date_debut and self.echeance_jalon < self.date_debut:
            raise ValidationError({"echeance_jalon": "L'échéance du jalon ne peut précéder le début de l'étape."})

    @transaction.atomic
    def soumettre(self, par):
        """The stage's work is ready for its gate: the COPIL is asked to validate it."""
        if self.jalon_valide:
            raise ValidationError("Ce jalon est déjà validé.")
        self.soumise_le, self.soumise_par = timezone.now(), par
        self.version += 1
        self.save()
        Journal.noter(self.charte, par, f"{self.get_numero_display()} soumis à validation (« {self.libelle_jalon} »)")

    @transaction.atomic
    def valider_jalon(self, par, le, instance):
        if self.jalon_valide:
            raise ValidationError("Ce jalon est déjà validé.")
        if le > timezone.localdate():
            raise ValidationError({"le": "La date de validation ne peut pas être dans le futur."})
        self.jalon_valide_le, self.jalon_valide_par, self.jalon_instance = le, par, instance
        self.version += 1
        self.save()
        Journal.noter(self.charte, par, f"Jalon « {self.libelle_jalon} » validé le {le:%d/%m/%Y} ({instance})")

    @transaction.atomic
    def cosigner_jalon(self, par, le=None):
        if not self.jalon_valide:
            raise ValidationError("Le jalon doit être validé avant d'être cosigné.")
        if self.jalon_cosigne_le:
            raise ValidationError("Ce jalon est déjà cosigné.")
        self.jalon_cosigne_le, self.jalon_cosigne_par = le or timezone.localdate(), par
        self.version += 1
        self.save()
        Journal.noter(self.charte, par, f"Jalon « {self.libelle_jalon} » cosigné")

    @transaction.atomic
    def annuler_jalon(self, par):
        libelle = self.libelle_jalon
        self.jalon_valide_le = self.jalon_valide_par = self.jalon_cosigne_le = self.jalon_cosigne_par = None
        self.jalon_instance = ""
        self.version += 1
        self.save()
        Journal.noter(self.charte, par, f"Validation du jalon « {libelle} » annulée")


class Membre(models.Model):
    class Role(models.TextChoices):
        COORDINATEUR = "coordinateur", "Coordinateur (MSA)"
        REFERENT = "referent", "Référent de l'intercommunalité"
        PARTENAIRE = "partenaire", "Partenaire"
        OBSERVATEUR = "observateur", "Observateur"

    charte = models.ForeignKey(Charte, related_name="membres", on_delete=models.CASCADE)
    utilisateur = models.ForeignKey(settings.AUTH_USER_MODEL, related_name="adhesions", on_delete=models.CASCADE)
    role = models.CharField("rôle", max_length=20, choices=Role.choices)
    organisation = models.ForeignKey(
        Organisation, verbose_name="organisation", on_delete=models.PROTECT, null=True, blank=True
    )
    depuis = models.DateTimeField("membre depuis", auto_now_add=True)

    class Meta:
        ordering = ["role", "utilisateur__last_name", "utilisateur__username"]
        constraints = [models.UniqueConstraint(fields=["charte", "utilisateur"], name="membre_unique_par_charte")]

    def __str__(self):
        return f"{self.utilisateur} — {self.get_role_display()}"


def valider_organisation_du_role(role, organisation):
    """A partner always speaks for an organisation: its rights follow that organisation."""
    if role == Membre.Role.PARTENAIRE and organisation is None:
        raise ValidationError({"organisation": "Un partenaire doit être rattaché à son organisation."})


def nouveau_jeton():
    return secrets.token_urlsafe(32)


class InvitationQuerySet(models.QuerySet):
    def en_attente(self):
        return self.filter(acceptee_le__isnull=True, annulee_le__isnull=True, expire_le__gt=timezone.now())


class Invitation(models.Model):
    charte = models.ForeignKey(Charte, related_name="invitations", on_delete=models.CASCADE)
    email = models.EmailField("adresse e-mail")
    role = models.CharField("rôle", max_length=20, choices=Membre.Role.choices)
    organisation = models.ForeignKey(
        Organisation, verbose_name="organisation", on_delete=models.PROTECT, null=True, blank=True
    )
    jeton = models.CharField(max_length=64, unique=True, default=nouveau_jeton, editable=False)
    invitee_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    creee_le = models.DateTimeField(auto_now_add=True)
    expire_le = models.DateTimeField("expire le")
    acceptee_le = models.DateTimeField(null=True, blank=True)
    acceptee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    annulee_le = models.DateTimeField(null=True, blank=True)
    envoyee_le = models.DateTimeField("courriel envoyé le", null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-creee_le"]

    def __str__(self):
        return f"Invitation de {self.email} ({self.get_role_display()})"

    def save(self, *args, **kwargs):
        if self.expire_le is None:
            self.expire_le = timezone.now() + datetime.timedelta(days=settings.INVITATION_VALIDITE_JOURS)
        super().save(*args, **kwargs)

    @property
    def utilisable(self):
        return self.acceptee_le is None and self.annulee_le is None and self.expire_le > timezone.now()

    def motif_refus(self):
        """Why this link can no longer be used, in the words shown to the invitee (None if it can)."""
        if self.acceptee_le:
            return "Cette invitation a déjà été utilisée. Connectez-vous avec votre compte."
        if self.annulee_le:
            return "Cette invitation a été annulée par le coordinateur de la charte."
        if self.expire_le <= timezone.now():
            return "Cette invitation a expiré. Demandez au coordinateur de la charte de vous inviter à nouveau."
        return None

    @transaction.atomic
    def accepter(self, utilisateur):
        """Make the person a member of the charter with the invited role; the link is then spent."""
        # Lock the row: two clicks on the same link must not both go through.
        invitation = Invitation.objects.select_for_update().get(pk=self.pk)
        motif = invitation.motif_refus()
        if motif:
            raise ValidationError(motif)
        membre, _cree = Membre.objects.update_or_create(
            charte=invitation.charte,
            utilisateur=utilisateur,
            defaults={"role": invitation.role, "organisation": invitation.organisation},
        )
        invitation.acceptee_le, invitation.acceptee_par = timezone.now(), utilisateur
        invitation.save(update_fields=["acceptee_le", "acceptee_par"])
        Journal.noter(
            invitation.charte, utilisateur, f"{utilisateur} a rejoint la charte ({membre.get_role_display()})"
        )
        return membre

    @transaction.atomic
    def annuler(self, par):
        self.annulee_le = timezone.now()
        self.save(update_fields=["annulee_le"])
        Journal.noter(self.charte, par, f"Invitation de {self.email} annulée")


class Journal(models.Model):
    """Who did what and when in a charter: the trace of every decision."""

    charte = models.ForeignKey(Charte, related_name="journal", on_delete=models.CASCADE)
    auteur = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    date = models.DateTimeField(auto_now_add=True, db_index=True)
    action = models.CharField(max_length=500)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = "entrée du journal"
        verbose_name_plural = "journal"

    def __str__(self):
        return self.action

    @classmethod
    def noter(cls, charte, auteur, action):
        # A decision made outside the charter's pages (an invitation accepted, a command) shows at once too.
        transaction.on_commit(lambda: marquer_modifiee(charte.pk))
        return cls.objects.create(charte=charte, auteur=auteur, action=action[:500])


class Trace(models.Model):
    """One audited change of a need, priority, fiche, budget, financing or indicator: who, when, what.

    Written by charte.audit in the same transaction as the change; the object's text is kept so that
    the trace still reads after the object is deleted.
    """

    class Action(models.TextChoices):
        CREATION = "creation", "Création"
        MODIFICATION = "modification", "Modification"
        SUPPRESSION = "suppression", "Suppression"

    # Nullable: a trace outlives its charter (and the deletions made while deleting it belong to none).
    charte = models.ForeignKey(
        Charte, verbose_name="charte", related_name="traces", on_delete=models.SET_NULL, null=True, blank=True
    )
    date = models.DateTimeField("date", default=timezone.now, db_index=True)
    auteur = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="auteur",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Vide : le système (tâche de fond, commande).",
    )
    action = models.CharField("action", max_length=12, choices=Action.choices)
    type_objet = models.ForeignKey(
        "contenttypes.ContentType", verbose_name="type d'objet", on_delete=models.PROTECT, related_name="+"
    )
    objet_id = models.PositiveBigIntegerField("identifiant de l'objet")
    objet = models.CharField("objet", max_length=300)
    # {field label: [before, after]}, values as people read them (see charte.audit.lisible).
    changements = models.JSONField("changements", default=dict)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = "trace d'audit"
        verbose_name_plural = "journal d'audit"
        indexes = [
            models.Index(fields=["charte", "-date"], name="trace_par_charte_et_date"),
            models.Index(fields=["type_objet", "objet_id"], name="trace_par_objet"),
        ]

    def __str__(self):
        return f"{self.get_action_display()} de « {self.objet} »"

    def lignes(self):
        """Each changed field as (label, before, after) texts, « — » for no value."""
        return [
            (champ, texte_de_valeur(avant), texte_de_valeur(apres))
            for champ, (avant, apres) in self.changements.items()
        ]


def texte_de_valeur(valeur):
    """A stored audit value as shown to people: lists joined, nothing as « — »."""
    if valeur is None or valeur == "" or valeur == []:
        return "—"
    if isinstance(valeur, list):
        return ", ".join(str(v) for v in valeur)
    return str(valeur)
