"""The prioritisation pages: sessions set up by the coordinator, votes of members and guests, live results."""

import datetime
import html
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from charte.models import Journal
from diagnostic.models import Besoin
from priorisation.models import Note, Participant, Seance
from priorisation.services import creer_seance, enregistrer_notes
from tests.conftest import compter_requetes

BESOINS = ["Garde", "Transport", "Santé"]


def seance_de(charte, mode=Seance.Mode.MULTICRITERE, statut=Seance.Statut.OUVERTE, seuil=1, points=10):
    for titre in BESOINS:
        Besoin.objects.get_or_create(charte=charte, domaine="sante", titre=titre)
    seance = creer_seance(
        charte, titre="Séance du COPIL", date=datetime.date(2025, 6, 1), mode=mode, points=points, seuil=seuil, par=None
    )
    Seance.objects.filter(pk=seance.pk).update(statut=statut)
    seance.refresh_from_db()
    return seance


def url(page, seance):
    return reverse(f"priorisation:{page}", args=[seance.charte.slug, seance.pk])


def lien_invite(seance):
    return reverse("voter_invite", args=[seance.code])


def besoin(seance, titre):
    return seance.besoins.get(titre=titre)


def notes_multicritere(seance, valeurs):
    """POST data: {titre: note} gives that note on every criterion of the need."""
    donnees = {}
    for titre, note in valeurs.items():
        for critere in seance.criteres.all():
            donnees[f"note_{besoin(seance, titre).pk}_{critere.pk}"] = note
    return donnees


def points(seance, valeurs):
    return {f"points_{besoin(seance, titre).pk}": n for titre, n in valeurs.items()}


def texte(reponse):
    """The page as read (entities such as &#x27; decoded)."""
    return html.unescape(reponse.content.decode())


def dernier_message(reponse):
    return textes_des_messages(reponse)[-1]


def textes_des_messages(reponse):
    return [str(m) for m in get_messages(reponse.wsgi_request)]


# --- the coordinator's side -------------------------------------------------------------------


def test_sans_besoin_la_creation_renvoie_au_diagnostic(client_de, personnes, charte):
    client = client_de(personnes["coordinateur"])
    reponse = client.get(reverse("priorisation:nouvelle_seance", args=[charte.slug]))
    assert "aucun besoin identifié" in texte(reponse)
    assert reverse("diagnostic:besoins", args=[charte.slug]) in texte(reponse)
    reponse = client.post(
        reverse("priorisation:nouvelle_seance", args=[charte.slug]),
        {"titre": "S", "date": "2025-06-01", "mode": "multicritere", "points_par_participant": 10, "seuil_anonymat": 3},
    )
    assert not Seance.objects.exists()
    assert "La charte n'a encore aucun besoin" in dernier_message(reponse)


def test_le_coordinateur_cree_ouvre_et_clot_une_seance(client_de, personnes, charte):
    for titre in BESOINS:
        Besoin.objects.create(charte=charte, domaine="sante", titre=titre)
    client = client_de(personnes["coordinateur"])
    liste = reverse("priorisation:seances", args=[charte.slug])
    assert "Aucune séance de priorisation" in texte(client.get(liste))
    reponse = client.post(
        reverse("priorisation:nouvelle_seance", args=[charte.slug]),
        {
            "titre": "COPIL de juin",
            "date": "2025-06-12",
            "mode": "gommettes",
            "points_par_participant": 6,
            "seuil_anonymat": 2,
        },
    )
    seance = Seance.objects.get()
    assert reponse.status_code == 302 and reponse.url == url("seance", seance)
    assert (seance.mode, seance.points_par_participant, seance.seuil_anonymat) == ("gommettes", 6, 2)
    assert seance.besoins.count() == 3 and seance.statut == Seance.Statut.PREPARATION
    page = texte(client.get(liste))
    assert "COPIL de juin" in page and "En préparation" in page

    client.post(url("statut_seance", seance), {"action": "ouvrir"})
    seance.refresh_from_db()
    assert seance.ouverte
    page = texte(client.get(url("seance", seance)))
    assert seance.code in page and f"/s/{seance.code}/" in page and "Voter" in page
    client.post(url("statut_seance", seance), {"action": "clore"})
    seance.refresh_from_db()
    assert seance.statut == Seance.Statut.CLOSE
    assert Journal.objects.filter(action__contains="COPIL de juin").count() == 3


