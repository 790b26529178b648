from django.apps import AppConfig


def de_la_fiche(objet):
    """A budget line, financing, partner or milestone, named with its fiche."""
    return f"Fiche n° {objet.fiche.numero} — {objet}"


class PlanActionsConfig(AppConfig):
    name = "plan_actions"
    verbose_name = "Plan d'actions partagé"

    def ready(self):
        from charte.audit import auditer
        from plan_actions.models import Contribution, FicheAction, Financement, Jalon, LigneBudget, Public

        publics = dict(Public.choices)
        auditer(
            FicheAction,
            lien="plan_actions:fiche",
            formats={"publics": lambda codes: [publics.get(code, code) for code in codes]},
            etiquettes={"proposee_par": "proposée par", "validee_par": "validée par", "creee_par": "créée par"},
        )
        for modele in (Contribution, Jalon, LigneBudget, Financement):
            auditer(modele, charte="fiche.charte_id", libelle=de_la_fiche)
