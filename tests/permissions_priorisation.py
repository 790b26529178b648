"""Expected access to the prioritisation pages (merged into tests/permissions.py's table)."""

ATTENDU = {}


def arguments(page, charte):
    """URL arguments (besides charte_slug) for `page`, creating the objects it needs in `charte`."""
    return {}
