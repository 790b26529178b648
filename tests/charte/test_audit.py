"""The audit trail: each change to needs, priorities, fiches, budgets, financings and indicators is traced
(who, when, each field before → after), in the same transaction as the change; admins read it."""

import datetime
from decimal import Decimal

import pytest
from celery import shared_task
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from charte.audit import au_nom_de
from charte.models import Membre, Trace
from diagnostic.models import Besoin
from diagnostic.services import creer_enquete
from evaluation.models import Indicateur, Mesure
from plan_actions.models import FicheAction
from priorisation.models import Priorite
from priorisation.services import Decision, decider_priorites
from tests.diagnostic.test_besoins import donnee, donnees_besoin
from tests.factories import (
    QUESTIONNAIRE_MINIMAL,
    FicheActionFactory,
    FinancementFactory,
    IndicateurFactory,
    LigneBudgetFactory,
    UtilisateurFactory,
)
from tests.plan_actions.test_vues import ajouter_ligne, donnees_du_formulaire, donnees_financements, url
from tests.priorisation.test_classement import besoin as besoin_de
from tests.priorisation.test_classement import seance_de
from tests.priorisation.test_decision import donnees as decision
from tests.priorisation.test_decision import voter_et_clore

pytestmark = pytest.mark.django_db


def traces(modele, **filtres):
    """The traces of one kind of object, oldest first."""
    return list(Trace.objects.filter(type_objet__model=modele._meta.model_name, **filtres).order_by("date", "id"))


def resume(trace):
    return (trace.action, trace.auteur, trace.objet, trace.changements)


def test_un_besoin_cree_modifie_puis_supprime_par_ses_pages(client_de, charte):
    coordinateur = charte.membres.get().utilisateur
    chiffre = donnee(charte)
    chiffre.refresh_from_db()  # as the trail reads it
    question = creer_enquete(charte, QUESTIONNAIRE_MINIMAL, par=None).questions.get()
    client = client_de(coordinateur)
    avant = timezone.now()
    client.post(
        reverse("diagnostic:nouveau_besoin", args=[charte.slug]),
        donnees_besoin(
            **{
                "donnees": [chiffre.pk],
                "preuves-TOTAL_FORMS": 1,
                "preuves-0-question": question.pk,
                "preuves-0-constat": "38 % des parents gardent eux-mêmes leur enfant",
            }
        ),
    )
    besoin = Besoin.objects.get()
    [creation] = traces(Besoin)
    # One trace for the form, its list of evidence included, dated and signed.
    assert resume(creation) == (
        "creation",
        coordinateur,
        "Trouver un mode de garde",
        {
            "Domaine": [None, "Petite enfance"],
            "Besoin": [None, "Trouver un mode de garde"],
            "Créé par": [None, str(coordinateur)],
            "Données territoriales": [None, [str(chiffre)]],
        },
    )
    assert creation.charte == charte and avant <= creation.date <= timezone.now()
    [preuve] = traces(besoin.preuves_questions.model)
    assert preuve.changements["Ce que montre la question"] == [None, "38 % des parents gardent eux-mêmes leur enfant"]

    modifier = reverse("diagnostic:modifier_besoin", args=[charte.slug, besoin.pk])
    client.post(modifier, donnees_besoin(titre="Garder les enfants le samedi", version=1, donnees=[]))
    assert resume(traces(Besoin)[-1]) == (
        "modification",
        coordinateur,
        "Garder les enfants le samedi",
        {
            "Besoin": ["Trouver un mode de garde", "Garder les enfants le samedi"],
            "Données territoriales": [[str(chiffre)], None],
        },
    )

    client.post(reverse("diagnostic:supprimer_besoin", args=[charte.slug, besoin.pk]))
    suppression = traces(Besoin)[-1]
    assert (suppression.action, suppression.auteur, suppression.objet_id) == ("suppression", coordinateur, besoin.pk)
    assert suppression.changements["Besoin"] == ["Garder les enfants le samedi", None]
    # Its evidence went with it, and the trail says so.
    assert traces(besoin.preuves_questions.model)[-1].action == "suppression"