def test_les_poids_se_reglent_pendant_la_preparation_seulement(client_de, personnes, charte):
    seance = seance_de(charte, statut=Seance.Statut.PREPARATION)
    importance, urgence, faisabilite = seance.criteres.all()
    client = client_de(personnes["coordinateur"])
    assert f'name="poids_{importance.pk}"' in texte(client.get(url("seance", seance)))
    donnees = {f"poids_{importance.pk}": "2", f"poids_{urgence.pk}": "1.5", f"poids_{faisabilite.pk}": "1"}
    client.post(url("poids", seance), donnees)
    assert [c.poids for c in seance.criteres.all()] == [Decimal("2"), Decimal("1.5"), Decimal("1")]

    reponse = client.post(url("poids", seance), donnees | {f"poids_{importance.pk}": "0"})
    assert "rien n'a été changé" in dernier_message(reponse)
    Seance.objects.filter(pk=seance.pk).update(statut=Seance.Statut.OUVERTE)
    reponse = client.post(url("poids", seance), donnees | {f"poids_{importance.pk}": "5"})
    assert "pendant la préparation" in dernier_message(reponse)
    assert seance.criteres.get(pk=importance.pk).poids == Decimal("2")
    assert 'name="poids_' not in texte(client.get(url("seance", seance)))


# --- members vote -----------------------------------------------------------------------------


def test_un_membre_vote_et_les_resultats_suivent(client_de, personnes, charte):
    seance = seance_de(charte)
    client = client_de(personnes["partenaire"])
    page = texte(client.get(url("voter", seance)))
    assert "Vous participez au titre du collège" in page and "pseudonyme" not in page
    client.post(url("voter", seance), {"college": "institutions"})
    participant = Participant.objects.get()
    assert participant.utilisateur == personnes["partenaire"] and participant.college == "institutions"
    # A second visit goes straight to the grid (one participation per account).
    client.post(url("voter", seance), {"college": "familles"})
    assert Participant.objects.count() == 1

    reponse = client.post(url("voter", seance), notes_multicritere(seance, {"Garde": 4, "Santé": 2}))
    assert reponse.status_code == 302
    assert Note.objects.filter(participant=participant).count() == 6
    page = texte(client.get(url("voter", seance)))
    assert "Vos notes sont enregistrées" in page
    assert '<option value="4" selected>' in page  # the scores stay filled

    fragment = texte(client.get(url("resultats", seance)))
    assert "<html" not in fragment
    assert fragment.index("Garde") < fragment.index("Santé") < fragment.index("Transport")
    assert "4,0" in fragment and "2,0" in fragment
    assert "<svg" in fragment

    # Changing a score replaces it; an empty field clears it.
    client.post(url("voter", seance), notes_multicritere(seance, {"Garde": "", "Santé": 5}))
    assert set(Note.objects.values_list("besoin__titre", "valeur")) == {("Santé", 5)}


def test_un_observateur_ne_vote_pas_avec_son_compte_mais_lit_les_resultats(client_de, personnes, charte):
    seance = seance_de(charte)
    client = client_de(personnes["observateur"])
    assert client.get(url("voter", seance)).status_code == 403
    assert client.post(url("voter", seance), {"college": "familles"}).status_code == 403
    assert client.get(url("resultats", seance)).status_code == 200
    page = texte(client.get(url("seance", seance)))
    assert url("voter", seance) not in page
    assert not Participant.objects.exists()


def test_les_resultats_ne_montrent_ni_notes_individuelles_ni_petit_college(client_de, personnes, charte):
    seance = seance_de(charte, seuil=2)
    garde = besoin(seance, "Garde").pk
    criteres = list(seance.criteres.values_list("pk", flat=True))
    for college, note in [("familles", 5), ("familles", 3), ("elus", 1)]:
        participant = Participant.objects.create(seance=seance, college=college, pseudonyme=f"Personne {note}")
        enregistrer_notes(participant, {(garde, c): note for c in criteres})
    fragment = texte(client_de(personnes["observateur"]).get(url("resultats", seance)))
    assert "Personne 5" not in fragment
    assert "moins de 2 participants dans le collège : détail masqué" in fragment
    ligne_garde = fragment[fragment.index("<td>Garde") :].split("</tr>")[0]
    assert "4,0" in ligne_garde  # familles: (5 + 3) / 2
    assert "—" in ligne_garde  # élus: one person, hidden
    assert ">1,0<" not in ligne_garde


