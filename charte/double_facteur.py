"""Two-factor authentication (django-otp): an authenticator app (TOTP) and ten single-use recovery codes.

Open to every user; required from coordinators when DEUX_FACTEURS_OBLIGATOIRE_COORDINATEURS is true.
The pages act only on request.user's own devices: no device is ever addressed by an id in a URL.
"""

import math
import time
from base64 import b32encode

import segno
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_credentials, get_lockout_response
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login, logout
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.signals import user_login_failed
from django.contrib.auth.views import LoginView, PasswordChangeView, redirect_to_login
from django.contrib.messages.views import SuccessMessageMixin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from charte.forms import ConnexionForm, FormulaireSansBalise
from charte.models import Membre

NB_CODES_DE_SECOURS = 10
# The login waiting for its second step, in the (still anonymous) session; the code must follow soon.
CONNEXION_EN_ATTENTE = "connexion_en_attente"
DELAI_SECONDE_ETAPE = 5 * 60
CODES_A_MONTRER = "codes_de_secours_a_montrer"

CODE_INCORRECT = (
    "Ce code n'est pas valable. Saisissez le code affiché en ce moment par votre application "
    "(il change toutes les 30 secondes) ; vérifiez que votre téléphone est à l'heure."
)
CODE_DE_SECOURS_INCORRECT = " Un code de secours ne sert qu'une fois."


# --- Devices of a user -------------------------------------------------------------------------


def est_active(utilisateur):
    """Whether the person has confirmed an authenticator app (their login then asks for a code)."""
    return TOTPDevice.objects.devices_for_user(utilisateur, confirmed=True).exists()


def appareil_a_confirmer(utilisateur):
    """The app being set up: the same secret until it is confirmed, so a reload does not void a scan."""
    appareil = TOTPDevice.objects.devices_for_user(utilisateur, confirmed=False).order_by("pk").first()
    return appareil or TOTPDevice.objects.create(user=utilisateur, name="Application", confirmed=False)


def qr_code(appareil):
    """The otpauth:// link as an SVG QR code, drawn here (no third party sees the secret)."""
    return segno.make(appareil.config_url, error="m").svg_data_uri(scale=5, border=2, dark="#212529")


def cle_lisible(appareil):
    """The secret in base 32, in blocks of four, for typing it into the app by hand."""
    cle = b32encode(appareil.bin_key).decode()
    return " ".join(cle[i : i + 4] for i in range(0, len(cle), 4))


def _nouveaux_codes_de_secours(utilisateur):
    StaticDevice.objects.filter(user=utilisateur).delete()
    appareil = StaticDevice.objects.create(user=utilisateur, name="Codes de secours")
    codes = [StaticToken.random_token() for _ in range(NB_CODES_DE_SECOURS)]
    StaticToken.objects.bulk_create(StaticToken(device=appareil, token=code) for code in codes)
    return codes


@transaction.atomic
def activer(appareil):
    """Confirm the app (its first code was checked) and return the ten recovery codes, shown once."""
    TOTPDevice.objects.filter(user=appareil.user).exclude(pk=appareil.pk).delete()
    appareil.confirmed = True
    appareil.save(update_fields=["confirmed"])
    return _nouveaux_codes_de_secours(appareil.user)


@transaction.atomic
def regenerer_codes_de_secours(utilisateur):
    return _nouveaux_codes_de_secours(utilisateur)


@transaction.atomic
def desactiver(utilisateur):
    TOTPDevice.objects.filter(user=utilisateur).delete()
    StaticDevice.objects.filter(user=utilisateur).delete()


def verifier_code(utilisateur, saisie, secours=True, appareils=None):
    """The device that accepts this code: the app's 6 digits or, if `secours`, a recovery code.

    Raises a French ValidationError: code "format" (not even shaped like a code), "patienter" (django-otp's
    back-off after failures) or "incorrect" (a wrong guess — the only kind counted against the account).
    """
    code = "".join(saisie.split()).replace("-", "").lower()
    if code.isascii() and code.isdigit() and len(code) == 6:
        if appareils is None:
            appareils = TOTPDevice.objects.devices_for_user(utilisateur, confirmed=True)
    elif secours and len(code) == 8:
        appareils = StaticDevice.objects.devices_for_user(utilisateur, confirmed=True)
    else:
        raise ValidationError(
            "Saisissez les 6 chiffres affichés par votre application"
            + (", ou l'un de vos codes de secours (8 caractères)." if secours else "."),
            code="format",
        )
    # Locked rows: two tabs sending the same code cannot both use it. The failure counter of the
    # back-off must be saved, so the error is raised once the transaction is over.
    with transaction.atomic():
        appareils = list(appareils.select_for_update())
        attente = max((_secondes_a_attendre(a) for a in appareils), default=0)
        accepte = None if attente else next((a for a in appareils if a.verify_token(code)), None)
    if attente:
        raise ValidationError(
            f"Trop de codes erronés d'affilée : patientez {attente} secondes avant de réessayer.", code="patienter"
        )
    if accepte is None:
        raise ValidationError(CODE_INCORRECT + (CODE_DE_SECOURS_INCORRECT if secours else ""), code="incorrect")
    return accepte


