"""The charter's communes are part of the questionnaire (« Votre commune ») : changing them gives its surveys a new
structure version, so that the form kept in memory by each web process is built again (diagnostic.views)."""

from django.db.models import F
from django.db.models.signals import m2m_changed

from charte.models import Charte
from diagnostic.models import Enquete


def communes_changees(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    enquetes = Enquete.objects.all()
    if not reverse:  # charte.communes.add(…): that charter
        enquetes = enquetes.filter(charte=instance)
    elif pk_set is not None:  # commune.chartes.add(…): those charters
        enquetes = enquetes.filter(charte__in=pk_set)
    # commune.chartes.clear(): its charters are no longer known; every survey is built again (rare).
    enquetes.update(version_structure=F("version_structure") + 1)


def brancher():
    m2m_changed.connect(communes_changees, sender=Charte.communes.through, dispatch_uid="diagnostic:communes")
