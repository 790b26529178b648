from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Q


class IdentifiantOuCourrielBackend(ModelBackend):
    """Log in with the username or the e-mail address (invited people know only their e-mail)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or password is None:
            return None
        modele = get_user_model()
        candidats = list(modele._default_manager.filter(Q(username__iexact=username) | Q(email__iexact=username))[:2])
        # An e-mail shared by two accounts is ambiguous: only the exact username then works.
        utilisateur = next((u for u in candidats if u.username == username), None) or (
            candidats[0] if len(candidats) == 1 else None
        )
        if utilisateur is None:
            modele().set_password(password)  # same time spent as for a real account
            return None
        if utilisateur.check_password(password) and self.user_can_authenticate(utilisateur):
            return utilisateur
        return None
