import datetime
from collections import Counter

from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db.models import Sum
from django.test import RequestFactory
from django.utils import timezone

from charte.models import Charte, Membre, Trace
from diagnostic.demo import TITRE as TITRE_DIAGNOSTIC
from plan_actions.instantanes import comparer_plans, instantane_du_plan
from plan_actions.models import FicheAction, Financement, Historique, Jalon, LigneBudget
from rapports.models import Decision


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
    assert authenticate(RequestFactory().post("/"), username="national", password="demo").est_national
    assert aire.etapes.filter(jalon_valide_le__isnull=False).count() == 3
    enquete = aire.enquetes.get(titre=TITRE_DIAGNOSTIC)
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
    # The plan is written once: a second seed adds no fiche and no baseline (the signed plan, the plan
    # presented to the COPIL of 9 March 2026), nor any COPIL.
    assert aire.fiches.count() == 20 and aire.versions_plan.count() == 1
    assert aire.copils.count() == 5 and Decision.objects.filter(seance__charte=aire).count() == 21
    # Made by a command: the audit trail holds the demo's needs, priorities and fiches, signed by nobody.
    assert {"besoin", "priorite", "ficheaction"} <= set(aire.traces.values_list("type_objet__model", flat=True))
    assert not Trace.objects.filter(auteur__isnull=False).exists()


def test_plan_de_demonstration(db, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo")
    aire = Charte.objects.get(territoire__siren="200066140")
    fiches = list(FicheAction.objects.de(aire).avec_totaux().prefetch_related("priorites"))
    assert len(fiches) == 20
    assert all(p.fiches.count() >= 2 for p in aire.priorites.all()), "chaque priorité a au moins deux fiches"
    assert sum(f.priorites.count() == 2 for f in fiches) >= 5
    assert all(f.domaine in {p.besoin.domaine for p in f.priorites.all()} for f in fiches)
    statuts = Counter(f.statut for f in fiches)
    assert statuts == {
        "en_cours": 13,
        "validee": 1,
        "realisee": 2,
        "reportee": 1,
        "abandonnee": 1,
        "proposee": 1,
        "brouillon": 1,
    }
    # Written and reviewed through the services: each signed fiche was proposed, then validated by the référent.
    validees = Historique.objects.filter(fiche__charte=aire, champ="Statut", nouvelle_valeur="Validée")
    assert validees.count() == 18
    assert {f.validee_par.username for f in aire.fiches.exclude(validee_par=None)} == {"referent.codecom"}

    etape = aire.etapes.get(numero=3)
    assert (etape.jalon_valide_le, etape.jalon_cosigne_le) == (datetime.date(2025, 7, 10),) * 2
    version = aire.versions_plan.get(libelle__startswith="Plan signé")
    assert version.libelle == "Plan signé le 10/07/2025 (COPIL du 10 juillet 2025)"
    assert len(version.contenu) == 18
    comparaison = comparer_plans(version.contenu, instantane_du_plan(aire))
    assert Counter(f.etat for f in comparaison) == {"modifiée": 17, "nouvelle": 2}
    champs = {c.champ for f in comparaison for c in f.changements}
    assert {
        "Statut",
        "Fin",
        "Communes",
        "Partenaire MSA Lorraine",
        "Financement Conseil départemental de la Meuse 2026",
    } <= champs

    aujourd_hui = timezone.localdate()
    assert Jalon.objects.en_retard(aujourd_hui).filter(fiche__charte=aire).count() >= 8
    assert not Jalon.objects.filter(fiche__charte=aire, date_reelle__gt=aujourd_hui).exists()
    assert not aire.fiches.filter(suivis__date__gt=aujourd_hui).exists()

    # Money: the per-fiche totals add up to the raw rows; most fiches are fully funded, some are not.
    financements = Financement.objects.filter(fiche__charte=aire)
    assert sum(f.finance for f in fiches) == financements.aggregate(s=Sum("montant"))["s"]
    assert (
        sum(f.budget_prevu for f in fiches)
        == LigneBudget.objects.filter(fiche__charte=aire).aggregate(s=Sum("montant_prevu"))["s"]
    )
    assert all(f.finance <= f.budget_prevu for f in fiches)
    assert 5 <= sum(f.couverture < 100 for f in fiches) <= 12
    assert set(financements.filter(annee=2025).values_list("statut", flat=True)) == {"verse"}
    assert set(financements.filter(annee__gte=2027).values_list("statut", flat=True)) == {"sollicite"}
    assert set(financements.filter(annee=2026, fiche__statut="en_cours").values_list("statut", flat=True)) == {
        "accorde"
    }
    assert {f.financeur.nom for f in financements.select_related("financeur")} >= {
        "MSA Lorraine",
        "CAF de la Meuse",
        "Conseil départemental de la Meuse",
        "ARS Grand Est",
        "CC de l'Aire à l'Argonne",
    }
    lignes = LigneBudget.objects.filter(fiche__charte=aire)
    assert not lignes.filter(annee=2025, montant_realise=None).exists()
    assert not lignes.filter(annee__gte=2027).exclude(montant_realise=None).exists()

    # Comments are part of the story, not news: nobody is e-mailed about them.
    assert aire.fiches.filter(commentaires__isnull=False).distinct().count() >= 5
    assert mailoutbox == []


def test_copils_de_demonstration(db):
    """One COPIL per gate passed, on the gate's date; a progress review; the next meeting with decisions to take."""
    call_command("seed_demo")
    aire = Charte.objects.get(territoire__siren="200066140")
    copils = {s.date: s for s in aire.copils.select_related("version_plan")}
    jalons = dict(aire.etapes.filter(jalon_valide_le__isnull=False).values_list("numero", "jalon_valide_le"))
    assert sorted(copils) == sorted(jalons.values()) + [datetime.date(2026, 3, 9), datetime.date(2026, 12, 10)]
    for numero, le in jalons.items():
        assert copils[le].decisions.filter(etape__numero=numero, statut="adoptee").exists()
    signature, revue = copils[datetime.date(2025, 7, 10)], copils[datetime.date(2026, 3, 9)]
    assert signature.version_plan.libelle.startswith("Plan signé le 10/07/2025")
    assert revue.version_plan == signature.version_plan  # reviewed against the signed plan

    prochain = copils[datetime.date(2026, 12, 10)]
    assert len(prochain.points_ordre_du_jour) >= 4 and not prochain.compte_rendu
    a_prendre = prochain.decisions.select_related("fiche", "etape")
    assert {d.statut for d in a_prendre} == {"a_prendre"} and 4 <= len(a_prendre) <= 5
    assert "Ouvrir une micro-crèche aux horaires élargis à Seuil-d'Argonne" in {
        d.fiche.titre for d in a_prendre if d.fiche
    }
    assert any(d.etape and d.etape.numero == 4 for d in a_prendre)  # the evaluation calendar
    # Every decision of the past meetings is settled, and each kind of object is decided on somewhere.
    passees = Decision.objects.filter(seance__charte=aire, seance__date__lt=prochain.date)
    assert not passees.filter(statut="a_prendre").exists()
    for objet in ("besoin", "priorite", "fiche", "etape"):
        assert passees.filter(statut="adoptee", **{f"{objet}__isnull": False}).exists(), objet
