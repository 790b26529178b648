import copy
from dataclasses import dataclass, field

from django import forms
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils.choices import BaseChoiceIterator
from django.utils.datastructures import MultiValueDict

from diagnostic.models import Question
from territoires.models import Commune, Famille

OBLIGATOIRE = "Cette question est obligatoire."
TEXTE_COURT_MAX, TEXTE_LONG_MAX = 300, 5000
OUI_NON = [("non", "Non"), ("oui", "Oui")]


def options_cochees(question, donnees):
    """Primary keys of the options ticked for a choice question (empty for other types)."""
    if not question.a_des_options:
        return set()
    valeur = donnees.get(f"q{question.pk}") or []
    return {int(v) for v in (valeur if isinstance(valeur, list) else [valeur]) if v}


class ChoixPrets(BaseChoiceIterator):
    """Choices already in Django's canonical form: Django normalises any other list twice (field, then widget)
    for every question of every form, 40 % of the time it took to build a 36-question form (issue #8)."""

    def __init__(self, choix):
        self.choix = choix

    def __iter__(self):
        return iter(self.choix)


def choix_de(question):
    """The question's options and scale as choices, worked out once per question object: the questions come
    from the structure kept per questionnaire version (diagnostic.views.structure_en_cache), shared by requests."""
    if "_choix_du_formulaire" not in question.__dict__:
        question.__dict__["_choix_du_formulaire"] = (
            ChoixPrets([(str(o.pk), o.libelle) for o in question.options.all()]),
            ChoixPrets([(str(v), f"{v} — {question.libelle_echelle(v)}") for v in Question.ECHELLE]),
        )
    return question.__dict__["_choix_du_formulaire"]


def classe_bootstrap(widget):
    if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        return "form-check-input"
    return "form-select" if isinstance(widget, forms.Select) else "form-control"


class CommuneEnMemoire(forms.ModelChoiceField):
    """The charter's communes read once when the form is built: no query to show them or check the answer."""

    def __init__(self, **kwargs):
        super().__init__(queryset=Commune.objects.none(), **kwargs)
        self.par_pk = {}

    def garder(self, communes):
        self.par_pk = {str(commune.pk): commune for commune in communes}
        self.choices = [("", self.empty_label), *((pk, self.label_from_instance(c)) for pk, c in self.par_pk.items())]

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if str(value) not in self.par_pk:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return self.par_pk[str(value)]


@dataclass
class QuestionAffichee:
    question: Question
    champ: forms.BoundField | None = None
    autre: forms.BoundField | None = None
    lignes: list = field(default_factory=list)  # grid: (option, bound field)

    @property
    def erreurs(self):
        champs = [self.champ, self.autre, *(champ for _option, champ in self.lignes)]
        return [erreur for champ in champs if champ is not None for erreur in champ.errors]


