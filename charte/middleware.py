"""Tenant resolution: every URL with a `charte_slug` gets its charter and membership here, once."""

from django.http import Http404

from charte import adhesions
from charte.audit import au_nom_de
from charte.fraicheur import marquer_modifiee
from charte.models import Charte
from charte.rules import compte_reel, membre_de, retenir_adhesion

METHODES_SANS_EFFET = {"GET", "HEAD", "OPTIONS"}


class CharteMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Whatever this request changes is signed by its user in the audit trail.
        with au_nom_de(request.user):
            reponse = self.get_response(request)
        charte = getattr(request, "charte", None)
        if charte is not None and request.method not in METHODES_SANS_EFFET:
            # After the view has committed: a summary computed meanwhile is stored under the old version.
            marquer_modifiee(charte.pk)
        return reponse

    def process_view(self, request, view_func, view_args, view_kwargs):
        slug = view_kwargs.get("charte_slug")
        if slug is None:
            return None
        request.user = compte_reel(request.user)  # it is needed anyway: the permission check reads it
        membre = self.adhesion(request.user, slug)
        charte = membre.charte if membre else Charte.objects.select_related("territoire").filter(slug=slug).first()
        # A non-member learns nothing, not even that the charter exists.
        if charte is None or not request.user.has_perm("charte.voir", charte):
            raise Http404("Charte introuvable.")
        request.charte = charte
        request.membre = membre_de(request.user, charte)
        return None

    @staticmethod
    def adhesion(user, slug):
        """The user's membership of the charter `slug`, read with the charter itself (one query for members)."""
        if not user.is_authenticated:
            return None
        membre = adhesions.lire(user, slug)
        if membre is not None:
            retenir_adhesion(user, membre.charte, membre)
        return membre
