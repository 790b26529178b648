"""The action plan through its pages: proposing, editing, reviewing, following and commenting a fiche."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from charte.models import Membre
from plan_actions import services
from plan_actions.models import FicheAction
from tests.factories import (
    CharteFactory,
    FicheActionFactory,
    FinancementFactory,
    LigneBudgetFactory,
    MembreFactory,
    OrganisationFactory,
    PrioriteFactory,
)

pytestmark = pytest.mark.django_db
TABLEAUX = ("contributions", "jalons", "budget", "financements")


def donnees_du_formulaire(fiche=None, priorite=None, pilote=None, **champs):
    """What the fiche form posts: its fields and the four (empty) tables, as a browser would send them."""
    donnees = {
        "titre": "Créer un relais petite enfance itinérant",
        "domaine": "petite_enfance",
        "type_action": "creation",
        "objectif_general": "Offrir un lieu d'information aux familles",
        "priorites": [priorite.pk] if priorite else [p.pk for p in fiche.priorites.all()],
        "pilote": pilote.pk if pilote else fiche.pilote_id,
        "date_debut": "2025-09-01",
        "date_fin": "2027-12-31",
    }
    if fiche is not None:
        donnees["version"] = fiche.version
    for prefixe in TABLEAUX:
        donnees |= {f"{prefixe}-TOTAL_FORMS": 0, f"{prefixe}-INITIAL_FORMS": 0}
    return donnees | champs


def ajouter_ligne(donnees, prefixe, **champs):
    rang = donnees[f"{prefixe}-TOTAL_FORMS"]
    donnees |= {f"{prefixe}-{rang}-{nom}": valeur for nom, valeur in champs.items()}
    donnees[f"{prefixe}-TOTAL_FORMS"] = rang + 1
    return donnees


def url(nom, fiche):
    return reverse(f"plan_actions:{nom}", args=[fiche.charte.slug, fiche.pk])


@pytest.fixture
def partenaire_pilote(charte, personnes):
    """The partner of the test charter and their organisation."""
    membre = Membre.objects.get(charte=charte, utilisateur=personnes["partenaire"])
    return membre.utilisateur, membre.organisation


def test_un_partenaire_propose_une_fiche_avec_budget_et_financement(client_de, charte, partenaire_pilote):
    partenaire, organisation = partenaire_pilote
    priorite = PrioriteFactory(charte=charte)
    client = client_de(partenaire)
    page = client.get(reverse("plan_actions:nouvelle_fiche", args=[charte.slug]))
    assert page.context["form"].initial["pilote"] == organisation.pk
    donnees = donnees_du_formulaire(priorite=priorite, pilote=organisation)
    ajouter_ligne(
        donnees, "budget", annee=2026, nature="fonctionnement", libelle="Animatrice", montant_prevu="12000,50"
    )
    ajouter_ligne(donnees, "financements", financeur=organisation.pk, annee=2026, montant="6000", statut="accorde")
    ajouter_ligne(donnees, "jalons", libelle="Recrutement", date_prevue="2025-10-15")
    reponse = client.post(reverse("plan_actions:nouvelle_fiche", args=[charte.slug]), donnees)
    fiche = FicheAction.objects.get(charte=charte)
    assert reponse.status_code == 302 and reponse.url == url("fiche", fiche)
    assert (fiche.numero, fiche.statut, fiche.pilote, fiche.creee_par) == (1, "brouillon", organisation, partenaire)
    assert fiche.lignes_budget.get().montant_prevu == Decimal("12000.50")
    page = client.get(url("fiche", fiche)).content.decode()
    assert "Le plan de financement couvre 50 % du budget : il manque 6\xa0000,50 €" in page
    client.post(url("proposer", fiche))
    fiche.refresh_from_db()
    assert fiche.statut == "proposee" and fiche.proposee_par == partenaire


def test_le_referent_valide_et_la_validation_est_tracee(client_de, charte, personnes):
    fiche = FicheActionFactory(charte=charte, statut="proposee")
    client = client_de(personnes["referent"])
    client.post(url("valider", fiche))
    fiche.refresh_from_db()
    assert fiche.statut == "validee" and fiche.validee_par == personnes["referent"]
    page = client.get(url("fiche", fiche)).content.decode()
    assert f"le {timezone.localtime(fiche.validee_le):%d/%m/%Y} par {personnes['referent']}" in page
    assert "1 modification enregistrée" in page
    historique = client.get(url("historique_fiche", fiche)).content.decode()
    assert "<td>Statut</td>" in historique and "Proposée" in historique and "Validée" in historique


def test_renvoi_avec_motif_obligatoire_et_courriel(
    client_de, charte, personnes, partenaire_pilote, django_capture_on_commit_callbacks
):
    partenaire, organisation = partenaire_pilote
    fiche = FicheActionFactory(charte=charte, statut="proposee", pilote=organisation)
    client = client_de(personnes["referent"])
    vide = client.post(url("renvoyer", fiche), {"motif": "  "})
    assert vide.status_code == 200 and "Ce champ est obligatoire." in vide.content.decode()
    fiche.refresh_from_db()
    assert fiche.statut == "proposee"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("renvoyer", fiche), {"motif": "Chiffrer le poste d'animatrice"})
    fiche.refresh_from_db()
    assert fiche.statut == "brouillon"
    destinataires = sorted(m.to[0] for m in mail.outbox)
    assert partenaire.email in destinataires and personnes["coordinateur"].email in destinataires
    assert personnes["referent"].email not in destinataires  # the author is not told about their own comment
    assert personnes["observateur"].email not in destinataires
    assert all("Chiffrer le poste d'animatrice" in m.body for m in mail.outbox)


def test_le_partenaire_pilote_modifie_sa_fiche_pas_celle_d_un_autre(client_de, charte, partenaire_pilote):
    partenaire, organisation = partenaire_pilote
    sienne = FicheActionFactory(charte=charte, pilote=organisation)
    autre = FicheActionFactory(charte=charte, pilote=OrganisationFactory(nom="ARS Grand Est"))
    client = client_de(partenaire)
    assert client.get(url("modifier_fiche", sienne)).status_code == 200
    assert client.post(url("modifier_fiche", autre), donnees_du_formulaire(autre)).status_code == 403
    reponse = client.post(url("modifier_fiche", sienne), donnees_du_formulaire(sienne, titre="Ouvrir un relais"))
    assert reponse.status_code == 302
    sienne.refresh_from_db()
    assert sienne.titre == "Ouvrir un relais"
    assert sienne.historique.get(champ="Intitulé").nouvelle_valeur == "Ouvrir un relais"


def test_deux_personnes_modifient_la_meme_fiche_la_seconde_est_prevenue(client_de, charte, personnes):
    fiche = FicheActionFactory(charte=charte)
    premiere = donnees_du_formulaire(fiche, titre="Titre de la première")
    seconde = donnees_du_formulaire(fiche, titre="Titre de la seconde")  # opened on the same version
    client = client_de(personnes["coordinateur"])
    assert client.post(url("modifier_fiche", fiche), premiere).status_code == 302
    reponse = client.post(url("modifier_fiche", fiche), seconde)
    page = reponse.content.decode()
    assert reponse.status_code == 200
    assert "Quelqu&#x27;un a enregistré cette fiche pendant que vous la modifiiez" in page
    assert 'value="Titre de la seconde"' in page  # their input is still on screen
    fiche.refresh_from_db()
    assert fiche.titre == "Titre de la première"
    # Saving again from the page shown (now on the current version) goes through.
    seconde["version"] = reponse.context["form"].data["version"]
    assert client.post(url("modifier_fiche", fiche), seconde).status_code == 302
    fiche.refresh_from_db()
    assert fiche.titre == "Titre de la seconde"


@pytest.mark.parametrize(
    ("ligne", "message"),
    [
        ({"date_fin": "2024-01-01"}, "La fin de l&#x27;action doit suivre son début."),
        ({"priorites": []}, "Choisissez au moins une priorité à laquelle la fiche répond."),
    ],
)
def test_une_saisie_invalide_est_refusee_en_francais_et_rien_n_est_ecrit(client_de, charte, personnes, ligne, message):
    fiche = FicheActionFactory(charte=charte)
    client = client_de(personnes["coordinateur"])
    donnees = donnees_du_formulaire(fiche, titre="Ne doit pas être enregistré", **ligne)
    ajouter_ligne(donnees, "budget", annee=2026, nature="fonctionnement", libelle="Poste", montant_prevu="100")
    reponse = client.post(url("modifier_fiche", fiche), donnees)
    assert reponse.status_code == 200 and message in reponse.content.decode()
    fiche.refresh_from_db()
    assert fiche.titre != "Ne doit pas être enregistré" and not fiche.lignes_budget.exists()


def test_un_montant_negatif_ou_un_financeur_en_double_est_refuse(client_de, charte, personnes):
    fiche = FicheActionFactory(charte=charte)
    caf = OrganisationFactory(nom="CAF de la Meuse", departement="")
    client = client_de(personnes["coordinateur"])
    donnees = donnees_du_formulaire(fiche)
    ajouter_ligne(donnees, "budget", annee=2026, nature="fonctionnement", libelle="Poste", montant_prevu="-5")
    ajouter_ligne(donnees, "financements", financeur=caf.pk, annee=2026, montant="10", statut="sollicite")
    ajouter_ligne(donnees, "financements", financeur=caf.pk, annee=2026, montant="20", statut="sollicite")
    page = client.post(url("modifier_fiche", fiche), donnees).content.decode()
    assert "Assurez-vous que cette valeur est supérieure ou égale à 0" in page
    assert "données en double" in page
    assert not fiche.lignes_budget.exists() and not fiche.financements.exists()


@pytest.mark.parametrize("tableau", TABLEAUX)
def test_une_page_annoncant_des_milliers_de_lignes_est_refusee_sans_les_construire(
    client_de, charte, personnes, tableau
):
    """Found by tests/hostile: a tampered row count built and showed 1 060 rows per table (seconds per request)."""
    fiche = FicheActionFactory(charte=charte)
    donnees = donnees_du_formulaire(fiche, titre="Ne doit pas être enregistré") | {f"{tableau}-TOTAL_FORMS": 10**20}
    page = client_de(personnes["coordinateur"]).post(url("modifier_fiche", fiche), donnees).content.decode()
    assert "Veuillez soumettre au plus 60 formulaires." in page
    assert page.count(f'name="{tableau}-') < 70 * 9  # 60 rows at most (1 060 before)
    fiche.refresh_from_db()
    assert fiche.titre != "Ne doit pas être enregistré"


def test_suivi_du_pilote_fait_avancer_la_fiche(client_de, charte, personnes):
    fiche = FicheActionFactory(charte=charte, statut="validee")
    client = client_de(personnes["coordinateur"])
    futur = {"date": "2099-01-01", "texte": "x", "avancement": 10, "statut": "en_cours"}
    assert "pas de date future" in client.post(url("suivi", fiche), futur).content.decode()
    client.post(url("suivi", fiche), futur | {"date": "2026-03-02", "texte": "Animatrice recrutée", "avancement": 30})
    fiche.refresh_from_db()
    assert (fiche.statut, fiche.avancement) == ("en_cours", 30)
    page = client.get(url("fiche", fiche)).content.decode()
    assert "Animatrice recrutée" in page and "2 mars 2026" in page


def test_pas_de_suivi_avant_la_validation(client_de, charte, personnes):
    fiche = FicheActionFactory(charte=charte)
    donnees = {"date": "2026-03-02", "texte": "Trop tôt", "avancement": 10, "statut": "en_cours"}
    client_de(personnes["coordinateur"]).post(url("suivi", fiche), donnees)
    assert not fiche.suivis.exists()


def test_une_fiche_d_une_autre_charte_repond_404(client_de, charte, personnes):
    etrangere = FicheActionFactory(charte=CharteFactory())
    client = client_de(personnes["coordinateur"])
    for nom in ("fiche", "modifier_fiche", "impression_fiche"):
        assert client.get(reverse(f"plan_actions:{nom}", args=[charte.slug, etrangere.pk])).status_code == 404
    assert client.post(reverse("plan_actions:valider", args=[charte.slug, etrangere.pk])).status_code == 404


def test_liste_filtree_triee_et_totalisee(client_de, charte, personnes):
    caf, ars = OrganisationFactory(nom="CAF"), OrganisationFactory(nom="ARS")
    MembreFactory(charte=charte, partenaire=True, organisation=ars)
    une = FicheActionFactory(charte=charte, pilote=caf, titre="Bâtir", statut="validee")
    deux = FicheActionFactory(charte=charte, pilote=ars, titre="Animer", date_debut=datetime.date(2027, 1, 1))
    LigneBudgetFactory(fiche=une, montant_prevu=Decimal("1000"))
    LigneBudgetFactory(fiche=deux, montant_prevu=Decimal("3000"), annee=2028)
    FinancementFactory(fiche=deux, financeur=caf, montant=Decimal("1500"), annee=2028)
    client = client_de(personnes["observateur"])
    base = reverse("plan_actions:plan", args=[charte.slug])
    toutes = client.get(base)
    assert [f.pk for f in toutes.context["fiches"]] == [une.pk, deux.pk]
    assert toutes.context["totaux"]["budget_prevu"] == Decimal("4000")
    assert [f.pk for f in client.get(base, {"pilote": ars.pk}).context["fiches"]] == [deux.pk]
    assert [f.pk for f in client.get(base, {"financeur": caf.pk}).context["fiches"]] == [deux.pk]
    assert [f.pk for f in client.get(base, {"statut": "validee"}).context["fiches"]] == [une.pk]
    assert [f.pk for f in client.get(base, {"annee": 2028}).context["fiches"]] == [deux.pk]
    assert [f.pk for f in client.get(base, {"tri": "titre"}).context["fiches"]] == [deux.pk, une.pk]
    filtree = client.get(base, {"pilote": ars.pk})
    assert filtree.context["totaux"]["budget_prevu"] == Decimal("3000")
    assert "1 fiche sur 2 (filtre appliqué)" in filtree.content.decode()


@pytest.mark.parametrize("valeur", ["²", "9" * 100_000])
def test_un_id_qui_n_est_pas_un_nombre_est_ignore(client_de, charte, personnes, valeur):
    """Found by tests/hostile: "²" passes str.isdigit() and fails int(), as do 100 000 digits (server error)."""
    client = client_de(personnes["coordinateur"])
    assert (
        client.get(reverse("plan_actions:nouvelle_fiche", args=[charte.slug]), {"priorite": valeur}).status_code == 200
    )
    version = services.figer_version(charte, None, "Plan signé")
    assert (
        client.get(reverse("plan_actions:comparer", args=[charte.slug, version.pk]), {"avec": valeur}).status_code
        == 200
    )


@pytest.mark.parametrize("annee", ["-1", "0", "10000"])
def test_une_annee_hors_du_siecle_ne_filtre_pas_le_plan(client_de, charte, personnes, annee):
    """Found by tests/hostile: a year -1 cannot be compared with a date (server error)."""
    FicheActionFactory(charte=charte)
    reponse = client_de(personnes["coordinateur"]).get(
        reverse("plan_actions:plan", args=[charte.slug]), {"annee": annee}
    )
    assert reponse.status_code == 200 and len(reponse.context["fiches"]) == 1


def test_figer_une_version_et_comparer(client_de, charte, personnes):
    fiche = FicheActionFactory(charte=charte)
    client = client_de(personnes["coordinateur"])
    client.post(reverse("plan_actions:versions", args=[charte.slug]), {"libelle": "COPIL de mars"})
    version = charte.versions_plan.get()
    FicheAction.objects.filter(pk=fiche.pk).update(date_fin=datetime.date(2028, 6, 30))
    page = client.get(reverse("plan_actions:comparer", args=[charte.slug, version.pk])).content.decode()
    assert "31/12/2027" in page and "30/06/2028" in page and "1 modifiée" in page


def test_signature_du_plan_par_la_page(client_de, charte, personnes):
    FicheActionFactory(charte=charte, statut="validee")
    client = client_de(personnes["coordinateur"])
    reponse = client.post(reverse("plan_actions:signer", args=[charte.slug]), {"le": "2025-07-10", "instance": "COPIL"})
    assert reponse.status_code == 302
    assert charte.etapes.get(numero=3).jalon_valide_le == datetime.date(2025, 7, 10)
    assert charte.versions_plan.get().libelle == "Plan signé le 10/07/2025 (COPIL)"


def donnees_financements(financements, **par_pk):
    donnees = {"form-TOTAL_FORMS": len(financements), "form-INITIAL_FORMS": len(financements)}
    for rang, f in enumerate(financements):
        valeurs = {"id": f.pk, "montant": str(f.montant).replace(".", ","), "statut": f.statut}
        valeurs |= {"version_fiche": f.fiche.version} | par_pk.get(f.pk, {})
        donnees |= {f"form-{rang}-{nom}": v for nom, v in valeurs.items()}
    return donnees


def test_un_financeur_tient_a_jour_ses_financements(client_de, charte, partenaire_pilote):
    partenaire, caf = partenaire_pilote
    fiche = FicheActionFactory(charte=charte)
    sien = FinancementFactory(fiche=fiche, financeur=caf, montant=Decimal("5000"), statut="sollicite")
    autre = FinancementFactory(fiche=fiche, montant=Decimal("700"))
    client = client_de(partenaire)
    page = client.get(reverse("plan_actions:financements", args=[charte.slug]))
    assert [f.instance for f in page.context["formset"]] == [sien]  # only its own organisation's lines
    donnees = donnees_financements([sien], **{str(sien.pk): {}})
    donnees |= {"form-0-statut": "accorde", "form-0-montant": "4500,00"}
    client.post(reverse("plan_actions:financements", args=[charte.slug]), donnees)
    sien.refresh_from_db()
    autre.refresh_from_db()
    assert (sien.statut, sien.montant, autre.montant) == ("accorde", Decimal("4500"), Decimal("700"))
    ligne = fiche.historique.get(champ=f"Financement {caf} 2026")
    assert (ligne.ancienne_valeur, ligne.nouvelle_valeur, ligne.auteur) == (
        "5\xa0000,00 € (sollicité)",
        "4\xa0500,00 € (accordé)",
        partenaire,
    )


def test_financement_modifie_pendant_la_saisie_rien_n_est_ecrase(client_de, charte, partenaire_pilote):
    partenaire, caf = partenaire_pilote
    fiche = FicheActionFactory(charte=charte)
    sien = FinancementFactory(fiche=fiche, financeur=caf, montant=Decimal("5000"))
    donnees = donnees_financements([sien]) | {"form-0-statut": "verse"}
    FicheAction.objects.filter(pk=fiche.pk).update(version=fiche.version + 1)  # the pilot saved meanwhile
    page = client_de(partenaire).post(reverse("plan_actions:financements", args=[charte.slug]), donnees)
    assert "a été modifiée pendant votre saisie" in page.content.decode()
    sien.refresh_from_db()
    assert sien.statut == "sollicite"


def test_chaque_priorite_mene_a_ses_fiches(client_de, charte, personnes):
    repondue, orpheline = PrioriteFactory(charte=charte, intitule="Garder"), PrioriteFactory(charte=charte)
    fiche = FicheActionFactory(charte=charte, priorites=[repondue], titre="Ouvrir une micro-crèche")
    page = client_de(personnes["partenaire"]).get(reverse("priorisation:seances", args=[charte.slug])).content.decode()
    assert f'<a href="{url("fiche", fiche)}">{fiche.numero}. Ouvrir une micro-crèche</a>' in page
    assert page.count("Aucune fiche action n'y répond encore.") == 1
    assert f"nouvelle/?priorite={orpheline.pk}" in page


def test_un_commentaire_est_publie_meme_si_la_file_de_taches_est_injoignable(
    client_de, charte, personnes, django_capture_on_commit_callbacks
):
    """Redis down: the comment is saved and the page works; only the e-mail notice is lost (and logged)."""
    from tests.rapports.test_taches_rapports import file_de_taches

    fiche = FicheActionFactory(charte=charte)
    with file_de_taches("redis://127.0.0.1:1/0"), django_capture_on_commit_callbacks(execute=True):  # nothing there
        reponse = client_de(personnes["referent"]).post(url("commenter", fiche), {"texte": "Bien noté"})
    assert reponse.status_code == 302
    assert fiche.commentaires.get().texte == "Bien noté"
