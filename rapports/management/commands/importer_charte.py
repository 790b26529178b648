import time

from django.core.management.base import BaseCommand, CommandError

from rapports.sauvegarde import SauvegardeInvalide, importer


class Command(BaseCommand):
    help = (
        "Recrée une charte depuis une sauvegarde d'exporter_charte, tout ou rien. Le référentiel des communes "
        "doit être chargé (charger_referentiel) ; les comptes créés n'ont pas de mot de passe."
    )

    def add_arguments(self, parser):
        parser.add_argument("fichier", help="archive .zip (ou document .json) produite par exporter_charte")

    def handle(self, *args, fichier, **options):
        debut = time.perf_counter()
        try:
            contexte = importer(fichier)
        except FileNotFoundError:
            raise CommandError(f"Fichier introuvable : {fichier}") from None
        except SauvegardeInvalide as erreur:
            raise CommandError(str(erreur)) from None
        for avertissement in contexte.avertissements:
            self.stdout.write(self.style.WARNING(avertissement))
        if contexte.comptes_crees:
            self.stdout.write(
                "Comptes créés sans mot de passe : chacun choisit le sien avec « Mot de passe oublié » "
                f"(son adresse e-mail) — {', '.join(c.username for c in contexte.comptes_crees)}."
            )
        self.stdout.write(
            self.style.SUCCESS(f"Charte importée : /chartes/{contexte.slug}/ ({time.perf_counter() - debut:.1f} s).")
        )
