from django.apps import AppConfig


class PriorisationConfig(AppConfig):
    name = "priorisation"
    verbose_name = "Priorisation"
