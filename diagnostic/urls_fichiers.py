"""Survey files: exports, import of answers typed elsewhere, QR code of the public link."""

from django.urls import path

from diagnostic import views_fichiers

urlpatterns = [
    path("enquetes/<int:pk>/export/reponses.<str:format>", views_fichiers.export_reponses, name="export_reponses"),
    path("enquetes/<int:pk>/export/resultats.<str:format>", views_fichiers.export_resultats, name="export_resultats"),
    path("enquetes/<int:pk>/import/", views_fichiers.importer, name="importer"),
    path("enquetes/<int:pk>/import/modele.<str:format>", views_fichiers.modele_import, name="modele_import"),
    path("enquetes/<int:pk>/qr.<str:format>", views_fichiers.qr_code, name="qr_code"),
]
