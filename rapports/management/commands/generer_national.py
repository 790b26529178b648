import os
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from charte.bases import creer_base_si_absente
from rapports.national import Volumes, deja_genere, generer


class Command(BaseCommand):
    help = (
        "Génère un jeu de données à l'échelle nationale (chartes sur de vrais EPCI, réponses, plan, indicateurs) "
        "avec COPY, pour les mesures de performance. PostgreSQL seulement."
    )

    def add_arguments(self, parser):
        parser.add_argument("--chartes", type=int, default=Volumes.chartes, help="nombre de chartes (200)")
        parser.add_argument("--reponses", type=int, default=Volumes.reponses, help="réponses par enquête (2 000)")
        parser.add_argument("--graine", type=int, default=2026, help="graine du hasard (données reproductibles)")
        parser.add_argument(
            "--base",
            help="postgres://… : génère dans cette base (créée si elle manque, puis migrée) au lieu de DATABASE_URL",
        )

    def handle(self, *args, chartes, reponses, graine, base=None, **options):
        if base:
            return self.dans_une_autre_base(base, chartes, reponses, graine)
        if connection.vendor != "postgresql":
            raise CommandError("Ce générateur écrit avec COPY : il lui faut PostgreSQL (DATABASE_URL=postgres://…).")
        if deja_genere():
            raise CommandError(
                "Cette base contient déjà un jeu national (chartes « … (jeu national) ») : "
                "utilisez une base neuve (--base postgres://…/autre_nom) ou supprimez celle-ci."
            )
        self.stdout.write(
            f"Génération de {chartes} chartes × {reponses} réponses ({connection.settings_dict['NAME']})…"
        )
        debut = time.perf_counter()
        generer(Volumes(chartes=chartes, reponses=reponses), graine, ecrire=self.stdout.write)
        self.stdout.write(self.style.SUCCESS(f"Jeu national généré en {time.perf_counter() - debut:.1f} s."))

    def dans_une_autre_base(self, base, chartes, reponses, graine):
        """Settings are read once per process: the other database gets its own `manage.py` processes."""
        creer_base_si_absente(base)
        environnement = {**os.environ, "DATABASE_URL": base}
        manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
        etapes = [
            ["migrate", "--noinput", "-v", "0"],
            ["generer_national", "--chartes", str(chartes), "--reponses", str(reponses), "--graine", str(graine)],
        ]
        for etape in etapes:
            if subprocess.run(manage + etape, env=environnement).returncode:
                raise CommandError(f"Échec de « manage.py {' '.join(etape)} » sur {base}.")
