"""The evaluation grid of each action, the families' view before/after, the final assessment (to be written)."""

from django.http import HttpResponse

from charte.decorators import permission_charte


@permission_charte("evaluation.voir")
def grille(request, charte_slug, pk):
    return HttpResponse("À venir")


@permission_charte("evaluation.voir")
def bilan(request, charte_slug):
    return HttpResponse("À venir")


@permission_charte("evaluation.gerer")
def modifier_bilan(request, charte_slug):
    return HttpResponse("À venir")


@permission_charte("evaluation.gerer")
def adopter_bilan(request, charte_slug):
    return HttpResponse("À venir")


@permission_charte("evaluation.voir")
def comparaison(request, charte_slug):
    return HttpResponse("À venir")