def test_rien_n_est_trace_quand_rien_ne_change(client_de, charte):
    besoin = Besoin.objects.create(charte=charte, domaine="sante", titre="Accès aux soins", description="Un\nDeux")
    client = client_de(charte.membres.get().utilisateur)
    modifier = reverse("diagnostic:modifier_besoin", args=[charte.slug, besoin.pk])
    nombre = Trace.objects.count()
    # The same form sent back as a browser sends it (a textarea's lines end with CRLF).
    inchange = donnees_besoin(domaine="sante", titre="Accès aux soins", description="Un\r\nDeux", version=1)
    assert client.post(modifier, inchange).status_code == 302
    assert Besoin.objects.get().version == 2  # saved all right, but nothing a reader would see changed
    assert Trace.objects.count() == nombre


def test_les_priorites_decidees_et_redecidees(client_de, charte):
    seance = seance_de(charte)
    voter_et_clore(seance)
    coordinateur = charte.membres.get().utilisateur
    client = client_de(coordinateur)
    page = reverse("priorisation:decision", args=[charte.slug, seance.pk])
    sante, garde, transport = (besoin_de(seance, titre) for titre in ("Santé", "Garde", "Transport"))
    client.post(page, decision([(sante, True, "Se soigner près de chez soi", [transport]), (garde, False, "", [])]))
    [premiere] = traces(Priorite)
    assert (premiere.action, premiere.auteur, premiere.charte) == ("creation", coordinateur, charte)
    assert {cle: valeurs for cle, valeurs in premiere.changements.items() if cle not in ("Séance", "Besoin")} == {
        "Rang": [None, 1],
        "Intitulé de la priorité": [None, "Se soigner près de chez soi"],
        "Décidée le": [None, "2025-06-12"],
        "Décidée par": [None, "Comité de pilotage (COPIL)"],
        "Enregistrée par": [None, str(coordinateur)],
        "Autres besoins regroupés": [None, ["Transport"]],
    }
    assert premiere.changements["Besoin"] == [None, "Santé"]
    # Deciding again replaces the priorities: the trail keeps the ones that were removed.
    client.post(page, decision([(garde, True, "Garder les enfants", []), (sante, False, "", [])], le="2025-06-13"))
    assert [(t.action, t.objet) for t in traces(Priorite)[1:]] == [
        ("suppression", "1. Se soigner près de chez soi"),
        ("creation", "1. Garder les enfants"),
    ]


