"""Stage 1: family surveys (questionnaire, public answers) — the evidence the needs rest on."""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

from charte.models import Charte
from territoires.models import Famille


class Domaine(models.TextChoices):
    """The six domains of the method, from pregnancy to grandparenthood."""

    PETITE_ENFANCE = "petite_enfance", "Petite enfance"
    PARENTALITE = "parentalite", "Relations parents/enfants (parentalité)"
    ENFANCE_JEUNESSE = "enfance_jeunesse", "Enfance-jeunesse"
    SANTE = "sante", "Prévention et promotion de la santé"
    ANIMATION_SOCIALE = "animation_sociale", "Animation sociale"
    ACCOMPAGNEMENT = "accompagnement", "Accompagnement socioprofessionnel"


def jeton_public():
    return secrets.token_urlsafe(12)


class EnqueteQuerySet(models.QuerySet):
    def de(self, charte):
        return self.filter(charte=charte)


class Enquete(models.Model):
    class Statut(models.TextChoices):
        BROUILLON = "brouillon", "Brouillon"
        PUBLIEE = "publiee", "Publiée"
        CLOSE = "close", "Close"

    charte = models.ForeignKey(Charte, related_name="enquetes", on_delete=models.CASCADE)
    titre = models.CharField("titre", max_length=200)
    introduction = models.TextField("introduction", blank=True)
    jeton = models.CharField(max_length=32, unique=True, default=jeton_public, editable=False)
    statut = models.CharField("statut", max_length=10, choices=Statut.choices, default=Statut.BROUILLON)
    ouverture = models.DateField("ouverte à partir du", null=True, blank=True)
    fermeture = models.DateField("fermée après le", null=True, blank=True)
    creee_le = models.DateTimeField(auto_now_add=True)
    # Bumped on every change of what the questionnaire shows — sections, questions, options, the charter's
    # communes (diagnostic.signals): the public form is built once per version (diagnostic.views).
    version_structure = models.PositiveIntegerField(default=1, editable=False)
    # The running counts (Comptage) hold the answers up to this id; later ones are added when read.
    comptee_jusqu_a = models.BigIntegerField(default=0, editable=False)
    # Set by the retention (diagnostic/retention.py): from then on the running counts are the results.
    anonymisee_le = models.DateTimeField("réponses anonymisées le", null=True, blank=True, editable=False)

    objects = EnqueteQuerySet.as_manager()

    class Meta:
        ordering = ["-creee_le"]
        verbose_name = "enquête"

    def __str__(self):
        return self.titre

    def structure_modifiee(self):
        Enquete.objects.filter(pk=self.pk).update(version_structure=models.F("version_structure") + 1)

    def motif_fermeture(self, aujourd_hui=None):
        """Why the public form does not take answers today, in the words shown to families (None if it does)."""
        aujourd_hui = aujourd_hui or timezone.localdate()
        if self.statut == self.Statut.BROUILLON:
            return "Ce questionnaire n'est pas encore publié."
        if self.statut == self.Statut.CLOSE:
            return "Ce questionnaire est clos. Merci de votre intérêt !"
        if self.ouverture and aujourd_hui < self.ouverture:
            return f"Ce questionnaire ouvrira le {self.ouverture:%d/%m/%Y}. Revenez à partir de cette date."
        if self.fermeture and aujourd_hui > self.fermeture:
            return f"Ce questionnaire a fermé le {self.fermeture:%d/%m/%Y}. Merci de votre intérêt !"
        return None


class Section(models.Model):
    enquete = models.ForeignKey(Enquete, related_name="sections", on_delete=models.CASCADE)
    titre = models.CharField("titre", max_length=200)
    domaine = models.CharField("domaine", max_length=20, choices=Domaine.choices, blank=True)
    ordre = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["ordre", "id"]

    def __str__(self):
        return self.titre


