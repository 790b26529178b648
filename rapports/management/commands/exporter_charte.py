import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from charte.models import Charte
from rapports.sauvegarde import exporter


class Command(BaseCommand):
    help = (
        "Exporte une charte entière (toutes les étapes, comptes sans mot de passe, rapports PDF) dans une archive "
        "zip, que importer_charte recrée dans une autre installation."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="identifiant de la charte dans les adresses (/chartes/<slug>/)")
        parser.add_argument("--sortie", help="fichier à écrire (par défaut <slug>-<date>.zip)")

    def handle(self, *args, slug, sortie=None, **options):
        charte = Charte.objects.filter(slug=slug).first()
        if charte is None:
            raise CommandError(f"Aucune charte « {slug} » dans cette installation.")
        sortie = sortie or f"{slug}-{timezone.localdate():%Y-%m-%d}.zip"
        debut = time.perf_counter()
        with open(sortie, "wb") as fichier:
            contexte = exporter(charte, fichier)
        self.stdout.write(
            self.style.SUCCESS(
                f"« {charte} » exportée dans {sortie} en {time.perf_counter() - debut:.1f} s "
                f"({len(contexte.utilisateurs)} comptes, {len(contexte.fichiers)} rapports PDF)."
            )
        )