def test_une_fiche_son_budget_ses_financements_et_ses_etapes_cles(client_de, charte, personnes):
    membre = Membre.objects.get(charte=charte, utilisateur=personnes["partenaire"])
    partenaire, organisation = membre.utilisateur, membre.organisation
    priorite = charte.priorites.create(
        besoin=Besoin.objects.create(charte=charte, domaine="sante", titre="Soins"),
        rang=1,
        intitule="Se soigner",
        decidee_le=datetime.date(2025, 6, 12),
    )
    client = client_de(partenaire)
    donnees = donnees_du_formulaire(priorite=priorite, pilote=organisation)
    ajouter_ligne(donnees, "budget", annee=2026, nature="fonctionnement", libelle="Animatrice", montant_prevu="12000,5")
    ajouter_ligne(donnees, "financements", financeur=organisation.pk, annee=2026, montant="6000", statut="sollicite")
    ajouter_ligne(donnees, "jalons", libelle="Recrutement", date_prevue="2025-10-15")
    client.post(reverse("plan_actions:nouvelle_fiche", args=[charte.slug]), donnees)
    fiche = FicheAction.objects.get()
    [creation] = traces(FicheAction)
    assert (creation.action, creation.auteur, creation.charte, creation.objet) == (
        "creation",
        partenaire,
        charte,
        "1. Créer un relais petite enfance itinérant",
    )
    assert {
        cle: creation.changements[cle] for cle in ("Organisation pilote", "Début", "Priorités auxquelles elle répond")
    } == {
        "Organisation pilote": [None, str(organisation)],
        "Début": [None, "2025-09-01"],
        "Priorités auxquelles elle répond": [None, ["1. Se soigner"]],
    }
    ligne, financement, jalon = fiche.lignes_budget.get(), fiche.financements.get(), fiche.jalons.get()
    [budget] = traces(type(ligne))
    assert (budget.objet, budget.charte, budget.changements["Prévu (€)"]) == (
        "Fiche n° 1 — 2026 — Animatrice",
        charte,
        [None, "12000.50"],
    )
    assert traces(type(financement))[0].changements["Statut"] == [None, "Sollicité"]

    # Edit: the title, the budget line's amount, the milestone removed.
    donnees = donnees_du_formulaire(fiche, titre="Ouvrir un relais petite enfance")
    donnees |= {"budget-INITIAL_FORMS": 1, "jalons-INITIAL_FORMS": 1, "financements-INITIAL_FORMS": 1}
    ajouter_ligne(
        donnees, "budget", id=ligne.pk, annee=2026, nature="fonctionnement", libelle="Animatrice", montant_prevu="15000"
    )
    ajouter_ligne(
        donnees,
        "financements",
        id=financement.pk,
        financeur=organisation.pk,
        annee=2026,
        montant="6000",
        statut="sollicite",
    )
    ajouter_ligne(donnees, "jalons", id=jalon.pk, libelle="Recrutement", date_prevue="2025-10-15", DELETE="on")
    assert client.post(url("modifier_fiche", fiche), donnees).status_code == 302
    assert traces(FicheAction)[-1].changements == {
        "Intitulé de l'action": ["Créer un relais petite enfance itinérant", "Ouvrir un relais petite enfance"]
    }
    assert traces(type(ligne))[-1].changements == {"Prévu (€)": ["12000.50", "15000.00"]}
    assert len(traces(type(financement))) == 1  # resubmitted unchanged
    assert resume(traces(type(jalon))[-1]) == (
        "suppression",
        partenaire,
        "Fiche n° 1 — Recrutement",
        {"Étape clé": ["Recrutement", None], "Date prévue": ["2025-10-15", None]},
    )

    # A status change is a single SQL update: it is traced all the same.
    client.post(url("proposer", fiche))
    proposition = traces(FicheAction)[-1]
    assert proposition.auteur == partenaire
    assert proposition.changements["Statut"] == ["Brouillon", "Proposée"]
    assert proposition.changements["Proposée par"] == [None, str(partenaire)]

    # The funder updates its financing from « Nos financements ».
    fiche.refresh_from_db()
    donnees = donnees_financements([financement]) | {"form-0-statut": "accorde", "form-0-montant": "5500,00"}
    client.post(reverse("plan_actions:financements", args=[charte.slug]), donnees)
    assert resume(traces(type(financement))[-1]) == (
        "modification",
        partenaire,
        f"Fiche n° 1 — {organisation} 2026 : 5500.00 €",
        {"Montant (€)": ["6000.00", "5500.00"], "Statut": ["Sollicité", "Accordé"]},
    )


def test_un_indicateur_et_ses_mesures(client_de, charte, personnes):
    organisation = Membre.objects.get(charte=charte, utilisateur=personnes["partenaire"]).organisation
    fiche = FicheActionFactory(charte=charte, pilote=organisation)
    client = client_de(personnes["partenaire"])
    donnees = {
        "libelle": "Familles accueillies au relais",
        "niveau": "resultat",
        "nature": "quantitatif",
        "sens": "hausse",
        "valeur_reference": "0",
        "date_reference": "2025-09-01",
        "cible": "40",
        "frequence": "trimestrielle",
        "responsable": organisation.pk,
    }
    client.post(reverse("evaluation:nouvel_indicateur", args=[charte.slug]) + f"?fiche={fiche.pk}", donnees)
    indicateur = Indicateur.objects.get()
    [creation] = traces(Indicateur)
    assert (creation.auteur, creation.charte, creation.changements["Valeur cible"]) == (
        personnes["partenaire"],
        charte,
        [None, "40.00"],
    )
    modifier = reverse("evaluation:modifier_indicateur", args=[charte.slug, indicateur.pk])
    client.post(modifier, donnees | {"cible": "45,5", "niveau": "impact"})
    assert traces(Indicateur)[-1].changements == {"Niveau": ["Résultat", "Impact"], "Valeur cible": ["40.00", "45.50"]}
    client.post(
        reverse("evaluation:mesurer", args=[charte.slug, indicateur.pk]), {"date": "2026-10-01", "valeur": "12"}
    )
    [mesure] = traces(Mesure)
    assert (mesure.auteur, mesure.charte, mesure.objet) == (
        personnes["partenaire"],
        charte,
        "Familles accueillies au relais au 01/10/2026",
    )
    assert mesure.changements == {
        "Date de la mesure": [None, "2026-10-01"],
        "Valeur": [None, "12.00"],
        "Saisie par": [None, str(personnes["partenaire"])],
    }


