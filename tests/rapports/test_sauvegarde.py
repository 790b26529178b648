"""A whole charter exported, deleted as if the installation were new, imported back: the same charter."""

import datetime
import io
import json
import re
import secrets
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from charte.models import Charte, Invitation, Journal, Utilisateur
from diagnostic import retention
from diagnostic.comptages import replier
from diagnostic.models import Enquete, Reponse, Valeur
from diagnostic.services import creer_enquete, enregistrer_reponse
from plan_actions.models import FicheAction, Jalon
from rapports.models import Rapport
from rapports.sauvegarde import NATURELLES, TABLES, SauvegardeInvalide, exporter, importer
from territoires.models import Commune, Famille, Organisation
from tests.diagnostic.conftest import QUESTIONNAIRE
from tests.factories import MOT_DE_PASSE, CommuneFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4 rapport de COPIL archive"
PROJET = ["territoires", "charte", "diagnostic", "priorisation", "plan_actions", "evaluation", "rapports"]


def sauvegarde(charte, **options):
    tampon = io.BytesIO()
    exporter(charte, tampon, **options)
    return tampon.getvalue()


def document(archive):
    """The backup's JSON document, without the moment it was written."""
    with zipfile.ZipFile(io.BytesIO(archive)) as fichier:
        contenu = json.loads(fichier.read("charte.json"))
    del contenu["exportee_le"]
    return contenu


def supprimer(charte, utilisateurs):
    """What a fresh installation lacks: the charter, its households, its people (the referentiel stays)."""
    familles = list(Famille.objects.filter(reponse__enquete__charte=charte).values_list("pk", flat=True))
    for modele, chemin in reversed(TABLES):  # children first: PROTECT keeps needs, questions and reports
        modele.objects.filter(**{chemin: charte.pk}).delete()
    Famille.objects.filter(pk__in=familles).delete()
    Utilisateur.objects.filter(username__in=utilisateurs).delete()


def etat_de_la_base():
    return {modele._meta.label: modele.objects.count() for modele, _ in TABLES} | {
        "utilisateurs": Utilisateur.objects.count(),
        "organisations": Organisation.objects.count(),
    }


def chiffres_des_pages(client, charte):
    """What people read: the dashboard, each survey's results, the budget's amounts, the report's PDF."""
    slug = charte.slug
    assert client.get(reverse("rapports:tableau_de_bord", args=[slug])).status_code == 200
    resultats = {}
    for enquete in charte.enquetes.order_by("titre"):
        page = client.get(reverse("diagnostic:resultats", args=[slug, enquete.pk]))
        resultats[enquete.titre] = (
            page.context["nb_filtrees"],
            [
                (r.question.code, r.repondants, [b.effectif for b in r.barres], r.moyenne, len(r.textes))
                for r in page.context["resultats"]
            ],
        )
    budget = client.get(reverse("plan_actions:budget", args=[slug])).content.decode()
    rapport = charte.rapports.get()
    pdf = client.get(reverse("rapports:telecharger", args=[slug, rapport.pk]))
    audit = client.get(reverse("charte:audit", args=[slug])).context["lignes"]
    return {
        "resultats": resultats,
        "audit": [(ligne.trace.action, ligne.trace.objet, ligne.genre, ligne.lien is not None) for ligne in audit],
        "montants": re.findall(r"[\d\u202f\xa0]+(?:,\d+)? €", budget),
        "pdf": b"".join(pdf.streaming_content),
        "comparaison": client.get(reverse("evaluation:comparaison", args=[slug])).status_code,
    }


