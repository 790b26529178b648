from django.apps import AppConfig


class CharteConfig(AppConfig):
    name = "charte"
    verbose_name = "Chartes territoriales"
