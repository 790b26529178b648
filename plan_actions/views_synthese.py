"""Views of the whole plan: Gantt calendar, budget tables and charts, spreadsheet export."""

from django.http import HttpResponse

from charte.decorators import permission_charte


@permission_charte("plan_actions.voir")
def calendrier(request, charte_slug):
    return HttpResponse("À venir")


@permission_charte("plan_actions.voir")
def budget(request, charte_slug):
    return HttpResponse("À venir")


@permission_charte("plan_actions.voir")
def export(request, charte_slug):
    return HttpResponse("À venir")