def enrichir(charte):
    """The demo charter, plus what the demo lacks: running counts with answers since, an anonymised survey,
    a report's PDF, a pending invitation, a plan baseline naming a fiche deleted since, a milestone deleted."""
    diagnostic, satisfaction = charte.enquetes.order_by("creee_le")
    replier(diagnostic)
    question = diagnostic.questions.filter(type="texte_long").first()
    enregistrer_reponse(
        diagnostic,
        profil={"commune": charte.communes.first(), "nombre_enfants": 1, "ages_enfants": [3]},
        valeurs=[{"question": question, "texte": "Une réponse arrivée après le dernier repli"}],
        canal=Reponse.Canal.EN_LIGNE,
        jeton=secrets.token_hex(8),
    )
    retention.anonymiser(satisfaction, datetime.date(2026, 1, 1), 12)
    rapport = Rapport.objects.create(charte=charte, type=Rapport.Type.COPIL, statut=Rapport.Statut.PRET)
    rapport.fichier.save("rapport-copil.pdf", ContentFile(PDF))
    Invitation.objects.create(charte=charte, email="nouvelle@exemple.fr", role="observateur")
    version = charte.versions_plan.get()
    fiche = next(iter(version.contenu.values()))
    version.contenu[str(FicheAction.objects.order_by("pk").last().pk + 1000)] = fiche | {"numero": 99}
    version.save()
    Jalon.objects.filter(fiche__charte=charte).order_by("pk").first().delete()  # its audit trail names a deleted row


def test_une_charte_exportee_puis_importee_dans_une_installation_neuve_est_la_meme(client_de):
    call_command("seed_demo")
    charte = Charte.objects.get(territoire__siren="200066140")
    enrichir(charte)
    coordinateur = charte.membres.get(role="coordinateur").utilisateur
    avant = chiffres_des_pages(client_de(coordinateur), charte)
    archive = sauvegarde(charte)
    premier = document(archive)
    utilisateurs = [ligne[0] for ligne in premier["utilisateurs"]["lignes"]]
    assert "agent.msa" in utilisateurs and "agent.msa2" not in utilisateurs
    assert all("password" not in colonne for colonne in premier["utilisateurs"]["colonnes"])

    supprimer(charte, utilisateurs)
    assert not Charte.objects.filter(slug=charte.slug).exists()
    importe = importer(io.BytesIO(archive))

    nouvelle = Charte.objects.get(slug=charte.slug)
    assert nouvelle.pk != charte.pk and importe.slug == charte.slug
    assert document(sauvegarde(nouvelle)) == premier
    assert {c.username for c in importe.comptes_crees} == set(utilisateurs)
    coordinateur = Utilisateur.objects.get(username="agent.msa")
    assert not coordinateur.check_password("demo") and coordinateur.est_agent_msa
    apres = chiffres_des_pages(client_de(coordinateur), nouvelle)
    assert apres == avant
    assert len(avant["resultats"]) == 2 and len(avant["montants"]) > 20 and avant["comparaison"] == 200
    # The audit trail: the milestone's deletion first, then earlier changes of objects still there (linked).
    assert (avant["audit"][0][0], avant["audit"][0][2]) == ("suppression", "étape clé")
    traces = premier["tables"]["charte.Trace"]
    objets = [ligne[traces["colonnes"].index("objet_id")] for ligne in traces["lignes"]]
    assert sum(str(objet).startswith("supprime:") for objet in objets) >= 2  # its creation and deletion, at least
    assert {lien for *_debut, lien in avant["audit"]} == {True, False}  # live objects linked, deleted ones not
    # The running counts were rebuilt around the new ids: the answer since the last fold is still "since".
    diagnostic = nouvelle.enquetes.order_by("creee_le").first()
    assert diagnostic.reponses.filter(pk__gt=diagnostic.comptee_jusqu_a).count() == 1

    etat = etat_de_la_base()
    with pytest.raises(SauvegardeInvalide, match="existe déjà dans cette installation"):
        importer(io.BytesIO(archive))
    assert etat_de_la_base() == etat


@pytest.fixture
def petite_charte(charte, personnes, enquete):
    """A small charter with a survey answered: enough for the refused imports."""
    question = enquete.questions.get(code="garde")
    enregistrer_reponse(
        enquete,
        profil={"commune": charte.communes.order_by("nom").first()},
        valeurs=[{"question": question, "option": question.options.get(libelle="Autre"), "texte": "Voisine"}],
        canal=Reponse.Canal.PAPIER,
        jeton=secrets.token_hex(8),
        par=personnes["partenaire"],
    )
    return charte


@pytest.fixture
def enquete(charte):
    charte.communes.add(CommuneFactory(nom="Beausite", territoire=charte.territoire))
    return creer_enquete(charte, QUESTIONNAIRE, par=None)


