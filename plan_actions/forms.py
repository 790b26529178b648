from crispy_forms.helper import FormHelper
from django import forms
from django.db.models import Q
from django.utils import timezone

from charte.forms import ChampsCachesSignales, DateInput, FormulaireSansBalise
from plan_actions.models import Contribution, FicheAction, Financement, Jalon, LigneBudget, Public
from territoires.models import Organisation


def organisations_de(charte):
    """Organisations one can name in a charter's plan: its members', those of its département(s), those it uses."""
    departements = [d.strip() for d in charte.territoire.departements.split(",") if d.strip()]
    fiches = FicheAction.objects.filter(charte=charte)
    return Organisation.objects.filter(
        Q(pk__in=charte.membres.values("organisation"))
        | Q(departement__in=departements)
        | Q(departement="")
        | Q(pk__in=fiches.values("pilote"))
        | Q(pk__in=Contribution.objects.filter(fiche__in=fiches).values("organisation"))
        | Q(pk__in=Financement.objects.filter(fiche__in=fiches).values("financeur"))
    )


class ChoixOrganisations:
    """The organisations of a charter's plan, read once for every list of the page (pilot, partners, funders)."""

    def __init__(self, charte):
        self.queryset = organisations_de(charte).order_by("nom")
        self.choix = [("", "---------")] + [(o.pk, str(o)) for o in self.queryset]

    def appliquer(self, champ):
        champ.queryset = self.queryset  # what a submitted value is checked against
        champ.choices = self.choix  # what the list shows, without a query per row


