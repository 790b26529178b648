from django.urls import path

from diagnostic import urls_fichiers, urls_territoire, views, views_besoins

app_name = "diagnostic"

urlpatterns = [
    path("", views.enquetes, name="enquetes"),
    path("enquetes/nouvelle/", views.nouvelle_enquete, name="nouvelle_enquete"),
    path("enquetes/<int:pk>/", views.enquete, name="enquete"),
    path("enquetes/<int:pk>/parametres/", views.parametres, name="parametres"),
    path("enquetes/<int:pk>/statut/", views.changer_statut, name="statut"),
    path("enquetes/<int:pk>/sections/nouvelle/", views.nouvelle_section, name="nouvelle_section"),
    path(
        "enquetes/<int:pk>/sections/<int:section_pk>/questions/nouvelle/",
        views.nouvelle_question,
        name="nouvelle_question",
    ),
    path("enquetes/<int:pk>/saisie/", views.saisie_papier, name="saisie"),
    path("enquetes/<int:pk>/resultats/", views.resultats_enquete, name="resultats"),
    path("enquetes/<int:pk>/croisement/", views.croisement, name="croisement"),
    path("questions/<int:pk>/modifier/", views.modifier_question, name="modifier_question"),
    path("questions/<int:pk>/supprimer/", views.supprimer_question, name="supprimer_question"),
    path("questions/<int:pk>/deplacer/", views.deplacer, name="deplacer_question"),
    path("questions/<int:pk>/publication/", views.publier_resultat, name="publier_resultat"),
    path("besoins/", views_besoins.besoins, name="besoins"),
    path("besoins/nouveau/", views_besoins.nouveau_besoin, name="nouveau_besoin"),
    path("besoins/<int:pk>/modifier/", views_besoins.modifier_besoin, name="modifier_besoin"),
    path("besoins/<int:pk>/supprimer/", views_besoins.supprimer_besoin, name="supprimer_besoin"),
    path("besoins/soumettre/", views_besoins.soumettre_diagnostic, name="soumettre_diagnostic"),
]

# Survey files (exports, import, QR code) and territory data / interviews live in their own modules.
urlpatterns += urls_fichiers.urlpatterns + urls_territoire.urlpatterns
