from django.contrib.auth import authenticate
from django.core.management import call_command

from charte.models import Charte, Membre


def test_seed_demo_est_idempotent_et_donne_les_comptes_annonces(db, capsys):
    call_command("seed_demo")
    call_command("seed_demo")
    assert "agent.msa" in capsys.readouterr().out
    aire, argonne = Charte.objects.get(territoire__siren="200066140"), Charte.objects.get(territoire__siren="200066116")
    assert Charte.objects.count() == 2
    assert aire.communes.count() == 47 and aire.date_debut.isoformat() == "2025-01-06"
    roles = dict(aire.membres.values_list("utilisateur__username", "role"))
    assert roles == {
        "agent.msa": "coordinateur",
        "referent.codecom": "referent",
        "partenaire.caf": "partenaire",
        "partenaire.ars": "partenaire",
        "partenaire.cd": "partenaire",
        "observateur": "observateur",
    }
    assert Membre.objects.get(charte=aire, utilisateur__username="partenaire.caf").organisation.nom == "CAF de la Meuse"
    assert list(argonne.membres.values_list("utilisateur__username", flat=True)) == ["agent.msa2"]
    assert authenticate(username="national", password="demo").est_national
    assert aire.etapes.filter(jalon_valide_le__isnull=False).count() == 3
    enquete = aire.enquetes.get()
    assert enquete.reponses.count() == 300
    # Answers come from the territory's real communes, weighted by population.
    assert enquete.reponses.values("famille__commune").distinct().count() > 20
    assert aire.besoins.count() == 12 and len({b.domaine for b in aire.besoins.all()}) == 6
    assert aire.donnees.count() == 14 and aire.entretiens.count() == 5
    seance = aire.seances.get()
    assert seance.statut == "close" and seance.participants.count() == 25
    assert set(seance.participants.values_list("college", flat=True)) == {
        "familles",
        "institutions",
        "elus",
        "associations",
    }
    assert list(aire.priorites.values_list("rang", flat=True)) == [1, 2, 3, 4, 5, 6]
