"""Reading what an address carries: path converters (registered when the charte app is ready), query ids."""

from django.urls.converters import StringConverter


class Segment(StringConverter):
    """A path segment without control characters: a token, a session code, a SIREN typed in a link.

    PostgreSQL cannot even look up a text holding NUL: such an address answers 404, not a server error.
    """

    regex = r"[^/\x00-\x1f\x7f]+"


def id_demande(request, nom):
    """The id given in the query string (?fiche=12), or None when absent or not an id any row could have."""
    valeur = request.GET.get(nom, "")
    # isdecimal(), not isdigit(): "²" is a digit int() refuses; 18 digits at most (a bigint), not 100 000.
    return int(valeur) if valeur.isdecimal() and len(valeur) <= 18 else None