class Question(models.Model):
    class Type(models.TextChoices):
        CHOIX_UNIQUE = "choix_unique", "Choix unique"
        CHOIX_MULTIPLE = "choix_multiple", "Choix multiple"
        ECHELLE = "echelle", "Échelle de 1 à 5"
        NOMBRE = "nombre", "Nombre"
        TEXTE_COURT = "texte_court", "Texte court"
        TEXTE_LONG = "texte_long", "Texte long"
        GRILLE = "grille", "Grille (plusieurs lignes, même échelle)"

    TYPES_A_OPTIONS = {Type.CHOIX_UNIQUE, Type.CHOIX_MULTIPLE}
    TYPES_TEXTE = {Type.TEXTE_COURT, Type.TEXTE_LONG}
    TYPES_ECHELLE = {Type.ECHELLE, Type.GRILLE}
    ECHELLE = range(1, 6)

    enquete = models.ForeignKey(Enquete, related_name="questions", on_delete=models.CASCADE)
    section = models.ForeignKey(Section, related_name="questions", on_delete=models.CASCADE)
    code = models.SlugField("code", max_length=40, help_text="Nom de la colonne dans les exports et les imports.")
    texte = models.CharField("question", max_length=500)
    aide = models.CharField("aide", max_length=500, blank=True)
    type = models.CharField("type", max_length=20, choices=Type.choices)
    obligatoire = models.BooleanField("obligatoire", default=False)
    ordre = models.PositiveIntegerField(default=0)
    minimum = models.DecimalField("minimum", max_digits=12, decimal_places=2, null=True, blank=True)
    maximum = models.DecimalField("maximum", max_digits=12, decimal_places=2, null=True, blank=True)
    unite = models.CharField("unité", max_length=30, blank=True)
    libelles_echelle = models.JSONField("libellés de l'échelle (1 à 5)", default=list, blank=True)
    condition_option = models.ForeignKey(
        "Option",
        verbose_name="afficher seulement si cette réponse est cochée",
        related_name="questions_conditionnees",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    resultats_publies = models.BooleanField("résultats visibles des partenaires et observateurs", default=False)

    class Meta:
        ordering = ["section__ordre", "section_id", "ordre", "id"]
        constraints = [models.UniqueConstraint(fields=["enquete", "code"], name="question_code_unique")]

    def __str__(self):
        return self.texte

    @property
    def a_des_options(self):
        return self.type in self.TYPES_A_OPTIONS

    @property
    def est_texte(self):
        return self.type in self.TYPES_TEXTE

    @property
    def est_grille(self):
        return self.type == self.Type.GRILLE

    def libelle_echelle(self, valeur):
        libelles = self.libelles_echelle or []
        return libelles[valeur - 1] if len(libelles) == len(self.ECHELLE) else str(valeur)


class Option(models.Model):
    """A choice of a choice question, or a row of a grid question."""

    question = models.ForeignKey(Question, related_name="options", on_delete=models.CASCADE)
    libelle = models.CharField("libellé", max_length=300)
    autre = models.BooleanField("« autre, précisez » (avec un texte libre)", default=False)
    ordre = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["ordre", "id"]

    def __str__(self):
        return self.libelle


class Reponse(models.Model):
    """One household's filled questionnaire (anonymous: the profile says who, never a name)."""

    class Canal(models.TextChoices):
        EN_LIGNE = "en_ligne", "En ligne"
        PAPIER = "papier", "Saisie papier"
        IMPORT = "import", "Import de fichier"

    enquete = models.ForeignKey(Enquete, related_name="reponses", on_delete=models.CASCADE)
    # Emptied by the retention (diagnostic/retention.py): the answer then only says when and how it came.
    famille = models.OneToOneField(Famille, related_name="reponse", on_delete=models.PROTECT, null=True, blank=True)
    canal = models.CharField("canal", max_length=10, choices=Canal.choices, default=Canal.EN_LIGNE)
    soumise_le = models.DateTimeField("reçue le", default=timezone.now, db_index=True)
    saisie_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="saisie par", on_delete=models.SET_NULL, null=True, blank=True
    )
    # One token per displayed form: a double click or the back button cannot store it twice.
    jeton_soumission = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["-soumise_le"]
        verbose_name = "réponse"

    def __str__(self):
        return f"Réponse n° {self.pk} ({self.get_canal_display()})"


class Valeur(models.Model):
    """One answer to one question, in long format so that counts are database aggregates.

    choice: one row per ticked option (with the « autre » text if any); scale and number: `nombre`;
    grid: one row per line (`option`) with its level in `nombre`; free text: `texte`.
    """

    reponse = models.ForeignKey(Reponse, related_name="valeurs", on_delete=models.CASCADE)
    question = models.ForeignKey(Question, related_name="valeurs", on_delete=models.CASCADE)
    option = models.ForeignKey(Option, related_name="valeurs", on_delete=models.CASCADE, null=True, blank=True)
    nombre = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    texte = models.TextField(blank=True)

    class Meta:
        # Covering indexes for the results page: counts per answer, respondents, latest texts.
        indexes = [
            models.Index(fields=["question", "option", "nombre"], include=["reponse"], name="valeur_comptage"),
            models.Index(fields=["question", "reponse"], name="valeur_question_reponse"),
            models.Index(
                fields=["question", "-reponse"],
                include=["texte"],
                condition=~models.Q(texte=""),
                name="valeur_textes_recents",
            ),
        ]

    def __str__(self):
        return f"{self.question.code} = {self.option or self.nombre or self.texte}"


