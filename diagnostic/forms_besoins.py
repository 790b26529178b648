from crispy_forms.helper import FormHelper
from django import forms

from charte.forms import ChampsCachesSignales
from diagnostic.models import Besoin, PreuveQuestion, Question


class BesoinForm(ChampsCachesSignales, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Besoin
        # `version` is only read to detect a concurrent change (never written from the page).
        fields = ["domaine", "titre", "description", "donnees", "entretiens"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "donnees": forms.CheckboxSelectMultiple,
            "entretiens": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "titre": "Formulé du point de vue des familles, ex. « Trouver un mode de garde aux horaires agricoles »"
        }

    def __init__(self, *args, charte, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["donnees"].queryset = charte.donnees.select_related("commune").order_by("domaine", "libelle")
        self.fields["entretiens"].queryset = charte.entretiens.order_by("-date")
        self.fields["entretiens"].label_from_instance = lambda e: f"{e.date:%d/%m/%Y} — {e.personnes}"
        self.initial.setdefault("version", self.instance.version)
        self.helper = FormHelper()
        self.helper.form_tag = False


class PreuveQuestionForm(ChampsCachesSignales, forms.ModelForm):
    class Meta:
        model = PreuveQuestion
        fields = ["question", "constat"]

    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["question"].queryset = questions
        self.fields["question"].label_from_instance = lambda q: f"{q.enquete.titre[:30]} — {q.texte[:80]}"
        self.fields["question"].widget.attrs["class"] = "form-select"
        self.fields["constat"].widget.attrs["class"] = "form-control"


def preuves_formset(charte, **kwargs):
    """The survey questions cited as evidence of a need (questions of this charter's surveys only)."""
    questions = Question.objects.filter(enquete__charte=charte).select_related("enquete")
    fabrique = forms.inlineformset_factory(
        Besoin, PreuveQuestion, form=PreuveQuestionForm, extra=2, can_delete=True, max_num=20, absolute_max=20
    )
    return fabrique(form_kwargs={"questions": questions}, prefix="preuves", **kwargs)
