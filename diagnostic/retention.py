"""Retention of the families' raw answers (RGPD, DESIGN.md): once a charter is over, only counts remain.

A charter ends with its last stage. RETENTION_REPONSES_MOIS months later, each of its surveys is
anonymised: every answer is first folded into the running counts (diagnostic/comptages.py), which
then are the survey's results; the answers' values (free text included) and the household profiles
are deleted. The answer rows stay as empty shells (date and channel), so that the number of
answers the pages and reports show does not change. What was done is written in the charter's
journal; a second run finds nothing left to do.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from charte.fraicheur import marquer_modifiee
from charte.models import Charte, Journal, ajouter_mois
from diagnostic.comptages import limite_repliable, replier
from diagnostic.models import Enquete, Reponse, Valeur
from territoires.models import Famille


def _n(nombre, nom, pluriel=None):
    """« 1 réponse », « 2 réponses »: French plural (0 and 1 take the singular)."""
    return f"{nombre} {nom if nombre < 2 else (pluriel or nom + 's')}"


@dataclass
class Anonymisation:
    """What the retention removes (or would remove) from one survey."""

    charte: Charte
    enquete: Enquete
    echue_le: object  # the date from which the answers could no longer be kept
    reponses: int
    valeurs: int
    textes: int
    familles: int

    def __str__(self):
        return (
            f"questionnaire « {self.enquete.titre} » ({_n(self.reponses, 'réponse')}) : "
            f"{_n(self.valeurs, 'valeur')} dont {_n(self.textes, 'texte libre', 'textes libres')}, "
            f"{_n(self.familles, 'profil de foyer', 'profils de foyer')}"
        )


def chartes_echues(aujourd_hui=None, mois=None):
    """(charter, date) of the charters whose end (last stage) + `mois` months is past, with that date."""
    aujourd_hui = aujourd_hui or timezone.localdate()
    mois = settings.RETENTION_REPONSES_MOIS if mois is None else mois
    chartes = Charte.objects.annotate(fin=Max("etapes__date_fin")).filter(fin__isnull=False).order_by("pk")
    return [(c, ajouter_mois(c.fin, mois)) for c in chartes if ajouter_mois(c.fin, mois) < aujourd_hui]


def _brutes(enquete, limite):
    """The answers up to `limite` that still hold something of a household."""
    return enquete.reponses.filter(pk__lte=limite).filter(
        Q(famille__isnull=False) | Q(saisie_par__isnull=False) | Q(valeurs__isnull=False)
    )


def _bilan(charte, enquete, echue_le, limite):
    valeurs = Valeur.objects.filter(reponse__enquete=enquete, reponse_id__lte=limite)
    return Anonymisation(
        charte=charte,
        enquete=enquete,
        echue_le=echue_le,
        reponses=_brutes(enquete, limite).distinct().count(),
        valeurs=valeurs.count(),
        textes=valeurs.exclude(texte="").count(),
        familles=Famille.objects.filter(reponse__enquete=enquete, reponse__pk__lte=limite).count(),
    )


def a_anonymiser(aujourd_hui=None, mois=None):
    """What the retention would remove today, survey by survey, without changing anything."""
    bilans = []
    for charte, echue_le in chartes_echues(aujourd_hui, mois):
        for enquete in charte.enquetes.order_by("pk"):
            limite = limite_repliable(enquete)
            if _brutes(enquete, limite).exists():
                bilans.append(_bilan(charte, enquete, echue_le, limite))
    return bilans


def appliquer(aujourd_hui=None, mois=None):
    """Anonymise the surveys of every charter past its retention date; returns what was removed."""
    mois = settings.RETENTION_REPONSES_MOIS if mois is None else mois
    faits = (anonymiser(prevu.enquete, prevu.echue_le, mois) for prevu in a_anonymiser(aujourd_hui, mois))
    return [fait for fait in faits if fait]


@transaction.atomic
def anonymiser(enquete, echue_le, mois):
    """Fold one survey's answers into its counts, then delete their values and household profiles."""
    enquete = Enquete.objects.select_for_update().select_related("charte").get(pk=enquete.pk)
    # No family may answer any more: an answer arriving later would be kept raw until the next run.
    close = enquete.statut == Enquete.Statut.PUBLIEE
    if close:
        enquete.statut = Enquete.Statut.CLOSE
        enquete.save(update_fields=["statut"])
    replier(enquete)
    enquete.refresh_from_db(fields=["comptee_jusqu_a"])
    limite = enquete.comptee_jusqu_a  # the counts hold exactly the answers up to here
    if not _brutes(enquete, limite).exists():
        return None
    fait = _bilan(enquete.charte, enquete, echue_le, limite)
    reponses = Reponse.objects.filter(enquete=enquete, pk__lte=limite)
    familles = list(reponses.exclude(famille=None).values_list("famille_id", flat=True))
    Valeur.objects.filter(reponse__in=reponses).delete()
    reponses.update(famille=None, saisie_par=None)
    Famille.objects.filter(pk__in=familles).delete()
    enquete.anonymisee_le = timezone.now()
    enquete.save(update_fields=["anonymisee_le"])
    # Not a change made through the pages: the charter's cached summaries must be told (charte/fraicheur.py).
    transaction.on_commit(lambda: marquer_modifiee(enquete.charte_id))
    Journal.noter(
        enquete.charte,
        None,
        f"Rétention des réponses ({mois} mois après la fin de la charte), {fait} supprimés"
        f"{' ; questionnaire clos' if close else ''}. Les résultats restent comptés.",
    )
    return fait
