"""Markup saved in every text field of every form comes back as text, on every page that shows it.

One charter is filled through its own forms with a piece of markup or script in each text field a
person types in (as the allowed person of each page), plus a family's answers to the public survey;
then every page reached by following the links, as the coordinator and as an observer, and the
public form of each survey, are read: no script, event handler or javascript: link may appear.
"""

import itertools

from django.urls import reverse

from diagnostic.models import Enquete
from tests.hostile.envoi import client_de, envoyer
from tests.hostile.formulaires import (
    PAGES_QUI_RECOIVENT,
    adresse_de,
    explorer,
    role_pour,
    saisie_de,
)
from tests.hostile.test_publics import ADRESSES, saisie_publique
from tests.hostile.valeurs import CHARGES_HTML

ECHAPPE = "&lt;script&gt;alert("  # how the first payload reads once escaped


def test_le_texte_enregistre_s_affiche_toujours_comme_du_texte(charte, personnes, settings):
    settings.LIMITE_QUESTIONNAIRES_PAR_MINUTE = 0
    charges = itertools.cycle(CHARGES_HTML)
    enregistres = 0
    # Every page's objects first: the factories number fiches themselves, the application after them.
    adresses = {page: adresse_de(page, charte) for page in PAGES_QUI_RECOIVENT}
    for page, url in adresses.items():
        saisie = saisie_de(client_de(personnes[role_pour(page)]), charte, page, url)
        saisie.apprendre(charges=charges)
        enregistres += saisie.acceptee
    invite = client_de()
    for page in ("questionnaire_public", "voter_invite"):
        enregistres += saisie_publique(invite, ADRESSES[page](charte), charges).acceptee
    assert enregistres >= 40, enregistres

    echappees = 0
    for qui in ("coordinateur", "observateur"):
        depart = [f"/chartes/{charte.slug}/"]
        for _, _, reponse in explorer(client_de(personnes[qui]), depart, f"/chartes/{charte.slug}/", limite=250):
            echappees += ECHAPPE in reponse.content.decode()
    # The families see the questions (markup was typed in some) on the public form of each survey.
    charte.enquetes.update(statut=Enquete.Statut.PUBLIEE)
    for jeton in charte.enquetes.values_list("jeton", flat=True):
        envoyer(invite, "GET", reverse("questionnaire_public", args=[jeton]), hostile=False)
    # The markup was saved and shown, escaped, on many pages: the checks did look at it.
    assert echappees >= 20, echappees
