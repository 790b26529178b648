"""Tenant resolution: every URL with a `charte_slug` gets its charter and membership here, once."""

from django.http import Http404

from charte.models import Charte
from charte.rules import membre_de


class CharteMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        slug = view_kwargs.get("charte_slug")
        if slug is None:
            return None
        charte = Charte.objects.select_related("territoire").filter(slug=slug).first()
        # A non-member learns nothing, not even that the charter exists.
        if charte is None or not request.user.has_perm("charte.voir", charte):
            raise Http404("Charte introuvable.")
        request.charte = charte
        # The real user object, not its lazy wrapper: has_perm above cached the membership on it.
        request.membre = membre_de(getattr(request.user, "_wrapped", request.user), charte)
        return None
