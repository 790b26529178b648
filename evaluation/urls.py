from django.urls import path

from evaluation import views, views_bilan

app_name = "evaluation"

urlpatterns = [
    path("", views.indicateurs, name="indicateurs"),
    path("indicateurs/nouveau/", views.nouvel_indicateur, name="nouvel_indicateur"),
    path("indicateurs/<int:pk>/", views.indicateur, name="indicateur"),
    path("indicateurs/<int:pk>/modifier/", views.modifier_indicateur, name="modifier_indicateur"),
    path("indicateurs/<int:pk>/mesurer/", views.mesurer, name="mesurer"),
    path("fiches/<int:pk>/grille/", views_bilan.grille, name="grille"),
    path("bilan/", views_bilan.bilan, name="bilan"),
    path("bilan/modifier/", views_bilan.modifier_bilan, name="modifier_bilan"),
    path("bilan/adopter/", views_bilan.adopter_bilan, name="adopter_bilan"),
    path("comparaison/", views_bilan.comparaison, name="comparaison"),
]