class QuestionnaireForm(forms.Form):
    """The questionnaire a family fills in (online, typed in from paper by a partner, or a row of an imported file).

    Its fields are built once per questionnaire version (diagnostic.views.formulaire_en_cache, or once per
    imported file), then shared by the forms of every request
    and every file row (`lier`): building them cost more than checking an answer. Checking and showing a form
    only read its fields.
    """

    commune = CommuneEnMemoire(label="Votre commune", empty_label="Choisissez votre commune")
    nombre_adultes = forms.IntegerField(label="Nombre d'adultes dans le foyer", min_value=1, max_value=10, initial=2)
    nombre_enfants = forms.IntegerField(label="Nombre d'enfants dans le foyer", min_value=0, max_value=15, initial=0)
    ages_enfants = forms.CharField(
        label="Âge de chaque enfant (en années, séparés par des virgules)",
        required=False,
        max_length=100,
        help_text="ex. 2, 5, 11 — écrivez 0 pour un bébé de moins d'un an",
    )
    monoparentale = forms.ChoiceField(
        label="Vous élevez seul(e) vos enfants", choices=OUI_NON, initial="non", widget=forms.RadioSelect
    )
    etape_vie = forms.ChoiceField(
        label="Votre situation familiale aujourd'hui", choices=[("", "Choisissez"), *Famille.EtapeVie.choices]
    )
    affiliation_msa = forms.ChoiceField(
        label="Vous êtes affilié(e) à la MSA",
        choices=Famille.AffiliationMsa.choices,
        widget=forms.RadioSelect,
        initial=Famille.AffiliationMsa.NE_SAIT_PAS,
    )
    jeton = forms.CharField(widget=forms.HiddenInput, max_length=64)

    CHAMPS_PROFIL = [
        "commune",
        "nombre_adultes",
        "nombre_enfants",
        "ages_enfants",
        "monoparentale",
        "etape_vie",
        "affiliation_msa",
    ]

    def __init__(self, *args, enquete, questions, communes, **kwargs):
        super().__init__(*args, **kwargs)
        self.enquete, self.questions = enquete, list(questions)
        self._rendus = {}  # shared with the forms made by `lier`: see html_vierge
        self.fields["commune"].garder(communes)
        for question in self.questions:
            self._ajouter_champs(question)
        for champ in self.fields.values():
            champ.widget.attrs.setdefault("class", classe_bootstrap(champ.widget))

    def lier(self, data=None, *, enquete, initial=None):
        """A form for one request or one row, sharing this one's fields."""
        form = copy.copy(self)
        # What BaseForm.__init__ sets, except the fields.
        form.is_bound, form.data, form.files = data is not None, MultiValueDict() if data is None else data, {}
        form.initial, form._errors, form._bound_fields_cache = initial or {}, None, {}
        form.enquete = enquete
        return form

    @property
    def html_vierge(self):
        """The blank form's fields as HTML, rendered once for this form and all the forms made from it by `lier`
        (the dict is shared by their shallow copies): every family's visit starts with this page, and its 36
        questions took 60 ms of templates. The per-visit parts (CSRF token, submission token) stay outside."""
        if "vierge" not in self._rendus:
            self._rendus["vierge"] = render_to_string(
                "diagnostic/_questions.html", {"form": self.lier(None, enquete=self.enquete)}
            )
        return self._rendus["vierge"]

    # --- building -----------------------------------------------------------------------------
    def _ajouter_champs(self, question):
        nom, options = f"q{question.pk}", list(question.options.all())
        choix, echelle = choix_de(question)
        commun = {"label": question.texte, "help_text": question.aide, "required": False}
        match question.type:
            case Question.Type.CHOIX_UNIQUE:
                self.fields[nom] = forms.ChoiceField(choices=choix, widget=forms.RadioSelect, **commun)
            case Question.Type.CHOIX_MULTIPLE:
                self.fields[nom] = forms.MultipleChoiceField(
                    choices=choix, widget=forms.CheckboxSelectMultiple, **commun
                )
            case Question.Type.ECHELLE:
                self.fields[nom] = forms.ChoiceField(choices=echelle, widget=forms.RadioSelect, **commun)
            case Question.Type.NOMBRE:
                # localize: families type "12,5" as well as "12.5".
                self.fields[nom] = forms.DecimalField(
                    min_value=question.minimum,
                    max_value=question.maximum,
                    decimal_places=2,
                    max_digits=12,
                    localize=True,
                    **commun,
                )
            case Question.Type.TEXTE_COURT:
                self.fields[nom] = forms.CharField(max_length=TEXTE_COURT_MAX, **commun)
            case Question.Type.TEXTE_LONG:
                self.fields[nom] = forms.CharField(
                    max_length=TEXTE_LONG_MAX, widget=forms.Textarea(attrs={"rows": 4}), **commun
                )
            case Question.Type.GRILLE:
                for option in options:
                    self.fields[f"{nom}_{option.pk}"] = forms.ChoiceField(
                        label=option.libelle,
                        choices=echelle,
                        required=False,
                        widget=forms.RadioSelect(attrs={"class": "btn-check"}),
                    )
        if any(o.autre for o in options):
            self.fields[f"{nom}_autre"] = forms.CharField(label="Précisez", max_length=TEXTE_COURT_MAX, required=False)

    def questions_affichees(self):
        """Each question with its bound fields, for the template."""
        for question in self.questions:
            nom = f"q{question.pk}"
            affichee = QuestionAffichee(question)
            if question.est_grille:
                affichee.lignes = [(o, self[f"{nom}_{o.pk}"]) for o in question.options.all()]
            else:
                affichee.champ = self[nom]
            if f"{nom}_autre" in self.fields:
                affichee.autre = self[f"{nom}_autre"]
            yield affichee

    # --- validation ---------------------------------------------------------------------------
    def clean_ages_enfants(self):
        texte = self.cleaned_data["ages_enfants"].replace(";", ",")
        try:
            return [int(morceau) for morceau in texte.split(",") if morceau.strip()]
        except ValueError:
            raise ValidationError("Écrivez les âges en chiffres, séparés par des virgules (ex. 2, 5, 11).") from None

    def clean(self):
        donnees = super().clean()
        self._valider_profil(donnees)
        visibles = self._questions_visibles(donnees)
        for question in self.questions:
            if question.pk in visibles:
                self._valider_question(question, donnees)
            else:
                self._oublier(question)  # hidden question: whatever was typed there is not kept
        return donnees

    def _questions_visibles(self, donnees):
        """Questions shown to this family: their condition is ticked and its own question is shown.

        Worked out whatever the order of the questions (a condition may follow its question).
        """
        cochees = set().union(*(options_cochees(q, donnees) for q in self.questions))
        par_pk = {q.pk: q for q in self.questions}

        def visible(question, chemin=()):
            if not question.condition_option_id:
                return True
            parent = par_pk.get(question.condition_option.question_id)
            if parent is None or question.pk in chemin:  # a cycle of conditions shows nothing
                return False
            return question.condition_option_id in cochees and visible(parent, (*chemin, question.pk))

        return {q.pk for q in self.questions if visible(q)}

    def _valider_profil(self, donnees):
        if not all(nom in donnees for nom in ("nombre_adultes", "nombre_enfants", "ages_enfants")):
            return
        famille = Famille(**self._profil(donnees))
        try:
            famille.clean()
        except ValidationError as erreur:
            for champ, messages in erreur.message_dict.items():
                self.add_error(champ if champ in self.fields else None, messages)

    def _valider_question(self, question, donnees):
        """Check one visible question's answer: required, and « autre » precised."""
        nom = f"q{question.pk}"
        if question.est_grille:
            reponses = [donnees.get(f"{nom}_{o.pk}") for o in question.options.all()]
            if question.obligatoire and not all(reponses):
                self.add_error(f"{nom}_{question.options.all()[0].pk}", "Répondez pour chaque ligne.")
            return
        valeur = donnees.get(nom)
        if question.obligatoire and valeur in (None, "", []):
            self.add_error(nom, OBLIGATOIRE)
        autre = next((o for o in question.options.all() if o.autre), None)
        if autre and autre.pk in options_cochees(question, donnees) and not donnees.get(f"{nom}_autre", "").strip():
            self.add_error(f"{nom}_autre", f"Précisez votre réponse « {autre.libelle} ».")

    def _oublier(self, question):
        nom = f"q{question.pk}"
        for cle in [cle for cle in self.cleaned_data if cle == nom or cle.startswith(f"{nom}_")]:
            self.cleaned_data[cle] = None

    # --- results ------------------------------------------------------------------------------
    @staticmethod
    def _profil(donnees):
        profil = {nom: donnees.get(nom) for nom in QuestionnaireForm.CHAMPS_PROFIL}
        profil["monoparentale"] = profil["monoparentale"] == "oui"
        return profil

    def profil(self):
        return self._profil(self.cleaned_data)

    def valeurs(self):
        """The answers as Valeur fields, one dict per stored row."""
        lignes = []
        for question in self.questions:
            nom = f"q{question.pk}"
            if question.est_grille:
                lignes += [
                    {"question": question, "option": o, "nombre": int(self.cleaned_data[f"{nom}_{o.pk}"])}
                    for o in question.options.all()
                    if self.cleaned_data.get(f"{nom}_{o.pk}")
                ]
                continue
            valeur = self.cleaned_data.get(nom)
            if valeur in (None, "", []):
                continue
            if question.a_des_options:
                autre = self.cleaned_data.get(f"{nom}_autre") or ""
                options = {str(o.pk): o for o in question.options.all()}
                lignes += [
                    {"question": question, "option": options[v], "texte": autre.strip() if options[v].autre else ""}
                    for v in (valeur if isinstance(valeur, list) else [valeur])
                ]
            elif question.type in (Question.Type.ECHELLE, Question.Type.NOMBRE):
                lignes.append({"question": question, "nombre": valeur})
            else:
                lignes.append({"question": question, "texte": valeur.strip()})
        return lignes