def _secondes_a_attendre(appareil):
    autorise, details = appareil.verify_is_allowed()
    if autorise:
        return 0
    return max(1, math.ceil((details["locked_until"] - timezone.now()).total_seconds()))


# --- Forms ---------------------------------------------------------------------------------------


class CodeForm(FormulaireSansBalise):
    code = forms.CharField(
        label="Code de vérification",
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}),
    )

    def __init__(self, *args, utilisateur, secours=True, appareils=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.utilisateur, self.secours, self.appareils = utilisateur, secours, appareils
        self.appareil = None
        if secours:
            self.fields["code"].help_text = "Les 6 chiffres de votre application, ou l'un de vos codes de secours."
        else:
            self.fields["code"].widget.attrs["inputmode"] = "numeric"

    def clean_code(self):
        self.appareil = verifier_code(self.utilisateur, self.cleaned_data["code"], self.secours, self.appareils)
        return self.cleaned_data["code"]

    def est_un_essai_rate(self):
        return self.has_error("code", "incorrect")


class DesactivationForm(FormulaireSansBalise):
    preuve = forms.CharField(
        label="Code de votre application ou mot de passe",
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
        help_text="Les 6 chiffres affichés par votre application, un code de secours, ou votre mot de passe.",
    )

    def __init__(self, *args, utilisateur, **kwargs):
        super().__init__(*args, **kwargs)
        self.utilisateur = utilisateur

    def clean_preuve(self):
        preuve = self.cleaned_data["preuve"]
        if self.utilisateur.check_password(preuve):
            return preuve
        try:
            verifier_code(self.utilisateur, preuve)
        except ValidationError as erreur:
            # A mistyped password is shaped like nothing: say what is expected, counted as a wrong guess.
            if erreur.code == "patienter":
                raise
            raise ValidationError(
                "Ni un code valable ni votre mot de passe. Le mot de passe tient compte des majuscules.",
                code="incorrect",
            ) from None
        return preuve

    def est_un_essai_rate(self):
        return self.has_error("preuve", "incorrect")


# --- Lock-out: a wrong code or password counts as a failed login for django-axes -----------------


def _bloque(request, identifiant):
    """The lock-out page if this account is locked from this address (after 5 failures), else None."""
    identifiants = get_credentials(identifiant)
    if AxesProxyHandler.is_allowed(request, identifiants):
        return None
    return get_lockout_response(request, None, identifiants)


def _compter_l_echec(request, identifiant):
    # Axes records it; on the fifth failure it marks the request and its middleware answers with the lock-out page.
    user_login_failed.send(sender=__name__, credentials=get_credentials(identifiant), request=request)
    return getattr(request, "axes_locked_out", False)


# --- Login in two steps -------------------------------------------------------------------------


class ConnexionView(LoginView):
    """Username (or e-mail) and password; a person with an authenticator app then gives a code."""

    template_name = "comptes/connexion.html"
    authentication_form = ConnexionForm

    def form_valid(self, form):
        utilisateur = form.get_user()
        if not est_active(utilisateur):
            return super().form_valid(form)
        self.request.session[CONNEXION_EN_ATTENTE] = {
            "id": utilisateur.pk,
            "backend": utilisateur.backend,
            "identifiant": form.cleaned_data["username"],
            "suite": self.get_success_url(),
            "depuis": time.time(),
        }
        return redirect("comptes:code")


@login_not_required
def connexion_de_l_administration(request, extra_context=None):
    """Replaces the admin's own login form, which would let a password alone in (no second step)."""
    return redirect_to_login(request.GET.get("next") or reverse("admin:index"))


def _connexion_en_attente(request):
    """(the waiting login, its user) if the password was right less than 5 minutes ago, else (None, None)."""
    attente = request.session.get(CONNEXION_EN_ATTENTE)
    if attente is None or time.time() - attente["depuis"] > DELAI_SECONDE_ETAPE:
        return None, None
    utilisateur = get_user_model()._default_manager.filter(pk=attente["id"], is_active=True).first()
    return (attente, utilisateur) if utilisateur else (None, None)


@never_cache
@login_not_required
@sensitive_post_parameters("code")
def code_de_connexion(request):
    attente, utilisateur = _connexion_en_attente(request)
    if utilisateur is None:
        request.session.pop(CONNEXION_EN_ATTENTE, None)
        messages.info(request, "Saisissez à nouveau votre identifiant et votre mot de passe.")
        return redirect("comptes:connexion")
    form = CodeForm(request.POST or None, utilisateur=utilisateur)
    if request.method == "POST":
        if bloque := _bloque(request, attente["identifiant"]):
            del request.session[CONNEXION_EN_ATTENTE]
            return bloque
        if form.is_valid():
            del request.session[CONNEXION_EN_ATTENTE]
            login(request, utilisateur, backend=attente["backend"])
            otp_login(request, form.appareil)
            return redirect(attente["suite"])
        if form.est_un_essai_rate() and _compter_l_echec(request, attente["identifiant"]):
            del request.session[CONNEXION_EN_ATTENTE]
    return render(request, "comptes/code.html", {"form": form})


# --- The "Sécurité du compte" pages (request.user's own devices only) ---------------------------


def securite(request):
    appareil = TOTPDevice.objects.devices_for_user(request.user, confirmed=True).first()
    codes_restants = StaticToken.objects.filter(device__user=request.user).count() if appareil else 0
    return render(request, "comptes/securite.html", {"appareil": appareil, "codes_restants": codes_restants})


@never_cache
def activer_double_facteur(request):
    if est_active(request.user):
        return redirect("comptes:securite")
    appareil = appareil_a_confirmer(request.user)
    form = CodeForm(request.POST or None, utilisateur=request.user, secours=False, appareils=_le_seul(appareil))
    if form.is_valid():
        request.session[CODES_A_MONTRER] = activer(form.appareil)
        otp_login(request, form.appareil)
        request.session.cycle_key()  # more rights for this session: a new key, as at login
        messages.success(request, "La double authentification est activée.")
        return redirect("comptes:codes_de_secours")
    contexte = {"form": form, "qr_code": qr_code(appareil), "cle": cle_lisible(appareil)}
    return render(request, "comptes/activer_double_facteur.html", contexte)


def _le_seul(appareil):
    return TOTPDevice.objects.filter(pk=appareil.pk)


@never_cache
def codes_de_secours(request):
    """The recovery codes just made, shown once: a reload finds them gone."""
    codes = request.session.pop(CODES_A_MONTRER, None)
    if not codes:
        return redirect("comptes:securite")
    return render(request, "comptes/codes_de_secours.html", {"codes": codes})


def _avec_preuve(request, form, action, gabarit):
    """Run `action` once `form` proves the person is the owner; wrong proofs count towards the lock-out."""
    if not est_active(request.user):
        return redirect("comptes:securite")
    if request.method == "POST":
        if bloque := _bloque(request, request.user.get_username()):
            return bloque
        if form.is_valid():
            return action()
        if form.est_un_essai_rate():
            _compter_l_echec(request, request.user.get_username())
    return render(request, gabarit, {"form": form})


@sensitive_post_parameters("preuve")
def desactiver_double_facteur(request):
    def action():
        desactiver(request.user)
        request.session.pop(DEVICE_ID_SESSION_KEY, None)
        messages.success(request, "La double authentification est désactivée : seul le mot de passe est demandé.")
        return redirect("comptes:securite")

    form = DesactivationForm(request.POST or None, utilisateur=request.user)
    return _avec_preuve(request, form, action, "comptes/desactiver_double_facteur.html")


@never_cache
def regenerer_codes(request):
    def action():
        request.session[CODES_A_MONTRER] = regenerer_codes_de_secours(request.user)
        messages.success(request, "Vos nouveaux codes de secours remplacent les anciens, qui ne servent plus.")
        return redirect("comptes:codes_de_secours")

    form = CodeForm(request.POST or None, utilisateur=request.user, secours=False)
    return _avec_preuve(request, form, action, "comptes/regenerer_codes.html")


class ChangementDeMotDePasse(SuccessMessageMixin, PasswordChangeView):
    """Django's view: it gives the session a new key and ends the person's other sessions."""

    template_name = "comptes/changer_mot_de_passe.html"
    success_url = reverse_lazy("comptes:securite")
    success_message = "Votre mot de passe est changé. Vos autres sessions ouvertes sont fermées."


# --- Coordinators: an invitation, or an obligation ----------------------------------------------


def est_coordinateur(utilisateur):
    return Membre.objects.filter(utilisateur=utilisateur, role=Membre.Role.COORDINATEUR).exists()


def invitation_a_activer(utilisateur):
    """For the charters list: "obligatoire", "conseillee" (coordinators, MSA agents) or None."""
    if utilisateur.is_verified() or est_active(utilisateur):
        return None
    if est_coordinateur(utilisateur):
        return "obligatoire" if settings.DEUX_FACTEURS_OBLIGATOIRE_COORDINATEURS else "conseillee"
    return "conseillee" if utilisateur.est_agent_msa else None


class DoubleFacteurObligatoireMiddleware:
    """With DEUX_FACTEURS_OBLIGATOIRE_COORDINATEURS, a coordinator opens no charter page without a code.

    After CharteMiddleware, so that a non-member still gets 404 first.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not settings.DEUX_FACTEURS_OBLIGATOIRE_COORDINATEURS or "charte_slug" not in view_kwargs:
            return None
        utilisateur = request.user
        if not utilisateur.is_authenticated or utilisateur.is_verified() or not est_coordinateur(utilisateur):
            return None
        if est_active(utilisateur):
            # A session opened before the app was set up elsewhere: it never gave a code.
            logout(request)
            messages.info(request, "Reconnectez-vous : votre compte demande maintenant un code de vérification.")
            return redirect_to_login(request.get_full_path())
        messages.warning(
            request, "La double authentification est obligatoire pour les coordinateurs : activez-la pour continuer."
        )
        return redirect("comptes:activer_double_facteur")
