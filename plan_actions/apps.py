from django.apps import AppConfig


class PlanActionsConfig(AppConfig):
    name = "plan_actions"
    verbose_name = "Plan d'actions partagé"
