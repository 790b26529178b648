"""/comptes/: login (with its second step), logout, password reset, invitations and account security."""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from charte import double_facteur, views

app_name = "comptes"

urlpatterns = [
    path("connexion/", double_facteur.ConnexionView.as_view(), name="connexion"),
    path("connexion/code/", double_facteur.code_de_connexion, name="code"),
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
    path("invitation/<segment:jeton>/", views.accepter_invitation, name="invitation"),
    path("securite/", double_facteur.securite, name="securite"),
    path("securite/activer/", double_facteur.activer_double_facteur, name="activer_double_facteur"),
    path("securite/codes-de-secours/", double_facteur.codes_de_secours, name="codes_de_secours"),
    path("securite/nouveaux-codes/", double_facteur.regenerer_codes, name="regenerer_codes"),
    path("securite/desactiver/", double_facteur.desactiver_double_facteur, name="desactiver_double_facteur"),
    path("securite/mot-de-passe/", double_facteur.ChangementDeMotDePasse.as_view(), name="changer_mot_de_passe"),
]
