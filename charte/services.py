"""Changes that span several models of the charter aggregate."""

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from charte.models import Charte, Etape, Invitation, Journal, Membre
from charte.taches import en_file


def slug_libre(base):
    """A slug derived from `base` that no charter uses yet."""
    racine = slugify(base)[:70] or "charte"
    slug, suffixe = racine, 2
    while Charte.objects.filter(slug=slug).exists():
        slug, suffixe = f"{racine}-{suffixe}", suffixe + 1
    return slug


@transaction.atomic
def creer_charte(*, territoire, nom, date_debut, par, organisation=None):
    """A new charter on a territory: its communes, its four dated stages, its creator as coordinator."""
    charte = Charte.objects.create(
        nom=nom, slug=slug_libre(territoire.nom), territoire=territoire, date_debut=date_debut, creee_par=par
    )
    charte.communes.set(territoire.communes.all())
    Etape.objects.bulk_create(Etape.depuis_gabarit(charte))
    Membre.objects.create(charte=charte, utilisateur=par, role=Membre.Role.COORDINATEUR, organisation=organisation)
    Journal.noter(charte, par, f"Charte créée sur le territoire {territoire} (lancement le {date_debut:%d/%m/%Y})")
    return charte


class ConflitDeVersion(Exception):
    """Someone else saved the same object since the form was opened."""


@transaction.atomic
def enregistrer_calendrier(charte, etapes, par):
    """Save moved stage dates; an étape changed meanwhile by someone else aborts the whole save."""
    for etape in etapes:
        modifiees = Etape.objects.filter(pk=etape.pk, charte=charte, version=etape.version).update(
            date_debut=etape.date_debut,
            date_fin=etape.date_fin,
            echeance_jalon=etape.echeance_jalon,
            version=F("version") + 1,
        )
        if not modifiees:
            raise ConflitDeVersion(etape)
    Journal.noter(charte, par, "Calendrier des étapes modifié")


@transaction.atomic
def inviter(charte, *, email, role, organisation, par):
    """Create an invitation and have its e-mail sent once the transaction is committed."""
    from charte.tasks import envoyer_invitation

    # A new invitation replaces any pending one for the same address.
    Invitation.objects.en_attente().filter(charte=charte, email__iexact=email).update(annulee_le=timezone.now())
    invitation = Invitation.objects.create(
        charte=charte, email=email, role=role, organisation=organisation, invitee_par=par
    )
    Journal.noter(charte, par, f"{email} invité(e) comme {invitation.get_role_display()}")
    transaction.on_commit(lambda: en_file(envoyer_invitation, invitation.pk))
    return invitation
