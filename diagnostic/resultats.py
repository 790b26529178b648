"""Survey results, counted by the database (never by loading every answer into Python)."""

from dataclasses import dataclass, field

from django.db.models import Count, F, Window
from django.db.models.functions import RowNumber

from diagnostic.comptages import groupes_comptes, groupes_et_repondants
from diagnostic.models import Enquete, Question, Valeur

# The latest free texts shown per question; all of them are in the raw answers export. Beyond a few dozen the
# page is no longer read, only scrolled — and 200 a question made half of its rendering time.
TEXTES_AFFICHES = 50
CLASSES_HISTOGRAMME = 8


@dataclass
class Barre:
    libelle: str
    effectif: int
    total: int

    @property
    def pourcentage(self):
        return round(100 * self.effectif / self.total) if self.total else 0


@dataclass
class Resultat:
    question: Question
    repondants: int = 0
    barres: list = field(default_factory=list)
    grille: list = field(default_factory=list)  # (row label, [Barre per level], mean)
    textes: list = field(default_factory=list)  # free text, or the « autre » texts
    moyenne: float | None = None


def resultats(questions, reponses=None, enquete=None, avec_textes=True):
    """One Resultat per question, for the answers in `reponses` (a filtered queryset; None: all of
    `enquete`'s answers, read from the running counts); the families' own words only `avec_textes`
    (what every member reads, such as reports and comparisons, goes without them)."""
    questions = list(questions)
    valeurs = Valeur.objects.filter(question__in=questions)
    types = {q.pk: q.type for q in questions}
    if reponses is None:  # all the answers: the running counts say it in one small query
        enquete = enquete or (Enquete.objects.get(pk=questions[0].enquete_id) if questions else None)
        groupes, repondants = groupes_comptes(enquete, questions)
    else:
        valeurs = valeurs.filter(reponse__in=reponses.values("pk"))
        groupes, repondants = groupes_et_repondants(valeurs, questions)
    par_option, par_niveau, distribution_nombres = {}, {}, {}
    for q, o, v, n in groupes:
        if types[q] == Question.Type.NOMBRE:
            distribution_nombres.setdefault(q, []).append((v, n))
        elif types[q] in Question.TYPES_ECHELLE:
            par_niveau[(q, o, int(v))] = n
        if o is not None:
            par_option[(q, o)] = par_option.get((q, o), 0) + n
    textes = _textes_recents(valeurs) if avec_textes else {}

    sortie = []
    for question in questions:
        total = repondants.get(question.pk, 0)
        resultat = Resultat(question, repondants=total, textes=textes.get(question.pk, []))
        if question.a_des_options:
            resultat.barres = [
                Barre(o.libelle, par_option.get((question.pk, o.pk), 0), total) for o in question.options.all()
            ]
        elif question.type == Question.Type.ECHELLE:
            resultat.barres = [
                Barre(f"{v} — {question.libelle_echelle(v)}", par_niveau.get((question.pk, None, v), 0), total)
                for v in Question.ECHELLE
            ]
            resultat.moyenne = _moyenne(resultat.barres)
        elif question.est_grille:
            for option in question.options.all():
                barres = [
                    Barre(f"{v} — {question.libelle_echelle(v)}", par_niveau.get((question.pk, option.pk, v), 0), total)
                    for v in Question.ECHELLE
                ]
                resultat.grille.append((option.libelle, barres, _moyenne(barres)))
        elif question.type == Question.Type.NOMBRE and question.pk in distribution_nombres:
            distribution = distribution_nombres[question.pk]
            effectif = sum(n for _v, n in distribution)
            resultat.moyenne = round(float(sum(v * n for v, n in distribution)) / effectif, 1)
            valeurs_vues = [v for v, _n in distribution]
            resultat.barres = histogramme(distribution, min(valeurs_vues), max(valeurs_vues), total)
        sortie.append(resultat)
    return sortie


