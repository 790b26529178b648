"""/comptes/: login, logout, password reset and invitations."""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from charte import views
from charte.forms import ConnexionForm

app_name = "comptes"

urlpatterns = [
    path(
        "connexion/",
        auth_views.LoginView.as_view(template_name="comptes/connexion.html", authentication_form=ConnexionForm),
        name="connexion",
    ),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="deconnexion"),
    path(
        "mot-de-passe/oublie/",
        auth_views.PasswordResetView.as_view(
            template_name="comptes/reinitialisation.html",
            email_template_name="comptes/courriel_reinitialisation.txt",
            subject_template_name="comptes/sujet_reinitialisation.txt",
            success_url=reverse_lazy("comptes:reinitialisation_envoyee"),
        ),
        name="reinitialisation",
    ),
    path(
        "mot-de-passe/oublie/envoye/",
        auth_views.PasswordResetDoneView.as_view(template_name="comptes/reinitialisation_envoyee.html"),
        name="reinitialisation_envoyee",
    ),
    path(
        "mot-de-passe/nouveau/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="comptes/nouveau_mot_de_passe.html", success_url=reverse_lazy("comptes:mot_de_passe_change")
        ),
        name="nouveau_mot_de_passe",
    ),
    path(
        "mot-de-passe/change/",
        auth_views.PasswordResetCompleteView.as_view(template_name="comptes/mot_de_passe_change.html"),
        name="mot_de_passe_change",
    ),
    path("invitation/<str:jeton>/", views.accepter_invitation, name="invitation"),
]
