"""/s/: guests join a prioritisation session with its code, without an account."""

from django.urls import path

from priorisation import views

urlpatterns = [
    path("", views.rejoindre, name="rejoindre"),
    path("<segment:code>/", views.voter_invite, name="voter_invite"),
]
