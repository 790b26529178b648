"""Where each indicator stands: its series, its latest value, its attainment, its next measurement due.

Indicators computed from the project's own data get their value here too (one small aggregate each,
once per charter), so pages, reports and reminders read every indicator the same way.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, Prefetch, Q, Sum, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from diagnostic.models import DonneeTerritoriale, Reponse
from evaluation.models import Indicateur, Mesure
from plan_actions.models import FicheAction, Financement

Calcul = Indicateur.Calcul
CENT = Decimal(100)


def pourcentage(part, total):
    return (CENT * part / total).quantize(Decimal("0.1")) if total else None


def valeurs_calculees(charte):
    """The value today of each indicator the application computes, for this charter."""
    repondants = Reponse.objects.filter(enquete__charte=charte).count()
    adoptees = FicheAction.STATUTS_DU_PLAN + [FicheAction.Statut.ABANDONNEE]
    fiches = charte.fiches.filter(statut__in=adoptees).aggregate(
        total=Count("pk"), realisees=Count("pk", filter=Q(statut=FicheAction.Statut.REALISEE))
    )
    financements = Financement.objects.filter(fiche__charte=charte, fiche__statut__in=FicheAction.STATUTS_DU_PLAN)
    argent = financements.aggregate(
        prevu=Sum("montant"), acquis=Sum("montant", filter=~Q(statut=Financement.Statut.SOLLICITE))
    )
    return {
        Calcul.REPONDANTS: Decimal(repondants),
        Calcul.FICHES_REALISEES: pourcentage(fiches["realisees"], fiches["total"]),
        Calcul.FINANCEMENT_ACQUIS: pourcentage(argent["acquis"] or 0, argent["prevu"] or 0),
        Calcul.COUVERTURE_PETITE_ENFANCE: couverture_petite_enfance(charte),
    }


def couverture_petite_enfance(charte):
    """The latest territory-wide « taux de couverture » figure the partners entered (CNAF definition)."""
    donnee = (
        DonneeTerritoriale.objects.filter(
            charte=charte, domaine="petite_enfance", commune__isnull=True, libelle__icontains="taux de couverture"
        )
        .order_by("-date", "-id")
        .first()
    )
    return donnee.valeur if donnee else None


@dataclass
class EtatIndicateur:
    indicateur: Indicateur
    mesures: list = field(default_factory=list)
    valeur: Decimal | None = None  # the latest value (measured or computed)
    taux: int | None = None  # attainment, in % from the baseline to the target
    prochaine: object = None  # date the next measurement is due
    en_retard: bool = False

    @property
    def derniere(self):
        return self.mesures[-1] if self.mesures else None

    @property
    def taux_borne(self):
        """Attainment kept between 0 and 100, for bars and averages (an overshoot does not hide a shortfall)."""
        return None if self.taux is None else max(0, min(100, self.taux))


def indicateurs_suivis(queryset, series=True):
    """Indicators with what their state needs, in a fixed number of queries.

    `series=False`: only each indicator's latest measurement is read (dashboards, reminders), not its series —
    at national scale, 100 indicators a charter measured for years.
    """
    mesures = Mesure.objects.order_by("date", "id")
    if not series:
        derniere = Window(RowNumber(), partition_by=F("indicateur_id"), order_by=[F("date").desc(), F("id").desc()])
        mesures = mesures.annotate(rang=derniere).filter(rang=1)
    return queryset.select_related("fiche", "responsable").prefetch_related(Prefetch("mesures", queryset=mesures))


def etats(indicateurs, charte, aujourd_hui=None, calculer=True):
    """The state of each indicator (prefetched with indicateurs_suivis); `calculer=False` skips computed values."""
    aujourd_hui = aujourd_hui or timezone.localdate()
    calcules = valeurs_calculees(charte) if calculer and any(i.calcul for i in indicateurs) else {}
    return [etat(indicateur, calcules, aujourd_hui) for indicateur in indicateurs]


def etat(indicateur, calcules, aujourd_hui):
    mesures = list(indicateur.mesures.all())
    derniere = mesures[-1] if mesures else None
    mesuree = derniere.valeur if derniere else None
    valeur = calcules.get(indicateur.calcul) if indicateur.calcul else mesuree
    prochaine = indicateur.prochaine_echeance(derniere)
    return EtatIndicateur(
        indicateur=indicateur,
        mesures=mesures,
        valeur=valeur,
        taux=indicateur.taux_atteinte(valeur) if indicateur.quantitatif else None,
        prochaine=prochaine,
        en_retard=prochaine is not None and prochaine < aujourd_hui,
    )


@dataclass
class Groupe:
    libelle: str
    etats: list = field(default_factory=list)

    @property
    def taux_moyen(self):
        taux = [e.taux_borne for e in self.etats if e.taux_borne is not None]
        return round(sum(taux) / len(taux)) if taux else None

    @property
    def nb_en_retard(self):
        return sum(e.en_retard for e in self.etats)


def par_priorite(etats_, priorites):
    """Indicators grouped by the priorities their fiche answers (a fiche answering two counts in both)."""
    groupes = {p.pk: Groupe(f"{p.rang}. {p.intitule}") for p in priorites}
    charte_entiere = Groupe("La charte dans son ensemble")
    for e in etats_:
        fiche = e.indicateur.fiche
        if fiche is None:
            charte_entiere.etats.append(e)
            continue
        for priorite in fiche.priorites.all():
            if priorite.pk in groupes:
                groupes[priorite.pk].etats.append(e)
    return [g for g in [*groupes.values(), charte_entiere] if g.etats]


def par_domaine(etats_, domaines):
    groupes = {code: Groupe(libelle) for code, libelle in domaines}
    charte_entiere = Groupe("La charte dans son ensemble")
    for e in etats_:
        fiche = e.indicateur.fiche
        (groupes[fiche.domaine] if fiche else charte_entiere).etats.append(e)
    return [g for g in [*groupes.values(), charte_entiere] if g.etats]
