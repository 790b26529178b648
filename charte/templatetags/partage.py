"""{% bloc_partage "nom" a b %}…{% fin_bloc_partage %}: a block of a charter page rendered once per charter
version, day and values a, b, then read from the cache by every reader with the same a, b (issue #8). Outside
a charter's pages (the list of charters), the version is that of all charters together.

Thirty members read the same dashboard, fiche or plan between two changes: rendering it once per change rather
than once per visit is what the national scale needs. What the block shows must therefore depend only on the
charter's data (every change gives a new version, `charte.fraicheur`), on the day, and on the listed values —
typically the reader's rights (`peut_gerer`) or the query string. Never put `user` or `request.user` in a block.

Forms are allowed inside: each reader's CSRF token is their own, so the block is rendered with a marker in its
place and the reader's token goes in after the cache. The view's expensive context values should be lazy
(`charte.fraicheur.Paresseux`, `contexte_paresseux`), so that nothing is computed when the block comes from the
cache; the block itself renders with the computed values.
"""

from django import template
from django.utils import timezone

from charte.fraicheur import Paresseux, deballer, resume

register = template.Library()

MARQUE_CSRF = "jeton-csrf-du-lecteur"


class BlocPartage(template.Node):
    def __init__(self, nodelist, nom, valeurs):
        self.nodelist = nodelist
        self.nom = nom
        self.valeurs = valeurs

    def render(self, context):
        requete = context.get("request")
        if requete is None:  # rendered outside a request (a PDF, an e-mail): nothing to share
            return self.nodelist.render(context)
        charte = getattr(requete, "charte", None)  # None: a page about all charters (the national list)
        valeurs = [valeur.resolve(context) for valeur in self.valeurs]
        html = resume(
            charte, f"bloc:{self.nom}", lambda: self.rendre_sans_jeton(context), timezone.localdate(), *valeurs
        )
        return html.replace(MARQUE_CSRF, str(context.get("csrf_token", "")))

    def rendre_sans_jeton(self, context):
        calculees = {
            cle: deballer(valeur) for cle, valeur in context.flatten().items() if isinstance(valeur, Paresseux)
        }
        with context.push(calculees, csrf_token=MARQUE_CSRF):
            return self.nodelist.render(context)


@register.tag
def bloc_partage(parser, jeton):
    morceaux = jeton.split_contents()
    if len(morceaux) < 2 or morceaux[1][0] not in "\"'" or morceaux[1][0] != morceaux[1][-1]:
        raise template.TemplateSyntaxError('{% bloc_partage "nom" valeur… %} : le nom du bloc, entre guillemets.')
    nodelist = parser.parse(("fin_bloc_partage",))
    parser.delete_first_token()
    return BlocPartage(nodelist, morceaux[1][1:-1], [parser.compile_filter(m) for m in morceaux[2:]])
