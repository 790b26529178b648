from django.apps import AppConfig


class DiagnosticConfig(AppConfig):
    name = "diagnostic"
    verbose_name = "Diagnostic territorial"

    def ready(self):
        from charte.audit import auditer
        from diagnostic import signals
        from diagnostic.models import Besoin, PreuveQuestion

        signals.brancher()

        auditer(Besoin, etiquettes={"creee_par": "créé par"})
        auditer(
            PreuveQuestion,
            charte="besoin.charte_id",
            nom="preuve d'un besoin (question)",
            libelle=lambda preuve: f"{preuve.besoin} — {preuve.question}",
        )
