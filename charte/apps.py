from django.apps import AppConfig
from django.urls import register_converter


class CharteConfig(AppConfig):
    name = "charte"
    verbose_name = "Chartes territoriales"

    def ready(self):
        from charte import adhesions
        from charte.convertisseurs import Segment

        register_converter(Segment, "segment")
        adhesions.brancher()
