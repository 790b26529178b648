from django.urls import path

from rapports import views

app_name = "rapports"

urlpatterns = [
    path("<slug:charte_slug>/", views.tableau_de_bord, name="tableau_de_bord"),
]
