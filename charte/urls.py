"""Root URLconf: apps are included by name, so the project package imports no stage."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="charte:liste", permanent=False)),
    path("comptes/", include("charte.urls_comptes")),
    path("chartes/", include("charte.urls_chartes")),
    path("chartes/<slug:charte_slug>/diagnostic/", include("diagnostic.urls")),
    path("chartes/<slug:charte_slug>/priorisation/", include("priorisation.urls")),
    path("chartes/<slug:charte_slug>/plan/", include("plan_actions.urls")),
    path("chartes/<slug:charte_slug>/evaluation/", include("evaluation.urls")),
    path("chartes/", include("rapports.urls")),
    path("e/", include("diagnostic.urls_publiques")),
    path("s/", include("priorisation.urls_publiques")),
    path("admin/", admin.site.urls),
]

handler500 = "charte.erreurs.erreur_serveur"
