"""Survey files over HTTP: exports (raw answers, results), import of answers, QR code of the public link."""

from django import forms
from django.contrib import messages
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from charte.decorators import permission_charte
from diagnostic import fichiers
from diagnostic.filtres import ReponseFilter
from diagnostic.models import Enquete
from diagnostic.resultats import resultats
from diagnostic.views import questions_ordonnees, questions_visibles, reponses_filtrees

TABLEURS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
IMAGES = {"png": "image/png", "svg": "image/svg+xml"}
# Rows fetched per round trip: large surveys are exported without holding every answer in memory.
PAQUET = 2000
ERREURS_AFFICHEES = 300


def _enquete(request, pk):
    return get_object_or_404(Enquete.objects.de(request.charte), pk=pk)


def format_accepte(format, formats):
    if format not in formats:
        raise Http404("Format de fichier inconnu.")
    return format


def _telechargement(contenu, type_mime, nom):
    disposition = content_disposition_header(True, nom)
    return HttpResponse(contenu, content_type=type_mime, headers={"Content-Disposition": disposition})


def reponse_tableur(entetes, lignes, format, nom, feuille):
    if format == "xlsx":
        contenu = fichiers.ecrire_xlsx(entetes, lignes, feuille)
    else:
        contenu = fichiers.ecrire_csv(entetes, lignes)
    return _telechargement(contenu, TABLEURS[format], f"{nom}.{format}")


def _nom(enquete, suffixe):
    return f"{slugify(enquete.titre) or 'questionnaire'}-{suffixe}"


@permission_charte("diagnostic.voir_tout")  # raw answers hold the families' own words
def export_reponses(request, charte_slug, pk, format):
    format_accepte(format, TABLEURS)
    enquete = _enquete(request, pk)
    colonnes = fichiers.colonnes(questions_ordonnees(enquete))
    reponses = (
        enquete.reponses.select_related("famille__commune")
        .prefetch_related("valeurs")
        .order_by("soumise_le", "pk")
        .iterator(chunk_size=PAQUET)
    )
    lignes = (fichiers.ligne_export(reponse, colonnes) for reponse in reponses)
    return reponse_tableur([c.entete for c in colonnes], lignes, format, _nom(enquete, "reponses"), "Réponses")


@permission_charte("diagnostic.voir")
def export_resultats(request, charte_slug, pk, format):
    format_accepte(format, TABLEURS)
    enquete = _enquete(request, pk)
    filtre = ReponseFilter(request.GET or None, queryset=enquete.reponses.all(), charte=request.charte)
    # Same path as the results page: without a filter, the figures come from the running counts.
    liste = resultats(questions_visibles(request, enquete), reponses_filtrees(filtre), enquete=enquete)
    lignes = fichiers.lignes_resultats(liste)
    return reponse_tableur(fichiers.ENTETES_RESULTATS, lignes, format, _nom(enquete, "resultats"), "Résultats")


@permission_charte("diagnostic.gerer")
def modele_import(request, charte_slug, pk, format):
    format_accepte(format, TABLEURS)
    enquete = _enquete(request, pk)
    entetes = [c.entete for c in fichiers.colonnes_du_modele(questions_ordonnees(enquete))]
    return reponse_tableur(entetes, [], format, _nom(enquete, "modele-import"), "Réponses")


@permission_charte("diagnostic.voir")
def qr_code(request, charte_slug, pk, format):
    format_accepte(format, IMAGES)
    enquete = _enquete(request, pk)
    lien = request.build_absolute_uri(reverse("questionnaire_public", args=[enquete.jeton]))
    return _telechargement(fichiers.qr_code(lien, format), IMAGES[format], f"{_nom(enquete, 'qr-code')}.{format}")


