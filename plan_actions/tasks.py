from celery import shared_task
from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from charte.models import Membre
from plan_actions.models import Commentaire


def destinataires(fiche, sauf=None):
    """Who hears about a fiche: its named person, its pilot's members, the référents and the coordinators."""
    membres = fiche.charte.membres.select_related("utilisateur").exclude(role=Membre.Role.OBSERVATEUR)
    personnes = {
        m.utilisateur for m in membres if m.role != Membre.Role.PARTENAIRE or m.organisation_id == fiche.pilote_id
    }
    if fiche.responsable:
        personnes.add(fiche.responsable)
    return sorted({p.email for p in personnes if p.email and p != sauf})


@shared_task(autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def notifier_commentaire(commentaire_pk):
    """E-mail a new comment to the people concerned by the fiche (once, even if the task runs twice)."""
    with transaction.atomic():
        commentaire = (
            Commentaire.objects.select_for_update(of=("self",))
            .select_related("fiche__charte", "fiche__responsable", "auteur")
            .filter(pk=commentaire_pk, notifie_le__isnull=True)
            .first()
        )
        if commentaire is None:
            return
        fiche = commentaire.fiche
        a_qui = destinataires(fiche, sauf=commentaire.auteur)
        if a_qui:
            lien = settings.SITE_URL + reverse("plan_actions:fiche", args=[fiche.charte.slug, fiche.pk])
            sujet = f"[{fiche.charte.territoire}] Commentaire sur la fiche n° {fiche.numero} « {fiche.titre} »"
            texte = render_to_string(
                "plan_actions/courriel_commentaire.txt", {"commentaire": commentaire, "fiche": fiche, "lien": lien}
            )
            # One message per person: nobody sees the others' addresses.
            send_mass_mail([(sujet, texte, None, [adresse]) for adresse in a_qui])
        commentaire.notifie_le = timezone.now()
        commentaire.save(update_fields=["notifie_le"])
