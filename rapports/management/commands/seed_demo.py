from django.core.management.base import BaseCommand
from django.db import transaction

from charte.demo import COMPTES, MOT_DE_PASSE_DEMO, creer_demo_socle
from diagnostic.demo import creer_demo_diagnostic, creer_demo_synthese
from evaluation.demo import creer_demo_indicateurs
from evaluation.demo_satisfaction import creer_demo_satisfaction
from plan_actions.demo import creer_demo_plan
from priorisation.demo import creer_demo_priorisation
from rapports.demo import creer_demo_copil


class Command(BaseCommand):
    help = "Crée (ou remet à jour) les données de démonstration : deux chartes et leurs comptes."

    @transaction.atomic
    def handle(self, *args, **options):
        chartes = creer_demo_socle()
        aire_argonne = chartes[0]
        creer_demo_diagnostic(aire_argonne, aire_argonne.creee_par)
        creer_demo_synthese(aire_argonne, aire_argonne.creee_par)
        creer_demo_priorisation(aire_argonne, aire_argonne.creee_par)
        creer_demo_plan(aire_argonne, aire_argonne.creee_par)
        creer_demo_copil(aire_argonne, aire_argonne.creee_par)
        creer_demo_indicateurs(aire_argonne, aire_argonne.creee_par)
        creer_demo_satisfaction(aire_argonne, aire_argonne.creee_par)
        for charte in chartes:
            self.stdout.write(f"Charte : {charte} — /chartes/{charte.slug}/")
        self.stdout.write(
            self.style.SUCCESS(
                f"Comptes de démonstration (mot de passe « {MOT_DE_PASSE_DEMO} », démonstration seulement) : "
                + ", ".join(COMPTES)
            )
        )