def _textes_recents(valeurs):
    """The latest free texts of each question: {question id: [text]}."""
    textes = {}
    # Latest first; answer ids grow with time, so no join on the answers' dates is needed.
    recents = valeurs.exclude(texte="").annotate(
        rang=Window(RowNumber(), partition_by=F("question"), order_by=F("reponse_id").desc())
    )
    for q, texte in recents.filter(rang__lte=TEXTES_AFFICHES).values_list("question", "texte"):
        textes.setdefault(q, []).append(texte)
    return textes


def _moyenne(barres):
    effectif = sum(b.effectif for b in barres)
    if not effectif:
        return None
    return round(sum((rang + 1) * b.effectif for rang, b in enumerate(barres)) / effectif, 1)


def histogramme(distribution, mini, maxi, total):
    """Equal-width classes over [mini, maxi], from the (value, count) pairs the database grouped."""
    mini, maxi = float(mini), float(maxi)
    if mini == maxi:
        return [Barre(_nombre(mini), sum(n for _v, n in distribution), total)]
    classes = min(CLASSES_HISTOGRAMME, len(distribution))
    largeur = (maxi - mini) / classes
    effectifs = [0] * classes
    for valeur, n in distribution:
        effectifs[min(int((float(valeur) - mini) / largeur), classes - 1)] += n
    return [
        Barre(f"{_nombre(mini + i * largeur)} à {_nombre(mini + (i + 1) * largeur)}", effectif, total)
        for i, effectif in enumerate(effectifs)
    ]


def _nombre(x):
    return f"{x:.0f}" if float(x).is_integer() else f"{x:.1f}".replace(".", ",")


def constat_principal(question):
    """A first wording of what a question shows: its most frequent answer, with the figures."""
    # From the running counts: the same figures, and still there once the answers are anonymised.
    resultat = resultats([question], enquete=question.enquete)[0]
    if not resultat.barres or not resultat.repondants:
        return ""
    haute = max(resultat.barres, key=lambda barre: barre.effectif)
    return f"« {haute.libelle} » : {haute.pourcentage} % des répondants ({haute.effectif}/{resultat.repondants})"


TYPES_CROISABLES = {Question.Type.CHOIX_UNIQUE, Question.Type.CHOIX_MULTIPLE, Question.Type.ECHELLE}


@dataclass
class Croisement:
    """Respondents by answer to one question (rows) and to another (columns)."""

    ligne: Question
    colonne: Question
    libelles_lignes: list
    libelles_colonnes: list
    effectifs: list  # rows × columns

    def lignes(self):
        for libelle, effectifs in zip(self.libelles_lignes, self.effectifs, strict=True):
            total = sum(effectifs)
            yield libelle, [(n, round(100 * n / total) if total else 0) for n in effectifs], total


def _modalites(question):
    """(key, label) of each answer of a crossable question; the key matches _cle()."""
    if question.type == Question.Type.ECHELLE:
        return [(v, f"{v} — {question.libelle_echelle(v)}") for v in Question.ECHELLE]
    return [(o.pk, o.libelle) for o in question.options.all()]


def _cle(question, option, nombre):
    return int(nombre) if question.type == Question.Type.ECHELLE else option


def croiser(ligne, colonne, reponses):
    """Counts of respondents for each pair of answers, in one grouped query (a self-join on the answer)."""
    paires = (
        Valeur.objects.filter(question=ligne, reponse__in=reponses.values("pk"), reponse__valeurs__question=colonne)
        .values_list("option", "nombre", "reponse__valeurs__option", "reponse__valeurs__nombre")
        .annotate(n=Count("reponse", distinct=True))
    )
    comptes = {(_cle(ligne, o1, v1), _cle(colonne, o2, v2)): n for o1, v1, o2, v2, n in paires}
    modalites_lignes, modalites_colonnes = _modalites(ligne), _modalites(colonne)
    return Croisement(
        ligne=ligne,
        colonne=colonne,
        libelles_lignes=[libelle for _cle_l, libelle in modalites_lignes],
        libelles_colonnes=[libelle for _cle_c, libelle in modalites_colonnes],
        effectifs=[[comptes.get((cle, c), 0) for c, _ in modalites_colonnes] for cle, _ in modalites_lignes],
    )
