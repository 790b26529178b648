"""Stage 3: the shared action plan — fiches actions answering the priorities, their budget and funders."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, DecimalField, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from charte.models import Charte
from diagnostic.models import Domaine
from priorisation.models import Priorite
from territoires.models import Commune, Organisation

ZERO = Decimal("0.00")
EUROS = {"max_digits": 12, "decimal_places": 2}


class Public(models.TextChoices):
    """Life stages of the families, from pregnancy to grandparenthood."""

    GROSSESSE = "grossesse", "Futurs parents, périnatalité"
    PETITE_ENFANCE = "petite_enfance", "Jeunes enfants (0-3 ans)"
    ENFANTS = "enfants", "Enfants (3-11 ans)"
    ADOLESCENTS = "adolescents", "Adolescents (12-17 ans)"
    JEUNES_ADULTES = "jeunes_adultes", "Jeunes adultes (18-25 ans)"
    PARENTS = "parents", "Parents"
    AIDANTS = "aidants", "Aidants familiaux"
    GRANDS_PARENTS = "grands_parents", "Grands-parents, seniors"


def somme(modele, champ, filtre=None):
    """Sum of `champ` over the rows of `modele` that belong to the outer fiche (0 when none), as a subquery.

    One subquery per total: joining budget lines and financings in the same query would multiply rows.
    """
    lignes = modele.objects.filter(fiche=OuterRef("pk"))
    if filtre is not None:
        lignes = lignes.filter(filtre)
    total = lignes.order_by().values("fiche").annotate(total=Sum(champ)).values("total")
    return Coalesce(Subquery(total, output_field=DecimalField(**EUROS)), Value(ZERO))


def taux(part, total):
    """`part` as a whole percentage of `total` (None when there is no total to compare with)."""
    return round(100 * part / total) if total else None


def nombre_de(modele):
    """How many rows of `modele` belong to the outer fiche, as a subquery (no join, no extra query)."""
    lignes = modele.objects.filter(fiche=OuterRef("pk")).order_by().values("fiche").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(lignes, output_field=IntegerField()), Value(0))


class FicheQuerySet(models.QuerySet):
    def de(self, charte):
        return self.filter(charte=charte)

    def pilotees_par(self, organisation):
        return self.filter(pilote=organisation)

    def avec_totaux(self):
        """Each fiche with its planned and actual budget, its financing (all, secured) computed in SQL."""
        return self.annotate(
            budget_prevu=somme(LigneBudget, "montant_prevu"),
            budget_realise=somme(LigneBudget, "montant_realise"),
            finance=somme(Financement, "montant"),
            finance_acquis=somme(Financement, "montant", ~Q(statut=Financement.Statut.SOLLICITE)),
        )

    def avec_retards(self, aujourd_hui):
        """Each fiche with its number of milestones past their planned date and not reached."""
        retards = (
            Jalon.objects.en_retard(aujourd_hui)
            .filter(fiche=OuterRef("pk"))
            .order_by()
            .values("fiche")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return self.annotate(jalons_en_retard=Coalesce(Subquery(retards, output_field=IntegerField()), Value(0)))


class FicheAction(models.Model):
    class Statut(models.TextChoices):
        BROUILLON = "brouillon", "Brouillon"
        PROPOSEE = "proposee", "Proposée"
        VALIDEE = "validee", "Validée"
        EN_COURS = "en_cours", "En cours"
        REALISEE = "realisee", "Réalisée"
        REPORTEE = "reportee", "Reportée"
        ABANDONNEE = "abandonnee", "Abandonnée"

    class Type(models.TextChoices):
        OPTIMISATION = "optimisation", "Optimisation d'une action existante"
        CREATION = "creation", "Nouvelle action"

    # Statuses that follow the validation: the pilot moves the fiche along them in its progress entries.
    STATUTS_DE_SUIVI = [Statut.VALIDEE, Statut.EN_COURS, Statut.REALISEE, Statut.REPORTEE, Statut.ABANDONNEE]
    # The plan as adopted: validated by the référent and not given up (drafts are not committed money yet).
    STATUTS_DU_PLAN = [Statut.VALIDEE, Statut.EN_COURS, Statut.REALISEE, Statut.REPORTEE]
    # Their milestones can no longer be late.
    STATUTS_TERMINES = [Statut.REALISEE, Statut.ABANDONNEE]

    charte = models.ForeignKey(Charte, related_name="fiches", on_delete=models.CASCADE)
    numero = models.PositiveSmallIntegerField("numéro")
    titre = models.CharField("intitulé de l'action", max_length=200, help_text="Commencez par un verbe : « Créer… »")
    axe = models.CharField("axe ou enjeu", max_length=200, blank=True)
    domaine = models.CharField("domaine", max_length=20, choices=Domaine.choices)
    priorites = models.ManyToManyField(Priorite, verbose_name="priorités auxquelles elle répond", related_name="fiches")
    type_action = models.CharField("type d'action", max_length=15, choices=Type.choices, default=Type.CREATION)
    objectif_general = models.TextField("objectif général")
    objectifs_operationnels = models.TextField("objectifs opérationnels", blank=True, help_text="Un par ligne.")
    publics = models.JSONField("publics visés", default=list, blank=True)
    communes = models.ManyToManyField(
        Commune, verbose_name="communes concernées", blank=True, help_text="Aucune : tout le territoire."
    )
    pilote = models.ForeignKey(
        Organisation, verbose_name="organisation pilote", on_delete=models.PROTECT, related_name="fiches_pilotees"
    )
    responsable = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="personne référente",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="fiches_suivies",
    )
    description = models.TextField("description", blank=True)
    moyens_humains = models.TextField("moyens humains", blank=True)
    moyens_materiels = models.TextField("moyens matériels (locaux, équipements)", blank=True)
    date_debut = models.DateField("début", null=True, blank=True)
    date_fin = models.DateField("fin", null=True, blank=True)
    statut = models.CharField("statut", max_length=12, choices=Statut.choices, default=Statut.BROUILLON)
    avancement = models.PositiveSmallIntegerField(
        "avancement (%)", default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    proposee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    proposee_le = models.DateTimeField("proposée le", null=True, blank=True)
    validee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    validee_le = models.DateTimeField("validée le", null=True, blank=True)
    creee_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    creee_le = models.DateTimeField(auto_now_add=True)
    # Optimistic locking: a save made from a form opened on an older version is refused.
    version = models.PositiveIntegerField(default=1)

    objects = FicheQuerySet.as_manager()

    class Meta:
        ordering = ["numero"]
        verbose_name = "fiche action"
        verbose_name_plural = "fiches actions"
        constraints = [
            models.UniqueConstraint(fields=["charte", "numero"], name="numero_de_fiche_unique_par_charte"),
            models.CheckConstraint(
                condition=Q(date_fin__isnull=True)
                | Q(date_debut__isnull=True)
                | Q(date_fin__gte=models.F("date_debut")),
                name="fiche_fin_apres_debut",
            ),
        ]
        indexes = [models.Index(fields=["charte", "statut"])]

    def __str__(self):
        return f"{self.numero}. {self.titre}"

    @property
    def libelles_publics(self):
        libelles = dict(Public.choices)
        return [libelles[p] for p in self.publics if p in libelles]

    @property
    def couverture(self):
        """Share of the planned budget covered by the financing plan, in % (fiches annotated by avec_totaux)."""
        return taux(self.finance, self.budget_prevu)

    @property
    def couverture_acquise(self):
        return taux(self.finance_acquis, self.budget_prevu)

    @property
    def reste_a_financer(self):
        return max(self.budget_prevu - self.finance, ZERO)

    @property
    def en_redaction(self):
        """Brouillon or proposée: not yet part of the validated plan."""
        return self.statut in (self.Statut.BROUILLON, self.Statut.PROPOSEE)

    def clean(self):
        if self.date_debut and self.date_fin and self.date_fin < self.date_debut:
            raise ValidationError({"date_fin": "La fin de l'action doit suivre son début."})


class Contribution(models.Model):
    """A partner contributing to a fiche, and what it commits to."""

    fiche = models.ForeignKey(FicheAction, related_name="contributions", on_delete=models.CASCADE)
    organisation = models.ForeignKey(Organisation, verbose_name="partenaire", on_delete=models.PROTECT)
    engagement = models.CharField("engagement", max_length=500, blank=True)

    class Meta:
        ordering = ["organisation__nom"]
        constraints = [
            models.UniqueConstraint(fields=["fiche", "organisation"], name="une_contribution_par_partenaire")
        ]

    def __str__(self):
        return f"{self.organisation} : {self.engagement}"


class JalonQuerySet(models.QuerySet):
    def en_retard(self, aujourd_hui):
        """Milestones past their planned date, not reached, of actions still going (see Jalon.en_retard)."""
        return self.filter(date_reelle__isnull=True, date_prevue__lt=aujourd_hui).exclude(
            fiche__statut__in=FicheAction.STATUTS_TERMINES
        )


class Jalon(models.Model):
    """A milestone of a fiche, with its planned date and, once reached, its actual date."""

    fiche = models.ForeignKey(FicheAction, related_name="jalons", on_delete=models.CASCADE)
    libelle = models.CharField("étape clé", max_length=200)
    date_prevue = models.DateField("date prévue")
    date_reelle = models.DateField("date réelle", null=True, blank=True)

    objects = JalonQuerySet.as_manager()

    class Meta:
        ordering = ["date_prevue", "id"]
        verbose_name = "étape clé"

    def __str__(self):
        return self.libelle

    def en_retard(self, aujourd_hui=None):
        """Past its planned date and not reached — unless the action is over (done or given up)."""
        if self.fiche.statut in FicheAction.STATUTS_TERMINES:
            return False
        return self.date_reelle is None and self.date_prevue < (aujourd_hui or timezone.localdate())


class Nature(models.TextChoices):
    FONCTIONNEMENT = "fonctionnement", "Fonctionnement"
    INVESTISSEMENT = "investissement", "Investissement"


class LigneBudget(models.Model):
    fiche = models.ForeignKey(FicheAction, related_name="lignes_budget", on_delete=models.CASCADE)
    annee = models.PositiveSmallIntegerField("année", validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    nature = models.CharField("nature", max_length=15, choices=Nature.choices, default=Nature.FONCTIONNEMENT)
    libelle = models.CharField("poste de dépense", max_length=200)
    montant_prevu = models.DecimalField("prévu (€)", **EUROS, validators=[MinValueValidator(ZERO)])
    montant_realise = models.DecimalField(
        "réalisé (€)", **EUROS, null=True, blank=True, validators=[MinValueValidator(ZERO)]
    )

    class Meta:
        ordering = ["annee", "nature", "id"]
        verbose_name = "ligne de budget"
        verbose_name_plural = "lignes de budget"

    def __str__(self):
        return f"{self.annee} — {self.libelle}"


class Financement(models.Model):
    """What one funder puts into a fiche for one year, and where that request stands."""

    class Statut(models.TextChoices):
        SOLLICITE = "sollicite", "Sollicité"
        ACCORDE = "accorde", "Accordé"
        VERSE = "verse", "Versé"

    fiche = models.ForeignKey(FicheAction, related_name="financements", on_delete=models.CASCADE)
    financeur = models.ForeignKey(Organisation, verbose_name="financeur", on_delete=models.PROTECT)
    annee = models.PositiveSmallIntegerField("année", validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    montant = models.DecimalField("montant (€)", **EUROS, validators=[MinValueValidator(ZERO)])
    statut = models.CharField("statut", max_length=10, choices=Statut.choices, default=Statut.SOLLICITE)

    class Meta:
        ordering = ["annee", "financeur__nom"]
        constraints = [
            models.UniqueConstraint(
                fields=["fiche", "financeur", "annee"], name="un_financement_par_financeur_et_annee"
            )
        ]

    def __str__(self):
        return f"{self.financeur} {self.annee} : {self.montant} €"


class Suivi(models.Model):
    """A progress entry posted by the pilot: the fiche's implementation journal."""

    fiche = models.ForeignKey(FicheAction, related_name="suivis", on_delete=models.CASCADE)
    date = models.DateField("date")
    texte = models.TextField("ce qui a été fait")
    avancement = models.PositiveSmallIntegerField(
        "avancement (%)", validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    statut_avant = models.CharField(max_length=12, choices=FicheAction.Statut.choices)
    statut_apres = models.CharField("statut", max_length=12, choices=FicheAction.Statut.choices)
    auteur = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    saisi_le = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = "point d'avancement"
        verbose_name_plural = "points d'avancement"

    def __str__(self):
        return f"{self.date:%d/%m/%Y} : {self.avancement} %"


class Commentaire(models.Model):
    fiche = models.ForeignKey(FicheAction, related_name="commentaires", on_delete=models.CASCADE)
    auteur = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    texte = models.TextField("commentaire")
    cree_le = models.DateTimeField(auto_now_add=True)
    notifie_le = models.DateTimeField(null=True, blank=True)  # a redelivered task must not e-mail twice

    class Meta:
        ordering = ["cree_le", "id"]

    def __str__(self):
        return self.texte[:60]


class Historique(models.Model):
    """One changed value of a fiche, its budget, financing, partners or milestones: who, when, old → new."""

    fiche = models.ForeignKey(FicheAction, related_name="historique", on_delete=models.CASCADE)
    auteur = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    date = models.DateTimeField(default=timezone.now, db_index=True)
    champ = models.CharField(max_length=300)
    ancienne_valeur = models.TextField(blank=True)
    nouvelle_valeur = models.TextField(blank=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = "modification"

    def __str__(self):
        return f"{self.champ} : {self.ancienne_valeur} → {self.nouvelle_valeur}"


class VersionPlan(models.Model):
    """A frozen picture of the plan (a baseline): the plan as signed, or as presented to a COPIL."""

    charte = models.ForeignKey(Charte, related_name="versions_plan", on_delete=models.CASCADE)
    libelle = models.CharField("nom de la version", max_length=200)
    creee_le = models.DateTimeField(default=timezone.now)
    creee_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    # {fiche pk: {"numero", "titre", "valeurs": {label: text}}} — see plan_actions.instantanes.
    contenu = models.JSONField()

    class Meta:
        ordering = ["-creee_le", "-id"]
        verbose_name = "version de référence du plan"
        verbose_name_plural = "versions de référence du plan"

    def __str__(self):
        return self.libelle
