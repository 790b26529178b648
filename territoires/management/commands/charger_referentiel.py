from django.core.management.base import BaseCommand

from territoires.services import charger_referentiel, lire_referentiel


class Command(BaseCommand):
    help = "Charge (ou met à jour) les EPCI et les communes du référentiel officiel livré avec le projet."

    def add_arguments(self, parser):
        parser.add_argument("--siren", action="append", help="Ne charger que cet EPCI (répétable).")

    def handle(self, *args, siren=None, **options):
        nb_epci, nb_communes = charger_referentiel(set(siren) if siren else None)
        source = lire_referentiel()["source"]
        self.stdout.write(self.style.SUCCESS(f"{nb_epci} EPCI et {nb_communes} communes chargés ({source})."))
