from django.urls import reverse
from django.utils.html import escape

from charte.models import Charte, Membre


def test_la_charte_garde_toujours_un_coordinateur(client_de, personnes, charte):
    client = client_de(personnes["coordinateur"])
    moi = charte.membres.get(utilisateur=personnes["coordinateur"])
    reponse = client.post(reverse("charte:modifier_membre", args=[charte.slug, moi.pk]), {"role": "observateur"})
    assert "au moins un coordinateur" in reponse.content.decode()
    client.post(reverse("charte:retirer_membre", args=[charte.slug, moi.pk]))
    assert charte.membres.filter(role=Membre.Role.COORDINATEUR).count() == 1


def test_changer_le_role_d_un_membre(client_de, personnes, charte):
    observateur = charte.membres.get(role=Membre.Role.OBSERVATEUR)
    client_de(personnes["coordinateur"]).post(
        reverse("charte:modifier_membre", args=[charte.slug, observateur.pk]), {"role": "referent"}
    )
    observateur.refresh_from_db()
    assert observateur.role == Membre.Role.REFERENT


def test_retirer_un_membre_lui_ferme_la_charte(client, client_de, personnes, charte):
    observateur = charte.membres.get(role=Membre.Role.OBSERVATEUR)
    client_de(personnes["coordinateur"]).post(reverse("charte:retirer_membre", args=[charte.slug, observateur.pk]))
    client.force_login(personnes["observateur"])
    assert client.get(reverse("rapports:tableau_de_bord", args=[charte.slug])).status_code == 404


def test_les_chartes_de_chacun(client, personnes, charte):
    autre = Charte.objects.exclude(pk=charte.pk).get()
    client.force_login(personnes["partenaire"])
    page = client.get(reverse("charte:liste")).content.decode()
    assert "Mes chartes" in page and escape(charte.nom) in page and escape(autre.nom) not in page
    client.force_login(personnes["national"])
    page = client.get(reverse("charte:liste")).content.decode()
    assert "vue nationale" in page and escape(charte.nom) in page and escape(autre.nom) in page