def test_les_besoins_les_plus_disputes_sont_a_discuter(client_de, personnes, charte):
    for titre in ["Logement", "Loisirs"]:
        Besoin.objects.create(charte=charte, domaine="sante", titre=titre)
    seance = seance_de(charte)
    critere = seance.criteres.first().pk
    desaccords = {"Garde": (1, 5), "Transport": (2, 5), "Santé": (3, 4), "Logement": (3, 3), "Loisirs": (1, 4)}
    a, b = (Participant.objects.create(seance=seance, college="familles") for _ in range(2))
    enregistrer_notes(a, {(besoin(seance, t).pk, critere): n for t, (n, _m) in desaccords.items()})
    enregistrer_notes(b, {(besoin(seance, t).pk, critere): m for t, (_n, m) in desaccords.items()})
    fragment = texte(client_de(personnes["coordinateur"]).get(url("resultats", seance)))
    lignes = {t: fragment[fragment.index(f"<td>{t}") :].split("</tr>")[0] for t in desaccords}
    a_discuter = {t for t, ligne in lignes.items() if "à discuter en priorité" in ligne}
    assert a_discuter == {"Garde", "Transport", "Loisirs"}


# --- guests vote with the code ----------------------------------------------------------------


def test_un_invite_rejoint_avec_le_code_et_vote(client, charte, settings):
    settings.HTTPS = True
    seance = seance_de(charte, seuil=1)
    reponse = client.get(reverse("rejoindre"), {"code": f" {seance.code.lower()} "})
    assert reponse.status_code == 302 and reponse.url == lien_invite(seance)
    assert "Aucune séance ne correspond" in texte(client.get(reverse("rejoindre"), {"code": "ZZZZZZ"}))

    page = texte(client.get(lien_invite(seance)))
    assert "Comment vous présenter" in page and "Se déconnecter" not in page
    reponse = client.post(lien_invite(seance), {"college": "familles", "pseudonyme": "Parent de Triaucourt"})
    invite = Participant.objects.get()
    assert (invite.utilisateur, invite.college, invite.pseudonyme) == (None, "familles", "Parent de Triaucourt")
    cookie = reponse.cookies[f"priorisation_seance_{seance.pk}"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and cookie["secure"] and cookie["path"] == "/s/"
    assert invite.jeton not in cookie.value or ":" in cookie.value  # signed, not the bare token

    reponse = client.post(lien_invite(seance), notes_multicritere(seance, {"Transport": 5}))
    assert reponse.status_code == 302
    assert Note.objects.filter(participant=invite).count() == 3
    page = texte(client.get(lien_invite(seance)))
    assert "Vos notes sont enregistrées" in page and "Parent de Triaucourt" in page
    assert Participant.objects.count() == 1  # the cookie brings the same guest back


def test_le_cookie_d_un_invite_ne_vaut_que_pour_sa_seance(client, charte):
    seance_a, seance_b = seance_de(charte), seance_de(charte)
    client.post(lien_invite(seance_a), {"college": "elus"})
    invite_a = Participant.objects.get()
    # On session B the guest is a newcomer: asked for a collège, no grid, nothing of A's.
    page = texte(client.get(lien_invite(seance_b)))
    assert "Vous participez au titre du collège" in page and "Enregistrer mes notes" not in page
    # Even A's signed token put under B's cookie name opens nothing on B.
    client.cookies[f"priorisation_seance_{seance_b.pk}"] = client.cookies[f"priorisation_seance_{seance_a.pk}"].value
    page = texte(client.get(lien_invite(seance_b)))
    assert "Enregistrer mes notes" not in page
    client.post(lien_invite(seance_b), notes_multicritere(seance_b, {"Garde": 5}))
    assert not Note.objects.exists()
    assert list(Participant.objects.all()) == [invite_a]
    # A forged (unsigned) token is ignored.
    client.cookies[f"priorisation_seance_{seance_a.pk}"] = invite_a.jeton
    assert "Enregistrer mes notes" not in texte(client.get(lien_invite(seance_a)))


def test_une_seance_close_refuse_invites_et_membres(client, client_de, personnes, charte):
    seance = seance_de(charte)
    membre = Participant.objects.create(seance=seance, college="institutions", utilisateur=personnes["referent"])
    invite_client = client.__class__()
    invite_client.post(lien_invite(seance), {"college": "familles"})
    invite = Participant.objects.get(utilisateur__isnull=True)
    Seance.objects.filter(pk=seance.pk).update(statut=Seance.Statut.CLOSE)

    # A newcomer guest is told the session is closed and is not created.
    reponse = client.post(lien_invite(seance), {"college": "elus"})
    assert "La séance est close" in texte(reponse)
    assert Participant.objects.count() == 2
    # The guest of the session sees the grid read-only, and a POST stores nothing.
    reponse = invite_client.post(lien_invite(seance), notes_multicritere(seance, {"Garde": 5}))
    page = texte(reponse)
    assert "La séance est close" in page and "Vos notes n'ont pas été enregistrées" in page
    assert "Enregistrer mes notes" not in page and "disabled" in page
    assert not Note.objects.filter(participant=invite).exists()
    # Same for a member.
    membre_client = client_de(personnes["referent"])
    reponse = membre_client.post(url("voter", seance), notes_multicritere(seance, {"Garde": 5}))
    assert "Vos notes n'ont pas été enregistrées" in texte(reponse)
    assert not Note.objects.filter(participant=membre).exists()


def test_une_seance_en_preparation_ne_recoit_pas_encore_de_vote(client, charte):
    seance = seance_de(charte, statut=Seance.Statut.PREPARATION)
    page = texte(client.get(lien_invite(seance)))
    assert "pas encore ouverte au vote" in page and "Rejoindre la séance" not in page


def test_gommettes_au_dela_des_points_disponibles(client_de, personnes, charte):
    seance = seance_de(charte, mode=Seance.Mode.GOMMETTES, points=5)
    client = client_de(personnes["coordinateur"])
    client.post(url("voter", seance), {"college": "institutions"})
    page = texte(client.get(url("voter", seance)))
    assert 'data-points-max="5"' in page and "data-points-restants>5<" in page
    reponse = client.post(url("voter", seance), points(seance, {"Garde": 3, "Santé": 2, "Transport": 1}))
    page = texte(reponse)
    assert reponse.status_code == 200
    assert "Vous avez réparti 6 points pour 5 disponibles" in page and "Rien n'a été enregistré" in page
    assert 'value="3"' in page and "data-points-restants>-1<" in page  # what was typed stays
    assert not Note.objects.exists()

    client.post(url("voter", seance), points(seance, {"Garde": 3, "Santé": 2, "Transport": 0}))
    assert set(Note.objects.values_list("besoin__titre", "valeur")) == {("Garde", 3), ("Santé", 2)}
    fragment = texte(client.get(url("resultats", seance)))
    assert "Points reçus par besoin" in fragment and "3 · 60 %" in fragment


# --- query counts -----------------------------------------------------------------------------


def remplir(seance, n):
    criteres = list(seance.criteres.values_list("pk", flat=True))
    besoins = list(seance.besoins.values_list("pk", flat=True))
    colleges = Participant.College.values
    participants = Participant.objects.bulk_create(
        Participant(seance=seance, college=colleges[i % len(colleges)], jeton=f"jeton-{seance.pk}-{i}")
        for i in range(n)
    )
    Note.objects.bulk_create(
        Note(participant=p, besoin_id=b, critere_id=c, valeur=1 + (i + j) % 5)
        for i, p in enumerate(participants)
        for j, b in enumerate(besoins)
        for c in criteres
    )


@pytest.mark.parametrize("page", ["seance", "resultats"])
def test_requetes_constantes_quel_que_soit_le_nombre_de_participants(client_de, personnes, charte, page):
    petite, grande = seance_de(charte, seuil=3), seance_de(charte, seuil=3)
    remplir(petite, 5)
    remplir(grande, 100)
    client = client_de(personnes["coordinateur"])
    nombres = [compter_requetes(client, url(page, seance)) for seance in (petite, grande)]
    assert nombres[0] == nombres[1] <= 15, nombres


def test_les_notes_s_enregistrent_au_fil_de_l_eau(client_de, personnes, charte):
    """The page's script posts each change with X-Requested-With: fetch; the answer is short and plain."""
    seance = seance_de(charte, mode=Seance.Mode.GOMMETTES, points=5)
    client = client_de(personnes["partenaire"])
    client.post(url("voter", seance), {"college": "institutions"})
    reponse = client.post(url("voter", seance), points(seance, {"Garde": 3}), HTTP_X_REQUESTED_WITH="fetch")
    assert reponse.status_code == 204 and Note.objects.get().valeur == 3
    reponse = client.post(url("voter", seance), points(seance, {"Garde": 3, "Santé": 4}), HTTP_X_REQUESTED_WITH="fetch")
    assert reponse.status_code == 400 and "7 points pour 5 disponibles" in reponse.content.decode()
    assert list(Note.objects.values_list("valeur", flat=True)) == [3]
    Seance.objects.filter(pk=seance.pk).update(statut=Seance.Statut.CLOSE)
    reponse = client.post(url("voter", seance), points(seance, {"Garde": 1}), HTTP_X_REQUESTED_WITH="fetch")
    assert reponse.status_code == 409 and "close" in reponse.content.decode()
