from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from charte.models import Invitation


@shared_task(autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def envoyer_invitation(invitation_pk):
    """Send the invitation e-mail; a vanished or already used invitation sends nothing."""
    invitation = (
        Invitation.objects.select_related("charte", "invitee_par", "organisation").filter(pk=invitation_pk).first()
    )
    # A second run of the same task (redelivery) must not send a second e-mail.
    if invitation is None or not invitation.utilisable or invitation.envoyee_le:
        return
    lien = settings.SITE_URL + reverse("comptes:invitation", args=[invitation.jeton])
    contexte = {"invitation": invitation, "lien": lien}
    send_mail(
        subject=f"Invitation à la charte « {invitation.charte} »",
        message=render_to_string("comptes/courriel_invitation.txt", contexte),
        from_email=None,
        recipient_list=[invitation.email],
    )
    Invitation.objects.filter(pk=invitation.pk).update(envoyee_le=timezone.now())
