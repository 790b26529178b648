from django.urls import path

from charte import views, views_audit

app_name = "charte"

urlpatterns = [
    path("", views.liste, name="liste"),
    path("nouvelle/", views.nouvelle, name="nouvelle"),
    path("nouvelle/<segment:siren>/", views.nouvelle_sur_territoire, name="nouvelle_sur_territoire"),
    path("<slug:charte_slug>/calendrier/", views.calendrier, name="calendrier"),
    path("<slug:charte_slug>/etapes/<int:numero>/jalon/", views.jalon, name="jalon"),
    path("<slug:charte_slug>/etapes/<int:numero>/jalon/annuler/", views.annuler_jalon, name="annuler_jalon"),
    path("<slug:charte_slug>/etapes/<int:numero>/jalon/cosigner/", views.cosigner_jalon, name="cosigner_jalon"),
    path("<slug:charte_slug>/membres/", views.membres, name="membres"),
    path("<slug:charte_slug>/membres/inviter/", views.inviter_membre, name="inviter"),
    path("<slug:charte_slug>/membres/<int:pk>/modifier/", views.modifier_membre, name="modifier_membre"),
    path("<slug:charte_slug>/membres/<int:pk>/retirer/", views.retirer_membre, name="retirer_membre"),
    path("<slug:charte_slug>/invitations/<int:pk>/annuler/", views.annuler_invitation, name="annuler_invitation"),
    path("<slug:charte_slug>/territoire/", views.territoire, name="territoire"),
    path("<slug:charte_slug>/journal/", views.journal, name="journal"),
    path("<slug:charte_slug>/journal/audit/", views_audit.journal_d_audit, name="audit"),
]
