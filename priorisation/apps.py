from django.apps import AppConfig


class PriorisationConfig(AppConfig):
    name = "priorisation"
    verbose_name = "Priorisation"

    def ready(self):
        from charte.audit import auditer
        from priorisation.models import Priorite

        auditer(Priorite, etiquettes={"seance": "séance", "decidee_par": "enregistrée par", "instance": "décidée par"})
