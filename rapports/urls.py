from django.urls import path

from rapports import views, views_copil, views_rapports, views_sauvegarde

app_name = "rapports"

urlpatterns = [
    path("<slug:charte_slug>/", views.tableau_de_bord, name="tableau_de_bord"),
    path("<slug:charte_slug>/copil/", views_copil.copils, name="copils"),
    path("<slug:charte_slug>/copil/nouveau/", views_copil.nouveau_copil, name="nouveau_copil"),
    path("<slug:charte_slug>/copil/decisions/", views_copil.decisions, name="decisions"),
    path("<slug:charte_slug>/copil/<int:pk>/", views_copil.copil, name="copil"),
    path("<slug:charte_slug>/copil/<int:pk>/modifier/", views_copil.modifier_copil, name="modifier_copil"),
    path("<slug:charte_slug>/rapports/", views_rapports.rapports, name="rapports"),
    path("<slug:charte_slug>/rapports/apercu/<str:type>/", views_rapports.apercu, name="apercu"),
    path("<slug:charte_slug>/rapports/<int:pk>/", views_rapports.rapport, name="rapport"),
    path("<slug:charte_slug>/rapports/<int:pk>/etat/", views_rapports.etat, name="etat_rapport"),
    path("<slug:charte_slug>/rapports/<int:pk>/pdf/", views_rapports.telecharger, name="telecharger"),
    path("<slug:charte_slug>/sauvegarde/", views_sauvegarde.sauvegarde, name="sauvegarde"),
]
