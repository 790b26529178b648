"""The project's URLs plus a minimal view: the ceiling of this machine through the same middleware stack."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.urls import include, path


@login_not_required
def minimal(request):
    return HttpResponse("ok")


urlpatterns = [
    path("bench/minimal/", minimal, name="bench_minimal"),
    path("", include("charte.urls")),
]
