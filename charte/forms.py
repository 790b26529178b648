from crispy_forms.helper import FormHelper
from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator
from django.utils import timezone

from charte.models import Charte, Etape, Invitation, Membre, valider_organisation_du_role
from territoires.models import Organisation

PREMIERE_ANNEE, DERNIERE_ANNEE = 2000, 2100
LONGUEUR_MAX_D_UNE_ADRESSE = 254  # e-mail addresses (and so usernames typed at login) are no longer


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class ChampsCachesSignales:
    """A hidden field (a version, the id of a row) has nowhere to show its error: the form shows one at its top.

    It only goes wrong when the page was truncated, stale or tampered with; reloading it is the way out.
    """

    def full_clean(self):
        super().full_clean()  # the model's own checks (ModelForm) come last: they are seen too
        if self.is_bound and any(self.fields[nom].widget.is_hidden for nom in self._errors if nom in self.fields):
            self.add_error(None, "La page envoyée était incomplète : rechargez-la, puis refaites vos changements.")


class FormulaireSansBalise(forms.Form):
    """Crispy renders the fields; the template writes the <form> tag and its buttons."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class RechercheTerritoireForm(FormulaireSansBalise):
    q = forms.CharField(
        label="Intercommunalité (nom ou SIREN)",
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": "ex. Aire à l'Argonne ou 200066140", "autofocus": True}),
    )


class NouvelleCharteForm(forms.ModelForm):
    class Meta:
        model = Charte
        fields = ["nom", "date_debut"]
        widgets = {"date_debut": DateInput()}
        help_texts = {
            "date_debut": "Le calendrier des quatre étapes (3 ans et 8 mois) est calculé à partir de cette date."
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_date_debut(self):
        # Stage dates are computed from it, months ahead: a year 9999 start has no end.
        date_debut = self.cleaned_data["date_debut"]
        if not PREMIERE_ANNEE <= date_debut.year <= DERNIERE_ANNEE:
            raise forms.ValidationError(f"Choisissez une date de lancement entre {PREMIERE_ANNEE} et {DERNIERE_ANNEE}.")
        return date_debut


class EtapeForm(ChampsCachesSignales, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Etape
        fields = ["date_debut", "date_fin", "echeance_jalon", "version"]
        widgets = {"date_debut": DateInput(), "date_fin": DateInput(), "echeance_jalon": DateInput()}


# Four stages, never more rows: a page claiming thousands of them is refused without building them.
NB_ETAPES = len(Etape.Numero)
CalendrierFormSet = forms.modelformset_factory(
    Etape, form=EtapeForm, extra=0, can_delete=False, max_num=NB_ETAPES, absolute_max=NB_ETAPES, validate_max=True
)


class JalonForm(FormulaireSansBalise):
    le = forms.DateField(label="Validé le", widget=DateInput(), initial=timezone.localdate)
    instance = forms.CharField(
        label="Instance qui valide",
        max_length=200,
        initial="Comité de pilotage (COPIL)",
        help_text="ex. COPIL du 12 mars",
    )

    def clean_le(self):
        le = self.cleaned_data["le"]
        if le > timezone.localdate():
            raise forms.ValidationError("La date de validation ne peut pas être dans le futur.")
        return le


class RoleOrganisationMixin:
    def clean(self):
        donnees = super().clean()
        valider_organisation_du_role(donnees.get("role"), self.organisation_saisie())
        return donnees

    def organisation_saisie(self):
        return self.cleaned_data.get("organisation")


class InvitationForm(RoleOrganisationMixin, forms.ModelForm):
    nouvelle_organisation = forms.CharField(
        label="… ou une organisation absente de la liste",
        max_length=200,
        required=False,
        help_text="ex. Maison de santé de Triaucourt",
    )
    type_organisation = forms.ChoiceField(
        label="Type de la nouvelle organisation",
        choices=[("", "---------"), *Organisation.Type.choices],
        required=False,
    )

    class Meta:
        model = Invitation
        fields = ["email", "role", "organisation"]
        help_texts = {"organisation": "Obligatoire pour un partenaire : ses droits suivent son organisation."}

    def __init__(self, *args, charte, **kwargs):
        super().__init__(*args, **kwargs)
        self.charte = charte
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if self.charte.membres.filter(utilisateur__email__iexact=email).exists():
            raise forms.ValidationError("Cette personne est déjà membre de la charte.")
        return email

    def organisation_saisie(self):
        """The organisation picked in the list, or the one typed in (not saved yet)."""
        nom = self.cleaned_data.get("nouvelle_organisation", "").strip()
        if self.cleaned_data.get("organisation") or not nom:
            return self.cleaned_data.get("organisation")
        existante = Organisation.objects.filter(nom__iexact=nom).first()
        if existante:
            return existante
        if not self.cleaned_data.get("type_organisation"):
            self.add_error("type_organisation", "Précisez le type de la nouvelle organisation.")
        return Organisation(nom=nom, type=self.cleaned_data.get("type_organisation"))


class MembreForm(RoleOrganisationMixin, forms.ModelForm):
    class Meta:
        model = Membre
        fields = ["role", "organisation"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class CreationCompteForm(FormulaireSansBalise):
    """The account an invitee creates from the invitation link (the e-mail is the login)."""

    first_name = forms.CharField(label="Prénom", max_length=150)
    last_name = forms.CharField(label="Nom", max_length=150)
    password1 = forms.CharField(
        label="Mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label="Confirmation du mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        donnees = super().clean()
        mot_de_passe = donnees.get("password1")
        if mot_de_passe and mot_de_passe != donnees.get("password2"):
            self.add_error("password2", "Les deux mots de passe ne sont pas identiques.")
        elif mot_de_passe:
            utilisateur = get_user_model()(
                username=self.email,
                email=self.email,
                first_name=donnees.get("first_name", ""),
                last_name=donnees.get("last_name", ""),
            )
            try:
                password_validation.validate_password(mot_de_passe, utilisateur)
            except forms.ValidationError as erreur:
                self.add_error("password1", erreur)
        return donnees

    def creer_utilisateur(self):
        return get_user_model().objects.create_user(
            username=self.email,
            email=self.email,
            password=self.cleaned_data["password1"],
            first_name=self.cleaned_data["first_name"],
            last_name=self.cleaned_data["last_name"],
        )


class ConnexionForm(AuthenticationForm):
    error_messages = AuthenticationForm.error_messages | {
        "invalid_login": "Identifiant (ou adresse e-mail) ou mot de passe incorrect. Le mot de passe tient compte "
        "des majuscules.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "Identifiant ou adresse e-mail"
        # AuthenticationForm only sets the widget's maxlength: a longer name went on to authenticate() and
        # to django-axes, which records failed names in 255 characters (server error).
        self.fields["username"].validators.append(MaxLengthValidator(LONGUEUR_MAX_D_UNE_ADRESSE))
