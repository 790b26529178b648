from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Q

from charte import adhesions


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

    def get_user(self, user_id):
        """The session's account, kept in the cache between requests (charte.adhesions), checked on every one."""
        utilisateur = adhesions.compte(user_id, lambda: self.lire_compte(user_id))
        return utilisateur if self.user_can_authenticate(utilisateur) else None

    def lire_compte(self, user_id):
        try:
            return get_user_model()._default_manager.get(pk=user_id)
        except get_user_model().DoesNotExist:
            return None
