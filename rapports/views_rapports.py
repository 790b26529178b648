"""Reports: ask for one, follow its production by a worker, download the PDF, preview it as HTML."""

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify

from charte.convertisseurs import id_demande
from charte.decorators import permission_charte
from rapports.forms import DemandeRapportForm
from rapports.models import Rapport
from rapports.pdfs import html_du_rapport
from rapports.services import demander_rapport

PAR_PAGE = 30


def _rapport(request, pk):
    return get_object_or_404(
        Rapport.objects.filter(charte=request.charte).select_related("demande_par", "seance", "fiche"), pk=pk
    )


@permission_charte("rapports.voir")
def rapports(request, charte_slug):
    charte = request.charte
    peut_demander = request.user.has_perm("rapports.demander", charte)
    form = DemandeRapportForm(request.POST or None, charte=charte, initial=request.GET.dict())
    if request.method == "POST":
        if not peut_demander:
            raise PermissionDenied("Seuls le coordinateur et le référent demandent des rapports.")
        if form.is_valid():
            rapport = demander_rapport(charte, par=request.user, **form.cleaned_data)
            return redirect("rapports:rapport", charte_slug=charte.slug, pk=rapport.pk)
    liste = charte.rapports.select_related("demande_par", "seance", "fiche")
    page = Paginator(liste, PAR_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "rapports/rapports.html",
        {"charte": charte, "form": form, "page": page, "peut_demander": peut_demander},
    )


@permission_charte("rapports.voir")
def rapport(request, charte_slug, pk):
    return render(request, "rapports/rapport.html", {"charte": request.charte, "rapport": _rapport(request, pk)})


@permission_charte("rapports.voir")
def etat(request, charte_slug, pk):
    """The status block alone: the report page refreshes it every few seconds until the PDF is ready."""
    return render(request, "rapports/_etat.html", {"charte": request.charte, "rapport": _rapport(request, pk)})


@permission_charte("rapports.voir")
def telecharger(request, charte_slug, pk):
    rapport = _rapport(request, pk)
    if rapport.statut != Rapport.Statut.PRET:
        raise Http404("Ce rapport n'est pas (encore) disponible.")
    nom = f"{slugify(rapport.get_type_display())}-{slugify(request.charte.territoire.nom)}-{rapport.demande_le:%Y-%m-%d}.pdf"
    return FileResponse(rapport.fichier.open("rb"), content_type="application/pdf", filename=nom)


@permission_charte("rapports.voir")
def apercu(request, charte_slug, type):
    """The report as a web page, from the same context as its PDF (nothing is stored)."""
    if type not in Rapport.Type.values:
        raise Http404("Type de rapport inconnu.")
    charte = request.charte
    rapport = Rapport(charte=charte, type=type, demande_par=request.user)
    if id_demande(request, "seance") is not None:
        rapport.seance = get_object_or_404(charte.copils, pk=id_demande(request, "seance"))
    if type == Rapport.Type.FICHE:
        if id_demande(request, "fiche") is None:
            raise Http404("Précisez la fiche action.")
        rapport.fiche = get_object_or_404(charte.fiches, pk=id_demande(request, "fiche"))
    return HttpResponse(html_du_rapport(rapport))