class ImportForm(forms.Form):
    fichier = forms.FileField(label="Fichier de réponses (.csv ou .xlsx)")

    def __init__(self, *args, taille_refusee=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.taille_refusee = taille_refusee
        if taille_refusee:  # stopped on its way (LimiteDeTaille): clean_fichier says why, not « obligatoire »
            self.fields["fichier"].required = False

    def clean_fichier(self):
        fichier = self.cleaned_data["fichier"]
        if fichier and not fichier.name.lower().endswith(fichiers.EXTENSIONS):
            raise forms.ValidationError("Envoyez un fichier .csv ou .xlsx (classeur Excel).")
        taille = self.taille_refusee or fichier.size
        if taille > fichiers.TAILLE_MAX:
            mega_octets = f"{taille / 1024 / 1024:.1f}".replace(".", ",")
            raise forms.ValidationError(
                f"Ce fichier pèse {mega_octets} Mo : la limite est de 5 Mo. Découpez-le en plusieurs fichiers."
            )
        return fichier


class LimiteDeTaille(FileUploadHandler):
    """Stops receiving a file once it passes TAILLE_MAX: a huge upload is never kept whole, in memory or on disk."""

    depassee = False

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > fichiers.TAILLE_MAX:
            self.depassee = True
            raise StopUpload(connection_reset=False)  # the rest of the request is read and thrown away
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handlers store the file

    def taille_refusee(self):
        """The size of the refused upload (the request's, within a few hundred bytes), or None."""
        return int(self.request.META.get("CONTENT_LENGTH") or 0) if self.depassee else None


# Exempt here, checked below: the CSRF check reads the request's body, the size limit must come first.
@csrf_exempt
@permission_charte("diagnostic.gerer")
def importer(request, charte_slug, pk):
    limite = LimiteDeTaille(request)
    request.upload_handlers.insert(0, limite)
    return _importer(request, charte_slug, pk, limite)


@csrf_protect
def _importer(request, charte_slug, pk, limite):
    enquete = _enquete(request, pk)
    questions = list(questions_ordonnees(enquete))
    form = ImportForm()
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES, taille_refusee=limite.taille_refusee())
    analyse = fichiers.Analyse()
    if form.is_valid():
        analyse = _analyser(form, enquete, questions)
        for remarque in analyse.remarques:
            messages.info(request, remarque)
        fichier_lisible = not form.errors  # an unreadable file became an error of the form
        if fichier_lisible and not analyse.erreurs:
            nouvelles, deja = fichiers.enregistrer_import(enquete, analyse.lignes, par=request.user)
            messages.success(request, _bilan(nouvelles, deja))
            return redirect("diagnostic:enquete", charte_slug=charte_slug, pk=enquete.pk)
    colonnes = [
        {"entete": c.entete, "explication": fichiers.explication(c), "obligatoire": c.obligatoire}
        for c in fichiers.colonnes_du_modele(questions)
    ]
    return render(
        request,
        "diagnostic/importer.html",
        {
            "charte": request.charte,
            "enquete": enquete,
            "form": form,
            "colonnes": colonnes,
            "erreurs": analyse.erreurs[:ERREURS_AFFICHEES],
            "nb_erreurs": len(analyse.erreurs),
            "lignes_en_erreur": analyse.lignes_en_erreur,
        },
    )


def _analyser(form, enquete, questions):
    """Validate the uploaded file; problems with the file itself become errors of the form."""
    fichier = form.cleaned_data["fichier"]
    communes = enquete.charte.communes.order_by("nom")
    try:
        return fichiers.analyser_import(enquete, questions, communes, fichier.name, fichier.read())
    except fichiers.FichierIllisible as probleme:
        form.add_error("fichier", probleme.messages)
        return fichiers.Analyse()


def _bilan(nouvelles, deja):
    def s(n):  # French plural: 0 and 1 take the singular
        return "s" if n >= 2 else ""

    return f"{nouvelles} réponse{s(nouvelles)} importée{s(nouvelles)}, {deja} déjà présente{s(deja)}."
