"""Forms of a COPIL meeting: the meeting itself and the table of its decisions."""

from crispy_forms.helper import FormHelper
from django import forms

from charte.forms import ChampsCachesSignales, DateInput
from rapports.models import Decision, SeanceCopil

# What a decision may be about: the form field, and how the page names that kind of object.
OBJETS = {"besoin": "Besoin", "priorite": "Priorité", "fiche": "Fiche action", "etape": "Jalon"}


class SeanceForm(ChampsCachesSignales, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    figer_plan = forms.BooleanField(
        label="Figer le plan présenté à ce COPIL",
        required=False,
        help_text="Enregistre le plan d'actions tel qu'il est aujourd'hui comme version de référence : "
        "le COPIL suivant verra ce qui a changé depuis.",
    )

    class Meta:
        model = SeanceCopil
        fields = ["date", "lieu", "instances", "presents", "ordre_du_jour", "compte_rendu"]
        widgets = {
            "date": DateInput(),
            "instances": forms.Textarea(attrs={"rows": 7}),
            "presents": forms.Textarea(attrs={"rows": 7}),
            "ordre_du_jour": forms.Textarea(attrs={"rows": 5}),
            "compte_rendu": forms.Textarea(attrs={"rows": 8}),
        }
        help_texts = {"lieu": "ex. Salle du conseil communautaire, Seuil-d'Argonne"}

    def __init__(self, *args, charte, **kwargs):
        super().__init__(*args, **kwargs)
        self.charte = charte
        self.initial.setdefault("version", self.instance.version)
        if self.instance.version_plan_id:
            self.fields["figer_plan"].label = "Figer à nouveau le plan présenté à ce COPIL"
            self.fields["figer_plan"].help_text = (
                "La version déjà enregistrée avec cette séance reste dans l'historique du plan ; "
                "la séance pointera vers la nouvelle."
            )
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_figer_plan(self):
        figer = self.cleaned_data["figer_plan"]
        if figer and not self.charte.fiches.exists():
            raise forms.ValidationError("Le plan d'actions n'a encore aucune fiche : il n'y a rien à figer.")
        return figer


class ChoixObjets:
    """The charter's needs, priorities, fiches and gates, read once for every row of the decisions table."""

    def __init__(self, charte):
        self.querysets = {
            "besoin": charte.besoins.order_by("titre"),
            "priorite": charte.priorites.order_by("rang"),
            "fiche": charte.fiches.order_by("numero"),
            "etape": charte.etapes.order_by("numero"),
        }
        libelle = {"etape": lambda e: e.libelle_jalon}
        self.choix = {
            nom: [("", "—")] + [(o.pk, libelle.get(nom, str)(o)) for o in queryset]
            for nom, queryset in self.querysets.items()
        }

    def appliquer(self, form):
        for nom, queryset in self.querysets.items():
            form.fields[nom].queryset = queryset  # what a submitted value is checked against: this charter only
            form.fields[nom].choices = self.choix[nom]  # what the list shows, without a query per row


class DecisionForm(ChampsCachesSignales, forms.ModelForm):
    class Meta:
        model = Decision
        fields = ["texte", "statut", *OBJETS]
        widgets = {"texte": forms.Textarea(attrs={"rows": 2})}
        labels = {"etape": "Jalon"}

    def __init__(self, *args, objets, **kwargs):
        super().__init__(*args, **kwargs)
        objets.appliquer(self)
        for champ in self.fields.values():
            classe = "form-select" if isinstance(champ.widget, forms.Select) else "form-control"
            champ.widget.attrs["class"] = f"{classe} {classe}-sm"

    def clean(self):
        donnees = super().clean()
        choisis = [OBJETS[nom].lower() for nom in OBJETS if donnees.get(nom)]
        if len(choisis) > 1:
            for nom in OBJETS:
                if donnees.get(nom):  # outline the lists to empty
                    self.fields[nom].widget.attrs["class"] += " is-invalid"
            raise forms.ValidationError(
                f"Une décision porte sur un seul objet au plus ; celle-ci en désigne {len(choisis)} "
                f"({', '.join(choisis)}). Gardez-en un, ou faites-en plusieurs décisions."
            )
        return donnees


def decisions_de_la_seance(seance, charte, data=None):
    """The meeting's decisions as an editable table; two empty rows for new ones (more with JavaScript)."""
    fabrique = forms.inlineformset_factory(
        SeanceCopil,
        Decision,
        form=DecisionForm,
        extra=2,
        can_delete=True,
        can_delete_extra=False,
        max_num=60,
        validate_max=True,
        absolute_max=60,  # a page claiming more rows is refused without building them
    )
    queryset = Decision.objects.filter(seance=seance) if seance.pk else Decision.objects.none()
    return fabrique(
        data, instance=seance, queryset=queryset, prefix="decisions", form_kwargs={"objets": ChoixObjets(charte)}
    )
