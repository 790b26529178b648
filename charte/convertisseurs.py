"""Path converters of the project's URLs (registered when the charte app is ready)."""

from django.urls.converters import StringConverter


class Segment(StringConverter):
    """A path segment without control characters: a token, a session code, a SIREN typed in a link.

    PostgreSQL cannot even look up a text holding NUL: such an address answers 404, not a server error.
    """

    regex = r"[^/\x00-\x1f\x7f]+"