class Comptage(models.Model):
    """Count of one answer to one question over the answers up to Enquete.comptee_jusqu_a.

    The unfiltered results of a large survey read these few rows, plus the answers that came
    since, instead of grouping every Valeur. `cle` is "option|nombre" (empty parts for none);
    "*" counts the respondents.
    """

    REPONDANTS = "*"

    question = models.ForeignKey(Question, related_name="comptages", on_delete=models.CASCADE)
    cle = models.CharField(max_length=60)
    effectif = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["question", "cle"], name="comptage_unique")]

    def __str__(self):
        return f"{self.question_id} {self.cle} = {self.effectif}"


class DonneeTerritorialeQuerySet(models.QuerySet):
    def fournies_par(self, organisation):
        return self.filter(organisation=organisation)


class DonneeTerritoriale(models.Model):
    """A figure gathered from a local actor (places in crèches, young people followed, distances…)."""

    charte = models.ForeignKey(Charte, related_name="donnees", on_delete=models.CASCADE)
    domaine = models.CharField("domaine", max_length=20, choices=Domaine.choices)
    libelle = models.CharField("indicateur", max_length=200, help_text="ex. Places d'accueil du jeune enfant")
    valeur = models.DecimalField("valeur", max_digits=14, decimal_places=2)
    unite = models.CharField("unité", max_length=80, blank=True, help_text="ex. places, %, km, enfants")
    commune = models.ForeignKey(
        "territoires.Commune",
        verbose_name="commune",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text="Laisser vide pour une donnée de tout le territoire.",
    )
    date = models.DateField("date de la donnée")
    source = models.CharField("source", max_length=200, help_text="ex. CAF de la Meuse, fichier des EAJE 2024")
    organisation = models.ForeignKey(
        "territoires.Organisation", verbose_name="organisation qui la fournit", on_delete=models.PROTECT
    )
    saisie_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    modifiee_le = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    objects = DonneeTerritorialeQuerySet.as_manager()

    class Meta:
        ordering = ["domaine", "libelle", "commune__nom"]
        verbose_name = "donnée territoriale"
        verbose_name_plural = "données territoriales"

    def __str__(self):
        return f"{self.libelle} : {self.valeur} {self.unite}".strip()


class Entretien(models.Model):
    """Notes of an interview with a family or a local actor (never the family's name)."""

    class Type(models.TextChoices):
        FAMILLE = "famille", "Famille"
        ACTEUR = "acteur", "Acteur local"

    charte = models.ForeignKey(Charte, related_name="entretiens", on_delete=models.CASCADE)
    date = models.DateField("date")
    type = models.CharField("avec", max_length=10, choices=Type.choices)
    personnes = models.CharField(
        "qui",
        max_length=200,
        help_text="Sans nommer de famille : ex. « mère de trois enfants, commune rurale » ou « directrice du multi-accueil ».",
    )
    domaines = models.JSONField("domaines", default=list)
    constats = models.TextField("principaux constats")
    auteur = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    creee_le = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]

    def __str__(self):
        return f"Entretien du {self.date:%d/%m/%Y} ({self.personnes})"

    def libelles_domaines(self):
        return [Domaine(code).label for code in self.domaines if code in Domaine.values]


class Besoin(models.Model):
    """A need of the territory's families, with the evidence that shows it."""

    charte = models.ForeignKey(Charte, related_name="besoins", on_delete=models.CASCADE)
    domaine = models.CharField("domaine", max_length=20, choices=Domaine.choices)
    titre = models.CharField("besoin", max_length=200)
    description = models.TextField("description", blank=True)
    donnees = models.ManyToManyField(
        DonneeTerritoriale, verbose_name="données territoriales", blank=True, related_name="besoins"
    )
    entretiens = models.ManyToManyField(Entretien, verbose_name="entretiens", blank=True, related_name="besoins")
    creee_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    modifie_le = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["domaine", "titre"]

    def __str__(self):
        return self.titre


class PreuveQuestion(models.Model):
    """A survey question cited as evidence of a need, with the figure it shows."""

    besoin = models.ForeignKey(Besoin, related_name="preuves_questions", on_delete=models.CASCADE)
    question = models.ForeignKey(Question, related_name="preuves", on_delete=models.PROTECT)
    constat = models.CharField(
        "ce que montre la question",
        max_length=300,
        help_text="ex. 56 % des familles ont eu du mal à trouver un mode de garde",
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["besoin", "question"], name="preuve_question_unique")]

    def __str__(self):
        return self.constat
