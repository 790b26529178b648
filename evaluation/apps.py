from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "evaluation"
    verbose_name = "Évaluation"

    def ready(self):
        from charte.audit import auditer
        from evaluation.models import Indicateur, Mesure

        auditer(Indicateur, lien="evaluation:indicateur")
        auditer(Mesure, charte="indicateur.charte_id", ignores=["saisie_le"])
