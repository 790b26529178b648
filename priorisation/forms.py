"""Forms of the prioritisation: a session's settings, and the voting grid shared by members and guests."""

from decimal import Decimal

from crispy_forms.helper import FormHelper
from django import forms
from django.utils import timezone

from charte.forms import ChampsCachesSignales
from priorisation.models import Participant, Priorite, Seance
from priorisation.services import NOTE_MAX, NOTE_MIN


def _sans_balise(formulaire):
    formulaire.helper = FormHelper()
    formulaire.helper.form_tag = False


class NouvelleSeanceForm(forms.ModelForm):
    class Meta:
        model = Seance
        fields = ["titre", "date", "mode", "points_par_participant", "seuil_anonymat"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _sans_balise(self)
        self.fields["points_par_participant"].min_value = 1
        self.fields["points_par_participant"].widget.attrs["min"] = 1


class PoidsForm(forms.Form):
    """The weight of each criterion of a session (one field per criterion)."""

    def __init__(self, *args, criteres, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteres = list(criteres)
        for critere in self.criteres:
            self.fields[f"poids_{critere.pk}"] = forms.DecimalField(
                label=critere.libelle,
                min_value=Decimal("0.1"),
                max_value=Decimal("99.9"),
                max_digits=3,
                decimal_places=1,
                initial=critere.poids,
                widget=forms.NumberInput(attrs={"class": "form-control form-control-sm"}),
            )

    def enregistrer(self):
        for critere in self.criteres:
            critere.poids = self.cleaned_data[f"poids_{critere.pk}"]
            critere.save(update_fields=["poids"])


class ArriveeForm(forms.ModelForm):
    """First visit to a session: the collège (and, for a guest, how to present oneself)."""

    class Meta:
        model = Participant
        fields = ["college", "pseudonyme"]
        widgets = {"college": forms.RadioSelect}

    def __init__(self, *args, invite, **kwargs):
        super().__init__(*args, **kwargs)
        _sans_balise(self)
        self.fields["college"].label = "Vous participez au titre du collège"
        self.fields["college"].choices = Participant.College.choices
        if not invite:
            del self.fields["pseudonyme"]


class RejoindreForm(forms.Form):
    code = forms.CharField(
        label="Code de la séance",
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "class": "text-uppercase", "size": 8}
        ),
    )

    def clean_code(self):
        code = self.cleaned_data["code"].strip().upper()
        if not Seance.objects.filter(code=code).exists():
            raise forms.ValidationError("Aucune séance ne correspond à ce code : vérifiez-le auprès de l'animateur.")
        return code


class GrilleForm(forms.Form):
    """The voting grid: a score 1–5 per need and criterion (multi-criteria), or points per need (dots).

    The form only reads the values; enregistrer_notes (the server) judges the whole, totals included.
    """

    def __init__(self, *args, seance, besoins, criteres, notes, lecture_seule=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.seance, self.besoins, self.criteres = seance, list(besoins), list(criteres)
        self.cles = []
        choix = [("", "—")] + [(str(n), str(n)) for n in range(NOTE_MIN, NOTE_MAX + 1)]
        for besoin in self.besoins:
            for critere in self.criteres if seance.multicritere else [None]:
                nom = f"note_{besoin.pk}_{critere.pk}" if critere else f"points_{besoin.pk}"
                valeur = notes.get((besoin.pk, critere.pk if critere else None))
                if critere:
                    champ = forms.TypedChoiceField(
                        label=f"{critere.libelle} — {besoin.titre}",
                        choices=choix,
                        coerce=int,
                        empty_value=None,
                        required=False,
                        widget=forms.Select(attrs={"class": "form-select"}),
                    )
                else:
                    champ = forms.IntegerField(
                        label=f"Points pour « {besoin.titre} »",
                        min_value=0,
                        required=False,
                        widget=forms.NumberInput(
                            attrs={"class": "form-control text-end", "inputmode": "numeric", "data-points": ""}
                        ),
                    )
                champ.initial = valeur
                champ.libelle_court = critere.libelle if critere else "Points"
                champ.disabled = lecture_seule
                self.fields[nom] = champ
                self.cles.append((nom, besoin.pk, critere.pk if critere else None))

    def lignes(self):
        """[(besoin, [bound fields in the criteria's order])] for the template."""
        par_besoin = {}
        for nom, besoin, _critere in self.cles:
            par_besoin.setdefault(besoin, []).append(self[nom])
        return [(besoin, par_besoin[besoin.pk]) for besoin in self.besoins]

    def notes(self):
        """{(besoin_pk, critere_pk or None): value or None} — an empty field (or 0 point) clears the score."""
        return {(besoin, critere): self.cleaned_data[nom] or None for nom, besoin, critere in self.cles}

    def points_utilises(self):
        """Points shown as used (the values on the page, sent or saved), for the « remaining » counter."""
        total = 0
        for nom, _besoin, _critere in self.cles:
            valeur = self[nom].value()
            try:
                total += max(int(valeur), 0)
            except (TypeError, ValueError):
                continue
        return total


class DecisionForm(forms.Form):
    """The date and the body of the decision."""

    le = forms.DateField(
        label="Décidées le", widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")
    )
    instance = forms.ChoiceField(
        label="Par", choices=Priorite.Instance.choices, widget=forms.Select(attrs={"class": "form-select"})
    )

    def clean_le(self):
        le = self.cleaned_data["le"]
        if le > timezone.localdate():
            raise forms.ValidationError("La date de décision ne peut pas être dans le futur.")
        return le


class PrioriteForm(ChampsCachesSignales, forms.Form):
    """One need of the ranking: retained or not, reworded, possibly grouped with other needs."""

    retenu = forms.BooleanField(label="Retenir", required=False)
    besoin = forms.IntegerField(widget=forms.HiddenInput)
    intitule = forms.CharField(
        label="Intitulé de la priorité",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
    )
    justification = forms.CharField(
        label="Justification",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control form-control-sm"}),
    )
    regroupes = forms.MultipleChoiceField(
        label="Regrouper avec",
        required=False,
        widget=forms.SelectMultiple(attrs={"class": "form-select form-select-sm", "size": 3}),
    )

    def __init__(self, *args, besoins, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["regroupes"].choices = [(str(b.pk), b.titre) for b in besoins]

    def clean(self):
        donnees = super().clean()
        if donnees.get("retenu") and not donnees.get("intitule", "").strip():
            self.add_error("intitule", "Donnez un intitulé à la priorité retenue.")
        return donnees


PrioritesFormSet = forms.formset_factory(PrioriteForm, extra=0)
