"""Reminders of measurements due: each person responsible gets one e-mail listing what is awaited."""

from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mass_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from charte.models import Membre
from evaluation.models import Indicateur
from evaluation.suivi import etat, indicateurs_suivis

# A reminder is not repeated within this delay, however often the task runs.
DELAI_ENTRE_RAPPELS = timedelta(days=7)
SAISIE = (Membre.Role.COORDINATEUR, Membre.Role.REFERENT, Membre.Role.PARTENAIRE)


def mesures_attendues(aujourd_hui):
    """Entered indicators whose next measurement is overdue and not recalled lately, per charter."""
    recent = aujourd_hui - DELAI_ENTRE_RAPPELS
    candidats = indicateurs_suivis(
        Indicateur.objects.filter(calcul="").exclude(rappel_envoye_le__gt=recent).select_related("charte"), series=False
    )
    for indicateur in candidats:
        suivi = etat(indicateur, {}, aujourd_hui)
        if suivi.en_retard:
            yield suivi


def destinataires(indicateur, membres):
    """The responsible organisation's members (the coordinators when no organisation is named)."""
    if indicateur.responsable_id is None:
        return [m.utilisateur for m in membres if m.role == Membre.Role.COORDINATEUR]
    return [m.utilisateur for m in membres if m.organisation_id == indicateur.responsable_id]


def envoyer_rappels(aujourd_hui=None):
    """E-mail everyone their overdue measurements; returns the number of e-mails sent."""
    aujourd_hui = aujourd_hui or timezone.localdate()
    attendues = list(mesures_attendues(aujourd_hui))
    chartes = {s.indicateur.charte_id for s in attendues}
    membres = defaultdict(list)
    for membre in Membre.objects.filter(charte__in=chartes, role__in=SAISIE).select_related("utilisateur"):
        membres[membre.charte_id].append(membre)
    par_personne = defaultdict(list)
    for suivi in attendues:
        for personne in destinataires(suivi.indicateur, membres[suivi.indicateur.charte_id]):
            if personne.email:
                par_personne[personne].append(suivi)
    messages = [courriel(personne, suivis) for personne, suivis in par_personne.items()]
    send_mass_mail(messages)
    Indicateur.objects.filter(pk__in=[s.indicateur.pk for s in attendues]).update(rappel_envoye_le=aujourd_hui)
    return len(messages)


def courriel(personne, suivis):
    lignes = [
        (s, settings.SITE_URL + reverse("evaluation:indicateur", args=[s.indicateur.charte.slug, s.indicateur.pk]))
        for s in sorted(suivis, key=lambda s: (s.indicateur.charte.nom, s.prochaine))
    ]
    texte = render_to_string("evaluation/courriel_rappel.txt", {"personne": personne, "lignes": lignes})
    nb = len(suivis)
    sujet = f"{nb} mesure{'s' if nb > 1 else ''} d'indicateur{'s' if nb > 1 else ''} à saisir"
    return (sujet, texte, None, [personne.email])