class FicheForm(ChampsCachesSignales, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    publics = forms.MultipleChoiceField(
        label="Publics visés", choices=Public.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = FicheAction
        fields = [
            "titre",
            "axe",
            "domaine",
            "priorites",
            "type_action",
            "objectif_general",
            "objectifs_operationnels",
            "publics",
            "communes",
            "pilote",
            "responsable",
            "description",
            "moyens_humains",
            "moyens_materiels",
            "date_debut",
            "date_fin",
        ]
        widgets = {
            "priorites": forms.CheckboxSelectMultiple,
            "objectif_general": forms.Textarea(attrs={"rows": 2}),
            "objectifs_operationnels": forms.Textarea(attrs={"rows": 3}),
            "description": forms.Textarea(attrs={"rows": 4}),
            "moyens_humains": forms.Textarea(attrs={"rows": 2}),
            "moyens_materiels": forms.Textarea(attrs={"rows": 2}),
            "communes": forms.SelectMultiple(attrs={"size": 8}),
            "date_debut": DateInput(),
            "date_fin": DateInput(),
        }
        error_messages = {"priorites": {"required": "Choisissez au moins une priorité à laquelle la fiche répond."}}

    def __init__(self, *args, charte, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["priorites"].queryset = charte.priorites.all()
        self.fields["priorites"].required = True
        self.fields["communes"].queryset = charte.communes.order_by("nom")
        organisations.appliquer(self.fields["pilote"])
        responsables = self.fields["responsable"]
        responsables.queryset = responsables.queryset.filter(adhesions__charte=charte).order_by("last_name")
        responsables.help_text = "Un membre de la charte, interlocuteur de l'action chez le pilote."
        if self.instance.pk:
            self.initial.setdefault("version", self.instance.version)
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean(self):
        donnees = super().clean()
        debut, fin = donnees.get("date_debut"), donnees.get("date_fin")
        if debut and fin and fin < debut:
            self.add_error("date_fin", "La fin de l'action doit suivre son début.")
        return donnees


class LigneForm(ChampsCachesSignales, forms.ModelForm):
    """A row of one of the fiche's tables: Bootstrap classes on every field, rendered as a table row."""

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        for nom in ("organisation", "financeur"):
            if nom in self.fields:
                organisations.appliquer(self.fields[nom])
        for nom, champ in self.fields.items():
            classe = (
                "form-select form-select-sm"
                if isinstance(champ.widget, forms.Select)
                else "form-control form-control-sm"
            )
            if nom != "DELETE":
                champ.widget.attrs.setdefault("class", classe)
            # In a table row the column header is the visible label; screen readers need it on the field too.
            champ.widget.attrs.setdefault("aria-label", champ.label)


class ContributionForm(LigneForm):
    class Meta:
        model = Contribution
        fields = ["organisation", "engagement"]


class JalonForm(LigneForm):
    class Meta:
        model = Jalon
        fields = ["libelle", "date_prevue", "date_reelle"]
        widgets = {"date_prevue": DateInput(), "date_reelle": DateInput()}


class LigneBudgetForm(LigneForm):
    class Meta:
        model = LigneBudget
        fields = ["annee", "nature", "libelle", "montant_prevu", "montant_realise"]
        localized_fields = ["montant_prevu", "montant_realise"]  # « 12000,50 » as people type it


class FinancementForm(LigneForm):
    class Meta:
        model = Financement
        fields = ["financeur", "annee", "montant", "statut"]
        localized_fields = ["montant"]


TABLEAUX = {
    # prefix: (model, form, what the table is called on the page)
    "contributions": (Contribution, ContributionForm, "Partenaires et engagements"),
    "jalons": (Jalon, JalonForm, "Calendrier : étapes clés"),
    "budget": (LigneBudget, LigneBudgetForm, "Budget prévisionnel"),
    "financements": (Financement, FinancementForm, "Plan de financement"),
}


def tableaux_de_la_fiche(fiche, organisations, data=None):
    """The fiche's editable tables (partners, milestones, budget, financing), naming the charter's organisations."""
    tableaux = {}
    for prefixe, (modele, formulaire, titre) in TABLEAUX.items():
        fabrique = forms.inlineformset_factory(
            FicheAction,
            modele,
            form=formulaire,
            extra=2,
            can_delete=True,
            max_num=60,
            validate_max=True,
            absolute_max=60,  # a page claiming more rows is refused without building them (not 1 060 per table)
        )
        formset = fabrique(data, instance=fiche, prefix=prefixe, form_kwargs={"organisations": organisations})
        formset.titre = titre
        tableaux[prefixe] = formset
    return tableaux


class SuiviForm(FormulaireSansBalise):
    date = forms.DateField(label="Date", widget=DateInput(), initial=timezone.localdate)
    texte = forms.CharField(label="Ce qui a été fait", widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    avancement = forms.IntegerField(label="Avancement (%)", min_value=0, max_value=100)
    statut = forms.ChoiceField(label="Statut", choices=[(s.value, s.label) for s in FicheAction.STATUTS_DE_SUIVI])

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise forms.ValidationError("Le point d'avancement porte sur ce qui est fait : pas de date future.")
        return date


class CommentaireForm(FormulaireSansBalise):
    texte = forms.CharField(label="Votre commentaire", widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)

    def __init__(self, *args, **kwargs):
        # Ids of its own: the fiche's page also shows the follow-up form, whose field is a `texte` too, and
        # a label must name one field only.
        super().__init__(*args, auto_id="id_commentaire_%s", **kwargs)


class RenvoiForm(FormulaireSansBalise):
    motif = forms.CharField(
        label="Ce qu'il faut revoir",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        help_text="Envoyé par e-mail au pilote et à la coordination.",
    )


class VersionForm(FormulaireSansBalise):
    libelle = forms.CharField(label="Nom de la version", max_length=200, initial="Plan présenté au COPIL du …")


class SignatureForm(FormulaireSansBalise):
    le = forms.DateField(label="Signé le", widget=DateInput(), initial=timezone.localdate)
    instance = forms.CharField(label="Instance", max_length=200, initial="Comité de pilotage (COPIL)")

    def clean_le(self):
        le = self.cleaned_data["le"]
        if le > timezone.localdate():
            raise forms.ValidationError("La date de signature ne peut pas être dans le futur.")
        return le


class FinancementDuFinanceurForm(ChampsCachesSignales, forms.ModelForm):
    """A funder's own line: amount and status, and the version of the fiche the page was opened on."""

    version_fiche = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Financement
        fields = ["montant", "statut"]
        localized_fields = ["montant"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version_fiche"].initial = self.instance.fiche.version
        self.fields["montant"].widget.attrs.update({"class": "form-control form-control-sm", "aria-label": "Montant"})
        self.fields["statut"].widget.attrs.update({"class": "form-select form-select-sm", "aria-label": "Statut"})


FinancementsDuFinanceur = forms.modelformset_factory(
    Financement, form=FinancementDuFinanceurForm, extra=0, can_delete=False
)
