from django.urls import path

from plan_actions import views, views_synthese

app_name = "plan_actions"

urlpatterns = [
    path("", views.plan, name="plan"),
    path("nouvelle/", views.nouvelle_fiche, name="nouvelle_fiche"),
    path("<int:pk>/", views.fiche, name="fiche"),
    path("<int:pk>/modifier/", views.modifier_fiche, name="modifier_fiche"),
    path("<int:pk>/proposer/", views.proposer, name="proposer"),
    path("<int:pk>/valider/", views.valider, name="valider"),
    path("<int:pk>/renvoyer/", views.renvoyer, name="renvoyer"),
    path("<int:pk>/suivi/", views.suivi, name="suivi"),
    path("<int:pk>/commenter/", views.commenter, name="commenter"),
    path("<int:pk>/imprimer/", views.impression_fiche, name="impression_fiche"),
    path("<int:pk>/historique/", views.historique_fiche, name="historique_fiche"),
    path("financements/", views.financements, name="financements"),
    path("versions/", views.versions, name="versions"),
    path("versions/<int:pk>/", views.comparer, name="comparer"),
    path("signer/", views.signer, name="signer"),
    path("calendrier/", views_synthese.calendrier, name="calendrier"),
    path("budget/", views_synthese.budget, name="budget"),
    path("export.xlsx", views_synthese.export, name="export"),
]
