from django.urls import path

from priorisation import views

app_name = "priorisation"

urlpatterns = [
    path("", views.seances, name="seances"),
    path("seances/nouvelle/", views.nouvelle_seance, name="nouvelle_seance"),
    path("seances/comparer/", views.comparer, name="comparer"),
    path("seances/<int:pk>/", views.seance, name="seance"),
    path("seances/<int:pk>/statut/", views.changer_statut, name="statut_seance"),
    path("seances/<int:pk>/poids/", views.poids_des_criteres, name="poids"),
    path("seances/<int:pk>/voter/", views.voter, name="voter"),
    path("seances/<int:pk>/resultats/", views.resultats, name="resultats"),
    path("seances/<int:pk>/decision/", views.decision, name="decision"),
    path("seances/<int:pk>/export.<str:format>", views.export, name="export"),
    path("seances/<int:pk>/impression/", views.impression, name="impression"),
]
