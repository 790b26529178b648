"""Forms of the questionnaire builder (the coordinator's side)."""

from django import forms
from django.utils.text import slugify

from diagnostic.models import Enquete, Option, Question, Section


class FormulaireBootstrap(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from crispy_forms.helper import FormHelper

        self.helper = FormHelper()
        self.helper.form_tag = False


class NouvelleEnqueteForm(forms.Form):
    titre = forms.CharField(label="Titre", max_length=200, initial="Questionnaire aux familles")
    source = forms.ChoiceField(label="Partir de", widget=forms.RadioSelect)

    def __init__(self, *args, enquetes_existantes, **kwargs):
        super().__init__(*args, **kwargs)
        from crispy_forms.helper import FormHelper

        self.helper = FormHelper()
        self.helper.form_tag = False
        self.fields["source"].choices = [
            ("gabarit", "Le questionnaire type « Avec les familles » (six domaines)"),
            ("vide", "Un questionnaire vide"),
            *[(str(e.pk), f"Copie de « {e.titre} » — {e.charte}") for e in enquetes_existantes],
        ]
        self.fields["source"].initial = "gabarit"


class ParametresEnqueteForm(FormulaireBootstrap):
    class Meta:
        model = Enquete
        fields = ["titre", "introduction", "ouverture", "fermeture"]
        widgets = {
            "ouverture": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "fermeture": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "introduction": forms.Textarea(attrs={"rows": 3}),
        }

    def clean(self):
        donnees = super().clean()
        if donnees.get("ouverture") and donnees.get("fermeture") and donnees["fermeture"] < donnees["ouverture"]:
            self.add_error("fermeture", "La fermeture doit suivre l'ouverture.")
        return donnees


class SectionForm(FormulaireBootstrap):
    class Meta:
        model = Section
        fields = ["titre", "domaine"]


class QuestionForm(FormulaireBootstrap):
    lignes = forms.CharField(
        label="Options (ou lignes de la grille), une par ligne",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    libelle_autre = forms.CharField(
        label="Option « autre, précisez » (facultatif)",
        required=False,
        max_length=300,
        help_text="ex. Autre (précisez) — la famille pourra écrire sa réponse.",
    )
    echelle = forms.CharField(
        label="Libellés de l'échelle, de 1 à 5 (un par ligne)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        initial="Pas du tout satisfait\nPeu satisfait\nMoyennement satisfait\nSatisfait\nTrès satisfait",
    )

    class Meta:
        model = Question
        fields = [
            "texte",
            "aide",
            "type",
            "obligatoire",
            "lignes",
            "libelle_autre",
            "echelle",
            "minimum",
            "maximum",
            "unite",
            "condition_option",
            "code",
        ]
        help_texts = {"code": "Laissé vide, il est tiré du texte de la question."}

    def __init__(self, *args, enquete, **kwargs):
        super().__init__(*args, **kwargs)
        self.enquete = enquete
        self.fields["code"].required = False
        conditions = Option.objects.filter(question__enquete=enquete, question__type__in=Question.TYPES_A_OPTIONS)
        if self.instance.pk:
            conditions = conditions.exclude(question=self.instance)
        self.fields["condition_option"].queryset = conditions.select_related("question")
        self.fields["condition_option"].empty_label = "Toujours afficher (pas de condition)"
        self.fields["condition_option"].label_from_instance = lambda o: f"{o.question.texte[:60]} → {o.libelle}"
        if self.instance.pk:
            options = list(self.instance.options.all())
            self.initial["lignes"] = "\n".join(o.libelle for o in options if not o.autre)
            self.initial["libelle_autre"] = next((o.libelle for o in options if o.autre), "")
            if self.instance.libelles_echelle:
                self.initial["echelle"] = "\n".join(self.instance.libelles_echelle)

    def libelles(self):
        return [ligne.strip() for ligne in self.cleaned_data.get("lignes", "").splitlines() if ligne.strip()]

    def clean(self):
        donnees = super().clean()
        type_ = donnees.get("type")
        if type_ in Question.TYPES_A_OPTIONS and len(self.libelles()) + bool(donnees.get("libelle_autre")) < 2:
            self.add_error("lignes", "Donnez au moins deux options, une par ligne.")
        if type_ == Question.Type.GRILLE and not self.libelles():
            self.add_error("lignes", "Donnez au moins une ligne à la grille.")
        echelle = [ligne.strip() for ligne in donnees.get("echelle", "").splitlines() if ligne.strip()]
        if type_ in Question.TYPES_ECHELLE and echelle and len(echelle) != len(Question.ECHELLE):
            self.add_error("echelle", "Donnez exactement cinq libellés, un par ligne (ou aucun).")
        self.instance.libelles_echelle = echelle if type_ in Question.TYPES_ECHELLE else []
        minimum, maximum = donnees.get("minimum"), donnees.get("maximum")
        if minimum is not None and maximum is not None and maximum < minimum:
            self.add_error("maximum", "Le maximum doit être supérieur au minimum.")
        code = donnees.get("code") or slugify(donnees.get("texte", ""))[:30].strip("-") or "question"
        autres = Question.objects.filter(enquete=self.enquete).exclude(pk=self.instance.pk)
        if donnees.get("code") and autres.filter(code=code).exists():
            self.add_error("code", "Une autre question de ce questionnaire a déjà ce code.")
        base, suffixe = code, 2
        while autres.filter(code=code).exists():
            code, suffixe = f"{base}-{suffixe}", suffixe + 1
        donnees["code"] = self.instance.code = code
        return donnees
