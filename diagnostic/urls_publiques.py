"""/e/<jeton>/: the public survey form, without an account."""

from django.urls import path

from diagnostic import views

urlpatterns = [
    path("<segment:jeton>/", views.questionnaire_public, name="questionnaire_public"),
    path("<segment:jeton>/merci/", views.questionnaire_merci, name="questionnaire_merci"),
]
