"""The steering committee's meetings and the charter's decision log (to be written)."""

from django.http import HttpResponse

from charte.decorators import permission_charte


@permission_charte("rapports.voir")
def copils(request, charte_slug):
    return HttpResponse("À venir")


@permission_charte("rapports.gerer_copil")
def nouveau_copil(request, charte_slug):
    return HttpResponse("À venir")


@permission_charte("rapports.voir")
def copil(request, charte_slug, pk):
    return HttpResponse("À venir")


@permission_charte("rapports.gerer_copil")
def modifier_copil(request, charte_slug, pk):
    return HttpResponse("À venir")


@permission_charte("rapports.voir")
def decisions(request, charte_slug):
    return HttpResponse("À venir")
