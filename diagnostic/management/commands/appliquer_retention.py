from django.conf import settings
from django.core.management.base import BaseCommand

from diagnostic import retention


class Command(BaseCommand):
    help = (
        "Anonymise les réponses brutes des familles des chartes terminées depuis RETENTION_REPONSES_MOIS mois "
        "(textes libres, profils des foyers et valeurs supprimés, comptes des résultats conservés)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="dire ce qui serait supprimé, sans rien changer")

    def handle(self, *args, dry_run=False, **options):
        mois = settings.RETENTION_REPONSES_MOIS
        bilans = retention.a_anonymiser(mois=mois) if dry_run else retention.appliquer(mois=mois)
        verbe = "à supprimer" if dry_run else "supprimés"
        for bilan in bilans:
            self.stdout.write(f"{bilan.charte} (conservation échue le {bilan.echue_le:%d/%m/%Y}) — {bilan} {verbe}")
        if not bilans:
            self.stdout.write(
                f"Aucune réponse à anonymiser (conservation : {mois} mois après la fin de chaque charte)."
            )
        elif dry_run:
            self.stdout.write(self.style.WARNING("Simulation (--dry-run) : rien n'a été modifié."))
        else:
            self.stdout.write(self.style.SUCCESS(f"{len(bilans)} questionnaire(s) anonymisé(s) ; résultats conservés."))
