"""Where a group of actions stands (a priority, or the whole plan): one set of rules for every page and report."""

from dataclasses import dataclass, field
from statistics import fmean

from plan_actions.models import ZERO, FicheAction, taux
from plan_actions.views_synthese import groupes_par_priorite

Statut = FicheAction.Statut


@dataclass
class BilanDesActions:
    """Progress and money count the plan as adopted (FicheAction.STATUTS_DU_PLAN), as the budget page does;
    the realised share counts abandoned actions too (adopted, then not realised), as the computed indicator does.
    """

    libelle: str
    fiches: list = field(default_factory=list)
    vide: str = ""
    priorite: object = None

    @property
    def du_plan(self):
        return [f for f in self.fiches if f.statut in FicheAction.STATUTS_DU_PLAN]

    @property
    def adoptees(self):
        return [f for f in self.fiches if f.statut in FicheAction.STATUTS_DU_PLAN or f.statut == Statut.ABANDONNEE]

    @property
    def par_statut(self):
        """(status label, count) of the statuses present, in the workflow's order."""
        nombres = {}
        for fiche in self.fiches:
            nombres[fiche.statut] = nombres.get(fiche.statut, 0) + 1
        return [(libelle, nombres[statut]) for statut, libelle in Statut.choices if statut in nombres]

    @property
    def nb_realisees(self):
        return sum(f.statut == Statut.REALISEE for f in self.fiches)

    @property
    def taux_realisation(self):
        return taux(self.nb_realisees, len(self.adoptees))

    @property
    def avancement_moyen(self):
        du_plan = self.du_plan
        return round(fmean(f.avancement for f in du_plan)) if du_plan else None

    def _somme(self, attribut):
        return sum((getattr(f, attribut) for f in self.du_plan), ZERO)

    @property
    def budget_prevu(self):
        return self._somme("budget_prevu")

    @property
    def budget_realise(self):
        return self._somme("budget_realise")

    @property
    def finance(self):
        return self._somme("finance")

    @property
    def finance_acquis(self):
        return self._somme("finance_acquis")

    @property
    def couverture(self):
        return taux(self.finance, self.budget_prevu)

    @property
    def couverture_acquise(self):
        return taux(self.finance_acquis, self.budget_prevu)


def bilans_par_priorite(fiches, priorites, classe=BilanDesActions):
    """One bilan per priority in rank order (empty ones too), then the fiches answering none (fiches: avec_totaux)."""
    priorites = list(priorites)
    # groupes_par_priorite keeps the priorities' order and puts the group without priority last.
    return [
        classe(groupe.libelle, groupe.fiches, groupe.vide, priorites[rang] if rang < len(priorites) else None)
        for rang, groupe in enumerate(groupes_par_priorite(fiches, priorites))
    ]