def corrompre(archive, modifier):
    """The same backup, its document changed by `modifier(texte) -> texte`."""
    with zipfile.ZipFile(io.BytesIO(archive)) as source:
        texte = source.read("charte.json").decode()
    tampon = io.BytesIO()
    with zipfile.ZipFile(tampon, "w") as cible:
        cible.writestr("charte.json", modifier(texte))
    return tampon.getvalue()


def commune_inconnue(texte):
    document = json.loads(texte)
    familles = document["tables"]["territoires.Famille"]
    familles["lignes"][0][familles["colonnes"].index("commune")] = "99999"
    return json.dumps(document)


@pytest.mark.parametrize(
    ("modifier", "message"),
    [
        (lambda texte: texte[: len(texte) // 2], "illisible"),
        (lambda texte: texte.replace('"version": 1', '"version": 7', 1), "format n° 7"),
        (lambda texte: texte.replace('"format": "chartes-avec-les-familles"', '"format": "autre"', 1), "pas une"),
        (commune_inconnue, "99999"),
    ],
    ids=["json-tronque", "version-inconnue", "autre-format", "commune-inconnue"],
)
def test_une_sauvegarde_abimee_est_refusee_sans_rien_ecrire(petite_charte, modifier, message):
    archive = corrompre(sauvegarde(petite_charte), modifier)
    slug = petite_charte.slug
    supprimer(petite_charte, [])
    etat = etat_de_la_base()
    with pytest.raises(SauvegardeInvalide, match=message):
        importer(io.BytesIO(archive))
    assert etat_de_la_base() == etat and not Charte.objects.filter(slug=slug).exists()


def test_une_reference_vers_une_ligne_absente_annule_tout_l_import(petite_charte, tmp_path):
    def valeur_orpheline(texte):
        document = json.loads(texte)
        valeurs = document["tables"]["diagnostic.Valeur"]
        valeurs["lignes"][-1][valeurs["colonnes"].index("reponse")] = 42
        return json.dumps(document)

    fichier = tmp_path / "charte.zip"
    fichier.write_bytes(corrompre(sauvegarde(petite_charte), valeur_orpheline))
    utilisateurs = list(petite_charte.membres.values_list("utilisateur__username", flat=True))
    supprimer(petite_charte, utilisateurs)
    etat = etat_de_la_base()
    with pytest.raises(CommandError, match="ligne 42 de la table diagnostic.Reponse"):
        call_command("importer_charte", str(fichier))
    # Nothing half-written: no charter, no account, no household.
    assert etat_de_la_base() == etat


def test_une_charte_deja_presente_sous_un_autre_nom_est_refusee(petite_charte):
    archive = sauvegarde(petite_charte)
    Charte.objects.filter(pk=petite_charte.pk).update(slug="ancien-nom")  # same survey link, same tokens
    etat = etat_de_la_base()
    with pytest.raises(SauvegardeInvalide, match="existent déjà dans cette installation"):
        importer(io.BytesIO(archive))
    assert etat_de_la_base() == etat


def test_les_commandes_exportent_et_importent(petite_charte, tmp_path, capsys, client, mailoutbox):
    fichier = tmp_path / "sauvegarde.zip"
    call_command("exporter_charte", petite_charte.slug, "--sortie", str(fichier))
    assert "exportée" in capsys.readouterr().out
    utilisateurs = list(petite_charte.membres.values_list("utilisateur__username", flat=True))
    supprimer(petite_charte, utilisateurs)
    call_command("importer_charte", str(fichier))
    sortie = capsys.readouterr().out
    assert "Mot de passe oublié" in sortie and f"/chartes/{petite_charte.slug}/" in sortie
    # The old password does not travel; « Mot de passe oublié » sends the link that sets a new one.
    coordinateur = Utilisateur.objects.get(username=utilisateurs[0])
    assert not coordinateur.check_password(MOT_DE_PASSE)
    client.post(reverse("comptes:reinitialisation"), {"email": coordinateur.email})
    assert [m.to for m in mailoutbox] == [[coordinateur.email]]
    with pytest.raises(CommandError, match="Aucune charte « nexiste-pas »"):
        call_command("exporter_charte", "nexiste-pas")


def test_un_compte_deja_present_est_garde_tel_quel(petite_charte):
    archive = sauvegarde(petite_charte)
    partenaire = petite_charte.membres.get(role="partenaire").utilisateur
    supprimer(petite_charte, [])  # the accounts stay: they already exist in the target installation
    Utilisateur.objects.filter(pk=partenaire.pk).update(first_name="Prénom changé depuis")
    importe = importer(io.BytesIO(archive))
    assert importe.comptes_crees == []
    partenaire.refresh_from_db()
    assert partenaire.first_name == "Prénom changé depuis" and partenaire.has_usable_password()
    assert Charte.objects.get(slug=petite_charte.slug).membres.filter(utilisateur=partenaire).exists()


def test_le_telechargement_est_complet_pour_le_coordinateur_et_sans_donnees_des_familles_pour_le_national(
    petite_charte, personnes, client_de
):
    url = reverse("rapports:sauvegarde", args=[petite_charte.slug])
    reponse = client_de(personnes["coordinateur"]).get(url)
    assert reponse["Content-Type"] == "application/zip"
    assert f"sauvegarde-{petite_charte.slug}-" in reponse["Content-Disposition"]
    complet = document(b"".join(reponse.streaming_content))
    assert complet["donnees_personnelles"] is True and "Voisine" in json.dumps(complet, ensure_ascii=False)
    assert len(complet["tables"]["territoires.Famille"]["lignes"]) == 1

    reponse = client_de(personnes["national"]).get(url)
    assert "sans-donnees-familles" in reponse["Content-Disposition"]
    reduit = document(b"".join(reponse.streaming_content))
    assert reduit["donnees_personnelles"] is False and "Voisine" not in json.dumps(reduit, ensure_ascii=False)
    assert reduit["tables"]["territoires.Famille"]["lignes"] == []
    # The figures are all there: the same answers, the same ticked options.
    assert len(reduit["tables"]["diagnostic.Valeur"]["lignes"]) == len(complet["tables"]["diagnostic.Valeur"]["lignes"])
    journal = Journal.objects.filter(charte=petite_charte, action__startswith="Sauvegarde de la charte exportée")
    assert list(journal.values_list("auteur__username", flat=True)) == [
        personnes["national"].username,
        personnes["coordinateur"].username,
    ]


def test_la_page_des_rapports_propose_la_sauvegarde_a_qui_peut_la_telecharger(petite_charte, personnes, client_de):
    url = reverse("rapports:rapports", args=[petite_charte.slug])
    bouton = "Télécharger la sauvegarde (.zip)"
    for role, voit in [("coordinateur", True), ("national", True), ("referent", False), ("partenaire", False)]:
        assert (bouton in client_de(personnes[role]).get(url).content.decode()) is voit, role


def test_toutes_les_tables_du_projet_sont_sauvegardees():
    """A new model must say how it is saved: in TABLES (rows of a charter) or shared (named by a key)."""
    from django.apps import apps

    modeles = {m for app in PROJET for m in apps.get_app_config(app).get_models()}
    assert modeles == {m for m, _ in TABLES} | set(NATURELLES)
    assert {Commune, Organisation} <= set(NATURELLES)


def test_une_enquete_anonymisee_garde_ses_comptes_apres_l_import(petite_charte):
    enquete = Enquete.objects.get(charte=petite_charte)
    Reponse.objects.update(soumise_le=timezone.now() - datetime.timedelta(hours=1))
    retention.anonymiser(enquete, datetime.date(2026, 1, 1), 12)
    archive = sauvegarde(petite_charte)
    supprimer(petite_charte, [])
    importer(io.BytesIO(archive))
    importee = Enquete.objects.get(charte__slug=petite_charte.slug)
    assert importee.anonymisee_le is not None and not Valeur.objects.filter(reponse__enquete=importee).exists()
    garde = importee.questions.get(code="garde")
    autre = garde.options.get(libelle="Autre")
    assert set(garde.comptages.values_list("cle", "effectif")) == {("*", 1), (f"{autre.pk}|", 1)}