def test_supprimer_une_fiche_trace_tout_ce_qui_part_avec_elle(charte, personnes):
    """No page deletes a fiche; an administrator may (admin, shell): the trail keeps all it held."""
    fiche = FicheActionFactory(charte=charte)
    LigneBudgetFactory(fiche=fiche, montant_prevu=Decimal("900"))
    FinancementFactory(fiche=fiche)
    IndicateurFactory(fiche=fiche).mesures.create(date=datetime.date(2026, 1, 1), valeur=3)
    with au_nom_de(personnes["coordinateur"]):
        fiche.delete()
    supprimes = Trace.objects.filter(action="suppression")
    assert sorted(supprimes.values_list("type_objet__model", flat=True)) == [
        "ficheaction",
        "financement",
        "indicateur",
        "lignebudget",
        "mesure",
    ]
    assert {(t.auteur, t.charte) for t in supprimes} == {(personnes["coordinateur"], charte)}
    trace = supprimes.get(type_objet__model="ficheaction")
    assert trace.changements["Priorités auxquelles elle répond"] == [[str(Priorite.objects.get())], None]


def test_supprimer_une_charte_garde_le_journal_de_ce_qu_elle_contenait(charte, personnes):
    # (A charter whose priorities are decided cannot be deleted: a priority protects its need.)
    fiche = FicheActionFactory(charte=charte, titre="Créer un relais", priorites=[])
    LigneBudgetFactory(fiche=fiche)
    Besoin.objects.create(charte=charte, domaine="sante", titre="Accès aux soins")
    with au_nom_de(personnes["coordinateur"]):
        fiche.titre = "Ouvrir un relais"
        fiche.save()
    numero = fiche.numero
    with au_nom_de(UtilisateurFactory(is_superuser=True)):
        charte.delete()
    # The trail outlives the charter: its traces, and those of the deletion, belong to no charter any more.
    assert set(Trace.objects.values_list("charte", flat=True)) == {None}
    assert Trace.objects.get(type_objet__model="ficheaction", action="modification").auteur == personnes["coordinateur"]
    assert Trace.objects.filter(
        type_objet__model="ficheaction", action="suppression", objet=f"{numero}. Ouvrir un relais"
    )


def test_une_modification_annulee_ne_laisse_aucune_trace(charte, personnes):
    seance = seance_de(charte)
    voter_et_clore(seance)
    demain = timezone.localdate() + datetime.timedelta(days=1)
    besoin = Besoin.objects.get(pk=besoin_de(seance, "Santé"))
    nombre = Trace.objects.count()
    # The priorities are written, then validating the gate on a future date fails: all is undone.
    with au_nom_de(personnes["coordinateur"]), pytest.raises(ValidationError):
        decider_priorites(seance, [Decision(besoin, "Se soigner")], le=demain, instance="copil", par=None)
    assert not charte.priorites.exists()
    assert Trace.objects.count() == nombre


@shared_task
def renommer_besoin(besoin_pk, titre):
    besoin = Besoin.objects.get(pk=besoin_pk)
    besoin.titre = titre
    besoin.save()


def test_une_tache_de_fond_n_a_pas_d_auteur_meme_lancee_par_une_requete(charte, personnes):
    besoin = Besoin.objects.create(charte=charte, domaine="sante", titre="Accès aux soins")
    with au_nom_de(personnes["coordinateur"]):
        renommer_besoin.delay(besoin.pk, "Par la tâche")  # tasks run in-process in these tests
        besoin.refresh_from_db()
        besoin.titre = "Par le coordinateur"
        besoin.save()
    tache, personne = traces(Besoin, action="modification")
    assert (tache.auteur, tache.changements["Besoin"]) == (None, ["Accès aux soins", "Par la tâche"])
    assert personne.auteur == personnes["coordinateur"]


