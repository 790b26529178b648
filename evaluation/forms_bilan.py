"""Forms of the evaluation grid, the final assessment and the choice of the surveys compared."""

from dataclasses import dataclass

from crispy_forms.helper import FormHelper
from django import forms

from charte.forms import ChampsCachesSignales, FormulaireSansBalise, JalonForm
from diagnostic.models import Enquete
from evaluation.models import AppreciationAction, BilanFinal, Critere

# The question each criterion asks, as evaluators put it to a steering committee.
QUESTIONS = {
    Critere.PERTINENCE: "L'action répond-elle aux besoins des familles relevés au diagnostic ?",
    Critere.COHERENCE: "S'articule-t-elle avec les autres actions et les dispositifs des partenaires (CAF, Département, ARS, communes) ?",
    Critere.EFFICACITE: "Ses objectifs sont-ils atteints ? Appuyez-vous sur les indicateurs de la fiche.",
    Critere.EFFICIENCE: "Les résultats sont-ils à la mesure des moyens engagés (budget, temps, personnes) ?",
    Critere.IMPACT: "Qu'a-t-elle changé dans la vie des familles, en bien ou en moins bien, attendu ou non ?",
    Critere.DURABILITE: "Continuera-t-elle quand la MSA se retirera du pilotage : qui la porte, qui la finance ?",
}
A_EVALUER = [("", "— à évaluer —")]
COULEURS_NIVEAUX = {1: "text-bg-danger", 2: "text-bg-warning", 3: "text-bg-primary", 4: "text-bg-success"}
COULEURS_ETATS = {"à évaluer": "text-bg-light border", "validé": "text-bg-success", "à valider": "text-bg-warning"}


class EtatCritere:
    """What the page says of a criterion: its level's badge and where it stands (drafted, validated)."""

    appreciation: AppreciationAction | None  # a field of the dataclasses that use it

    @property
    def classe_niveau(self):
        return COULEURS_NIVEAUX.get(self.appreciation.niveau, "") if self.appreciation else ""

    @property
    def etat(self):
        if self.appreciation is None:
            return "à évaluer"
        return "validé" if self.appreciation.validee_le else "à valider"

    @property
    def classe_etat(self):
        return COULEURS_ETATS[self.etat]


@dataclass
class LigneGrille(EtatCritere):
    critere: str
    libelle: str
    question: str
    niveau: forms.BoundField
    justification: forms.BoundField
    appreciation: AppreciationAction | None


class GrilleForm(forms.Form):
    """The six criteria of a fiche's evaluation grid: a level and the reasons for it, each."""

    jeton = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, appreciations, jeton, **kwargs):
        super().__init__(*args, **kwargs)
        self.appreciations = appreciations  # {critere: AppreciationAction} as stored
        self.fields["jeton"].initial = jeton
        for critere in Critere.values:
            existante = appreciations.get(critere)
            self.fields[f"{critere}-niveau"] = forms.TypedChoiceField(
                label="Niveau",
                choices=A_EVALUER + AppreciationAction.Niveau.choices,
                coerce=int,
                empty_value=None,
                required=False,
                initial=existante.niveau if existante else None,
            )
            self.fields[f"{critere}-justification"] = forms.CharField(
                label="Justification",
                widget=forms.Textarea(attrs={"rows": 3}),
                required=False,
                initial=existante.justification if existante else "",
            )

    def lignes(self):
        return [
            LigneGrille(
                critere=critere,
                libelle=libelle,
                question=QUESTIONS[critere],
                niveau=self[f"{critere}-niveau"],
                justification=self[f"{critere}-justification"],
                appreciation=self.appreciations.get(critere),
            )
            for critere, libelle in Critere.choices
        ]

    def clean(self):
        donnees = super().clean()
        for critere, _libelle in Critere.choices:
            niveau = donnees.get(f"{critere}-niveau")
            justification = donnees.get(f"{critere}-justification", "").strip()
            if niveau is not None and not justification:
                self.add_error(
                    f"{critere}-justification", "Justifiez ce niveau en quelques mots : le COPIL lira vos raisons."
                )
            if niveau is None and justification:
                self.add_error(f"{critere}-niveau", "Choisissez un niveau pour ce critère.")
        return donnees

    def saisies(self):
        """{critere: (niveau, justification)} as entered."""
        return {
            critere: (self.cleaned_data[f"{critere}-niveau"], self.cleaned_data[f"{critere}-justification"].strip())
            for critere, _libelle in Critere.choices
        }


class BilanForm(ChampsCachesSignales, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = BilanFinal
        fields = ["realisations", "avis_des_familles", "recommandations"]
        widgets = {
            "realisations": forms.Textarea(attrs={"rows": 10}),
            "avis_des_familles": forms.Textarea(attrs={"rows": 6}),
            "recommandations": forms.Textarea(attrs={"rows": 8}),
        }
        help_texts = {
            "realisations": "Priorité par priorité : les actions menées, ce qu'elles ont produit, ce qui n'a pas pu se faire et pourquoi.",
            "avis_des_familles": "Ce que montre la comparaison des enquêtes avant / après, et ce que les familles ont dit en réunion ou en entretien.",
            "recommandations": "Qui reprend le pilotage, quelles actions poursuivre, avec quels financements, quelle instance de suivi.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("version", self.instance.version)
        self.helper = FormHelper()
        self.helper.form_tag = False


class AdoptionForm(JalonForm):
    """When and by which body the final assessment was adopted (the stage-4 gate)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["le"].label = "Adopté le"
        self.fields["instance"].label = "Instance qui l'adopte"
        self.fields["instance"].initial = "COPIL de clôture"
        self.fields["instance"].help_text = "ex. COPIL de clôture du 28 juin"


class ChoixEnquetesForm(FormulaireSansBalise):
    avant = forms.ModelChoiceField(label="Enquête « avant » (diagnostic)", queryset=None, empty_label=None)
    apres = forms.ModelChoiceField(label="Enquête « après » (satisfaction)", queryset=None, empty_label=None)

    def __init__(self, *args, charte, enquetes, **kwargs):
        super().__init__(*args, **kwargs)
        for nom in ("avant", "apres"):
            self.fields[nom].queryset = Enquete.objects.de(charte)  # what a submitted value is checked against
            # The choices come from the list already read for the page, not from a new query.
            self.fields[nom].choices = [
                (e.pk, f"{e.titre} ({e.nb_reponses} réponse{'s' if e.nb_reponses > 1 else ''})") for e in enquetes
            ]

    def clean(self):
        donnees = super().clean()
        if donnees.get("avant") and donnees.get("avant") == donnees.get("apres"):
            raise forms.ValidationError("Choisissez deux enquêtes différentes : on compare l'avant et l'après.")
        return donnees
