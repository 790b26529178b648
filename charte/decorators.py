from functools import wraps

from django.core.exceptions import PermissionDenied


def permission_charte(perm):
    """Let the view run only if the user holds `perm` on the request's charter (403 otherwise)."""

    def decorateur(vue):
        @wraps(vue)
        def vue_protegee(request, *args, **kwargs):
            if not request.user.has_perm(perm, request.charte):
                raise PermissionDenied("Votre rôle dans cette charte ne permet pas cette action.")
            return vue(request, *args, **kwargs)

        return vue_protegee

    return decorateur