def test_une_commande_n_a_pas_d_auteur(charte):
    besoin = Besoin.objects.create(charte=charte, domaine="sante", titre="Accès aux soins")
    code = f"from diagnostic.models import Besoin; Besoin.objects.filter(pk={besoin.pk}).get().delete()"
    call_command("shell", command=code)
    [suppression] = traces(Besoin, action="suppression")
    assert (suppression.auteur, suppression.charte) == (None, charte)


# --- reading the trail ----------------------------------------------------------------------------


def test_la_page_du_journal_d_audit(client_de, charte, personnes):
    coordinateur = personnes["coordinateur"]
    with au_nom_de(coordinateur):
        gardee, retiree = FicheActionFactory(charte=charte, titre="Gardée"), FicheActionFactory(charte=charte)
        lien_de_la_retiree = url("fiche", retiree)
        retiree.delete()
    besoin = Besoin.objects.create(charte=charte, domaine="sante", titre="Ajouté par une commande")
    with au_nom_de(coordinateur):
        besoin.titre = "Renommé <b>à la main</b>"
        besoin.save()
    client = client_de(coordinateur)
    page = reverse("charte:audit", args=[charte.slug])
    contenu = client.get(page).content.decode()
    assert f'<a href="{url("fiche", gardee)}">' in contenu  # still exists: linked
    assert f'<a href="{lien_de_la_retiree}">' not in contenu  # deleted: named only
    assert (
        "<del>Ajouté par une commande</del>" in contenu and "<ins>Renommé &lt;b&gt;à la main&lt;/b&gt;</ins>" in contenu
    )
    assert "Système" in contenu and str(coordinateur) in contenu
    besoins = client.get(page, {"genre": "diagnostic.besoin", "action": "modification"}).context["lignes"]
    assert [ligne.trace.objet for ligne in besoins] == ["Renommé <b>à la main</b>"]
    systeme = client.get(page, {"auteur": "systeme"}).context["lignes"]
    assert [(ligne.genre, ligne.trace.action) for ligne in systeme] == [("besoin", "creation")]
    # The journal leads to it; the référent reads the journal but not the audit trail.
    assert page in client.get(reverse("charte:journal", args=[charte.slug])).content.decode()
    referent = client_de(personnes["referent"])
    assert page not in referent.get(reverse("charte:journal", args=[charte.slug])).content.decode()
    assert referent.get(page).status_code == 403
    assert client_de(personnes["national"]).get(page).status_code == 200
    assert client_de(personnes["exterieur"]).get(page).status_code == 404


def test_l_administration_lit_le_journal_sans_pouvoir_le_modifier(client_de, charte):
    with au_nom_de(charte.membres.get().utilisateur):
        Besoin.objects.create(charte=charte, domaine="sante", titre="Accès aux soins")
    trace = Trace.objects.get()
    admin = client_de(UtilisateurFactory(is_staff=True, is_superuser=True))
    liste = admin.get(reverse("admin:charte_trace_changelist"), {"q": "soins"})
    assert liste.status_code == 200 and "Accès aux soins" in liste.content.decode()
    assert (
        admin.get(reverse("admin:charte_trace_changelist"), {"action__exact": "suppression"}).context["cl"].result_count
        == 0
    )
    detail = admin.get(reverse("admin:charte_trace_change", args=[trace.pk])).content.decode()
    assert "Accès aux soins" in detail and 'name="_save"' not in detail
    assert admin.get(reverse("admin:charte_trace_add")).status_code == 403
    assert admin.post(reverse("admin:charte_trace_change", args=[trace.pk]), {"objet": "Falsifié"}).status_code == 403
    assert admin.post(reverse("admin:charte_trace_delete", args=[trace.pk]), {"post": "yes"}).status_code == 403
    assert Trace.objects.get().objet == "Accès aux soins"
