"""Territory figures and interviews, under /chartes/<charte_slug>/diagnostic/ (included by diagnostic.urls)."""

from django.urls import path

from diagnostic import views_territoire as vues

urlpatterns = [
    path("donnees/", vues.donnees, name="donnees"),
    path("donnees/nouvelle/", vues.nouvelle_donnee, name="nouvelle_donnee"),
    path("donnees/<int:pk>/modifier/", vues.modifier_donnee, name="modifier_donnee"),
    path("donnees/<int:pk>/supprimer/", vues.supprimer_donnee, name="supprimer_donnee"),
    path("entretiens/", vues.entretiens, name="entretiens"),
    path("entretiens/nouveau/", vues.nouvel_entretien, name="nouvel_entretien"),
    path("entretiens/<int:pk>/modifier/", vues.modifier_entretien, name="modifier_entretien"),
    path("entretiens/<int:pk>/supprimer/", vues.supprimer_entretien, name="supprimer_entretien"),
]
