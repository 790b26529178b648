"""Stage 4's closing pages: each action's evaluation grid, the families' voice before/after, the final assessment."""

import datetime
import secrets

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from charte.models import Charte, Journal, Membre
from diagnostic.models import Enquete, Reponse
from diagnostic.services import creer_enquete, enregistrer_reponse
from evaluation.comparaison import comparer, enquetes_de
from evaluation.demo_satisfaction import creer_demo_satisfaction
from evaluation.models import AppreciationAction, BilanFinal, Critere, Indicateur, Mesure
from evaluation.views_bilan import appreciations_de, jeton_de
from tests.conftest import compter_requetes
from tests.factories import (
    CharteFactory,
    CommuneFactory,
    FicheActionFactory,
    FinancementFactory,
    IndicateurFactory,
    LigneBudgetFactory,
    MembreFactory,
    UtilisateurFactory,
)

pytestmark = pytest.mark.django_db
MAX_REQUETES = 15
TOUS_LES_CRITERES = dict.fromkeys(Critere.values, 3)


# --- the evaluation grid ------------------------------------------------------------------------------


@pytest.fixture
def fiche(charte, personnes):
    """A fiche of the plan piloted by the test partner's organisation."""
    organisation = Membre.objects.get(charte=charte, utilisateur=personnes["partenaire"]).organisation
    return FicheActionFactory(charte=charte, statut="en_cours", pilote=organisation)


def url_grille(fiche):
    return reverse("evaluation:grille", args=[fiche.charte.slug, fiche.pk])


def donnees_grille(fiche, niveaux, bouton="enregistrer", jeton=None):
    """What the grid form posts: a level and a justification per criterion given, the page's fingerprint."""
    donnees = {"jeton": jeton or jeton_de(appreciations_de(fiche)), bouton: ""}
    for critere, niveau in niveaux.items():
        donnees[f"{critere}-niveau"] = niveau
        donnees[f"{critere}-justification"] = f"Justification {critere} niveau {niveau}" if niveau else ""
    return donnees


def test_grille_redigee_par_le_pilote_puis_validee_par_le_coordinateur(client_de, fiche, personnes):
    pilote, coordinateur = personnes["partenaire"], personnes["coordinateur"]
    client = client_de(pilote)
    assert 'name="pertinence-niveau"' in client.get(url_grille(fiche)).content.decode()
    reponse = client.post(url_grille(fiche), donnees_grille(fiche, TOUS_LES_CRITERES))
    assert reponse.status_code == 302
    appreciations = AppreciationAction.objects.filter(fiche=fiche)
    assert appreciations.count() == 6
    assert {(a.niveau, a.redigee_par, a.validee_le) for a in appreciations} == {(3, pilote, None)}
    assert Journal.objects.filter(action__startswith=f"Grille d'évaluation de la fiche n° {fiche.numero} : 6 critères")
    # The pilot drafts, the coordinator validates.
    assert client.post(url_grille(fiche), donnees_grille(fiche, TOUS_LES_CRITERES, "valider")).status_code == 403

    client = client_de(coordinateur)
    reponse = client.post(url_grille(fiche), donnees_grille(fiche, TOUS_LES_CRITERES, "valider"))
    assert reponse.status_code == 302
    assert {(a.validee_par, a.redigee_par) for a in appreciations.all()} == {(coordinateur, pilote)}
    assert Journal.objects.filter(action=f"Grille d'évaluation de la fiche n° {fiche.numero} validée").exists()
    assert "Grille validée" in client.get(url_grille(fiche)).content.decode()


def test_modifier_un_critere_valide_retire_sa_validation(client_de, fiche, personnes):
    client_de(personnes["coordinateur"]).post(url_grille(fiche), donnees_grille(fiche, TOUS_LES_CRITERES, "valider"))
    client = client_de(personnes["partenaire"])
    reponse = client.post(url_grille(fiche), donnees_grille(fiche, TOUS_LES_CRITERES | {"impact": 2}))
    assert reponse.status_code == 302
    par_critere = {a.critere: a for a in AppreciationAction.objects.filter(fiche=fiche)}
    assert par_critere["impact"].niveau == 2
    assert par_critere["impact"].validee_le is None and par_critere["impact"].redigee_par == personnes["partenaire"]
    assert all(a.validee_le for critere, a in par_critere.items() if critere != "impact")


def test_une_grille_incomplete_ou_injustifiee_n_est_pas_enregistree(client_de, fiche, personnes):
    client = client_de(personnes["coordinateur"])
    reponse = client.post(url_grille(fiche), donnees_grille(fiche, {"pertinence": 4, "coherence": 3}, "valider"))
    assert reponse.status_code == 200
    assert "La grille se valide complète" in reponse.content.decode()
    donnees = donnees_grille(fiche, {"pertinence": 4}) | {"pertinence-justification": ""}
    reponse = client.post(url_grille(fiche), donnees)
    assert reponse.status_code == 200
    assert "Justifiez ce niveau" in reponse.content.decode()
    assert not AppreciationAction.objects.filter(fiche=fiche).exists()


def test_deux_saisies_simultanees_de_la_grille(client_de, fiche, personnes):
    jeton = jeton_de(appreciations_de(fiche))  # both pages opened on the empty grid
    client_de(personnes["coordinateur"]).post(url_grille(fiche), donnees_grille(fiche, {"pertinence": 4}, jeton=jeton))
    reponse = client_de(personnes["partenaire"]).post(
        url_grille(fiche), donnees_grille(fiche, {"pertinence": 1}, jeton=jeton)
    )
    assert reponse.status_code == 200
    assert "Quelqu&#x27;un a modifié cette grille" in reponse.content.decode()
    assert "Justification pertinence niveau 1" in reponse.content.decode()  # what they typed is kept
    assert AppreciationAction.objects.get(fiche=fiche).niveau == 4


@pytest.mark.parametrize("qui", ["observateur", "referent"])
def test_qui_ne_pilote_pas_l_action_lit_sans_formulaire(client_de, fiche, personnes, qui):
    client = client_de(personnes[qui])
    page = client.get(url_grille(fiche)).content.decode()
    assert "Grille d'évaluation" in page and 'name="pertinence-niveau"' not in page
    assert client.post(url_grille(fiche), donnees_grille(fiche, TOUS_LES_CRITERES)).status_code == 403
    assert not AppreciationAction.objects.exists()


def test_la_fiche_d_une_autre_charte_repond_404(client_de, charte, personnes):
    autre = FicheActionFactory(charte=CharteFactory(), statut="en_cours")
    url = reverse("evaluation:grille", args=[charte.slug, autre.pk])
    client = client_de(personnes["coordinateur"])
    assert client.get(url).status_code == 404
    assert client.post(url, donnees_grille(autre, TOUS_LES_CRITERES)).status_code == 404


def test_la_grille_montre_l_atteinte_des_indicateurs(client_de, fiche, personnes):
    indicateur = IndicateurFactory(fiche=fiche, libelle="Familles accueillies au relais", cible=40)
    Mesure.objects.create(indicateur=indicateur, date=datetime.date(2026, 6, 30), valeur=30)
    page = client_de(personnes["observateur"]).get(url_grille(fiche)).content.decode()
    assert "Familles accueillies au relais" in page and "75 %" in page


def test_requetes_de_la_grille(client_de, charte, personnes):
    nombres = []
    for n in (1, 30):
        fiche = FicheActionFactory(charte=charte, statut="en_cours")
        for critere in Critere.values[: min(n, 6)]:
            AppreciationAction.objects.create(fiche=fiche, critere=critere, niveau=2, justification="…")
        for _ in range(n):
            indicateur = IndicateurFactory(fiche=fiche)
            Mesure.objects.create(indicateur=indicateur, date=datetime.date(2026, 3, 31), valeur=10)
        nombres.append(compter_requetes(client_de(personnes["coordinateur"]), url_grille(fiche)))
    assert nombres[0] == nombres[1] <= MAX_REQUETES, nombres


# --- the families' voice before / after --------------------------------------------------------------

OPTIONS_GARDE = [{"libelle": "Crèche"}, {"libelle": "Grands-parents"}, {"libelle": "Autre", "autre": True}]
ECHELLE = ["Très mauvais", "Mauvais", "Moyen", "Bon", "Très bon"]


def questionnaire(apres=False):
    """Two tiny surveys sharing most codes: `distance` changes type, each has a question of its own."""
    questions = [
        {"code": "garde", "texte": "Qui garde votre enfant ?", "type": "choix_unique", "options": OPTIONS_GARDE},
        {
            "code": "difficulte",
            "texte": "Difficultés ?",
            "type": "choix_multiple",
            "options": [{"libelle": "Horaires"}, {"libelle": "Coût"}] + ([{"libelle": "Distance"}] if apres else []),
        },
        {"code": "satisfaction", "texte": "Satisfaction ?", "type": "echelle", "libelles_echelle": ECHELLE},
        {
            "code": "services",
            "texte": "Notez",
            "type": "grille",
            "items": ["Crèche", "PMI"],
            "libelles_echelle": ECHELLE,
        },
        {"code": "idee", "texte": "Une idée ?", "type": "texte_long"},
    ]
    if apres:
        questions.append(
            {"code": "distance", "texte": "Loin ?", "type": "choix_unique", "options": [{"libelle": "Oui"}]}
        )
        questions.append({"code": "sat1", "texte": "Mieux ?", "type": "echelle"})
    else:
        questions.append({"code": "distance", "texte": "Distance (km) ?", "type": "nombre"})
        questions.append(
            {"code": "seulement_avant", "texte": "Avant ?", "type": "choix_unique", "options": OPTIONS_GARDE}
        )
    titre = "Satisfaction" if apres else "Diagnostic"
    return {"titre": titre, "sections": [{"titre": "Petite enfance", "questions": questions}]}


def repondre(enquete, garde=None, difficultes=(), satisfaction=None, services=None):
    questions = {q.code: q for q in enquete.questions.prefetch_related("options")}

    def option(code, libelle):
        return next(o for o in questions[code].options.all() if o.libelle == libelle)

    valeurs = []
    if garde:
        valeurs.append({"question": questions["garde"], "option": option("garde", garde)})
    valeurs += [{"question": questions["difficulte"], "option": option("difficulte", d)} for d in difficultes]
    if satisfaction:
        valeurs.append({"question": questions["satisfaction"], "nombre": satisfaction})
    for ligne, niveau in (services or {}).items():
        valeurs.append({"question": questions["services"], "option": option("services", ligne), "nombre": niveau})
    profil = {"commune": enquete.charte.communes.first(), "nombre_enfants": 1, "ages_enfants": [2]}
    enregistrer_reponse(
        enquete, profil=profil, valeurs=valeurs, canal=Reponse.Canal.EN_LIGNE, jeton=secrets.token_hex(8)
    )


@pytest.fixture
def enquetes(charte):
    charte.communes.add(CommuneFactory(territoire=charte.territoire))
    avant = creer_enquete(charte, questionnaire(), par=None)
    apres = creer_enquete(charte, questionnaire(apres=True), par=None)
    Enquete.objects.filter(pk__in=[avant.pk, apres.pk]).update(statut=Enquete.Statut.CLOSE)
    return avant, apres


def remplir(avant, apres):
    """Answers worked out by hand in the assertions below."""
    repondre(avant, "Crèche", ["Horaires", "Coût"], 2, {"Crèche": 5, "PMI": 2})
    repondre(avant, "Crèche", ["Horaires"], 2, {"Crèche": 3, "PMI": 4})
    repondre(avant, "Grands-parents", satisfaction=3)
    repondre(avant, "Autre", satisfaction=4)
    for _ in range(4):
        repondre(apres, "Crèche", satisfaction=5, services={"Crèche": 4, "PMI": 5})
    repondre(apres, "Grands-parents", ["Distance"], 3, {"Crèche": 1, "PMI": 2})


def chiffres(comparaison):
    return [
        (
            c.libelle,
            c.avant and (c.avant.effectif, c.avant.pourcentage),
            c.apres and (c.apres.effectif, c.apres.pourcentage),
        )
        for c in comparaison.categories
    ]


def test_distributions_avant_apres_calculees_a_la_main(enquetes):
    avant, apres = enquetes
    remplir(avant, apres)
    lues = {e.pk: e for e in enquetes_de(avant.charte)}
    comparaisons = {c.code: c for c in comparer(lues[avant.pk], lues[apres.pk])}
    # Text, a code of one survey only, and a code whose type changed are left out.
    assert list(comparaisons) == ["garde", "difficulte", "satisfaction", "services"]
    garde = comparaisons["garde"]
    assert (garde.repondants_avant, garde.repondants_apres) == (4, 5)
    assert chiffres(garde) == [
        ("Crèche", (2, 50), (4, 80)),
        ("Grands-parents", (1, 25), (1, 20)),
        ("Autre", (1, 25), (0, 0)),
    ]
    assert garde.categories[0].ecart_texte == "+30 points"
    # Several answers each: respondents 2 before, 1 after; an option offered only after has no « avant ».
    assert chiffres(comparaisons["difficulte"]) == [
        ("Horaires", (2, 100), (0, 0)),
        ("Coût", (1, 50), (0, 0)),
        ("Distance", None, (1, 100)),
    ]
    satisfaction = comparaisons["satisfaction"]
    assert [c.libelle for c in satisfaction.categories][0] == "1 — Très mauvais"
    assert [(c.avant.effectif, c.apres.effectif) for c in satisfaction.categories] == [
        (0, 0),
        (2, 0),
        (1, 1),
        (1, 0),
        (0, 4),
    ]
    assert (satisfaction.moyenne_avant, satisfaction.moyenne_apres) == (2.8, 4.6)
    # A grid row: the respondents who rate it 4 or 5.
    assert chiffres(comparaisons["services"]) == [("Crèche", (1, 50), (4, 80)), ("PMI", (1, 50), (4, 80))]
    assert 'aria-label="Qui garde votre enfant ? — avant / après"' in garde.graphique
    assert "Après — Satisfaction (5 répondants)" in garde.graphique


def test_la_page_de_comparaison(client_de, enquetes, personnes):
    avant, apres = enquetes
    remplir(avant, apres)
    page = client_de(personnes["coordinateur"]).get(reverse("evaluation:comparaison", args=[avant.charte.slug]))
    contenu = page.content.decode()
    assert "<svg" in contenu and "80 %" in contenu and "+30 points" in contenu
    assert "Distance (km) ?" not in contenu  # type changed: not compared
    assert "Créer l'enquête de satisfaction" in contenu


def test_partenaires_et_observateurs_ne_voient_que_les_resultats_publies(client_de, enquetes, personnes):
    avant, apres = enquetes
    remplir(avant, apres)
    for enquete in enquetes:
        enquete.questions.filter(code="garde").update(resultats_publies=True)
    contenu = client_de(personnes["observateur"]).get(reverse("evaluation:comparaison", args=[avant.charte.slug]))
    contenu = contenu.content.decode()
    assert "Qui garde votre enfant ?" in contenu and "Satisfaction ?" not in contenu
    assert "Créer l'enquête de satisfaction" not in contenu


def test_le_coordinateur_choisit_les_enquetes_comparees(client_de, charte, enquetes, personnes):
    avant, apres = enquetes
    url = reverse("evaluation:comparaison", args=[charte.slug])
    client = client_de(personnes["coordinateur"])
    reponse = client.post(url, {"action": "choisir", "avant": apres.pk, "apres": apres.pk})
    assert reponse.status_code == 200 and "deux enquêtes différentes" in reponse.content.decode()
    assert client.post(url, {"action": "choisir", "avant": apres.pk, "apres": avant.pk}).status_code == 302
    bilan = BilanFinal.objects.get(charte=charte)
    assert (bilan.enquete_avant, bilan.enquete_apres) == (apres, avant)
    assert client_de(personnes["partenaire"]).post(url, {"action": "choisir"}).status_code == 403


def test_creer_l_enquete_de_satisfaction(client_de, charte, enquetes, personnes):
    avant, _apres = enquetes
    FicheActionFactory(charte=charte, statut="realisee", titre="Ouvrir une micro-crèche")
    FicheActionFactory(charte=charte, statut="brouillon", titre="Idée en cours de rédaction")
    url = reverse("evaluation:comparaison", args=[charte.slug])
    assert client_de(personnes["referent"]).post(url, {"action": "creer_satisfaction"}).status_code == 403
    reponse = client_de(personnes["coordinateur"]).post(url, {"action": "creer_satisfaction"})
    nouvelle = Enquete.objects.de(charte).order_by("-pk").first()
    assert reponse.status_code == 302
    assert reponse.url == reverse("diagnostic:enquete", args=[charte.slug, nouvelle.pk])
    assert nouvelle.statut == Enquete.Statut.BROUILLON
    codes = list(nouvelle.questions.values_list("code", flat=True))
    # Satisfaction first, then the diagnostic's closed questions with their codes (free text dropped).
    assert codes == ["sat1", "sat2", "sat3", "sat4", "sat5"] + [
        "garde",
        "difficulte",
        "satisfaction",
        "services",
        "distance",
        "seulement_avant",
    ]
    services = nouvelle.questions.get(code="sat2").options.values_list("libelle", flat=True)
    assert list(services) == ["Ouvrir une micro-crèche", "Aucun de ces services"]
    bilan = BilanFinal.objects.get(charte=charte)
    assert (bilan.enquete_avant, bilan.enquete_apres) == (avant, nouvelle)


def test_requetes_de_la_comparaison(client_de, db):
    nombres, coordinateur = [], UtilisateurFactory()
    for n in (1, 30):
        charte = CharteFactory()
        MembreFactory(charte=charte, utilisateur=coordinateur, coordinateur=True)
        charte.communes.add(CommuneFactory(territoire=charte.territoire))
        avant = creer_enquete(charte, questionnaire(), par=None)
        apres = creer_enquete(charte, questionnaire(apres=True), par=None)
        for _ in range(n):
            repondre(avant, "Crèche", ["Horaires"], 2, {"Crèche": 5, "PMI": 2})
            repondre(apres, "Autre", ["Distance"], 4, {"Crèche": 4, "PMI": 4})
        url = reverse("evaluation:comparaison", args=[charte.slug])
        nombres.append(compter_requetes(client_de(coordinateur), url))
    assert nombres[0] == nombres[1] <= MAX_REQUETES, nombres


# --- the final assessment -----------------------------------------------------------------------------

TEXTES = {
    "realisations": "Le relais tourne.",
    "avis_des_familles": "Moins de difficultés.",
    "recommandations": "La CC reprend.",
}


def url_bilan(charte, nom="bilan"):
    return reverse(f"evaluation:{nom}", args=[charte.slug])


def test_chacun_lit_le_bilan_meme_vide(client_de, charte, personnes):
    FicheActionFactory(charte=charte, statut="realisee", titre="Ouvrir une micro-crèche")
    contenu = client_de(personnes["observateur"]).get(url_bilan(charte)).content.decode()
    assert "Ouvrir une micro-crèche" in contenu and "À rédiger" in contenu
    assert "Adopter le bilan final" not in contenu


def test_le_bilan_chiffre_les_realisations_par_priorite(client_de, charte, personnes):
    realisee = FicheActionFactory(charte=charte, statut="realisee", avancement=100)
    FicheActionFactory(charte=charte, statut="en_cours", avancement=50, priorites=list(realisee.priorites.all()))
    LigneBudgetFactory(fiche=realisee, montant_prevu=1000, montant_realise=800)
    FinancementFactory(fiche=realisee, montant=600, statut="accorde")
    contenu = client_de(personnes["partenaire"]).get(url_bilan(charte)).content.decode()
    assert "1 / 2 (50 %)" in contenu  # realised out of the plan's fiches under that priority
    assert "75 %" in contenu  # mean progress
    assert "600 €" in contenu and "(60 %)" in contenu  # secured financing, share of the planned budget


def test_bilan_verrouillage_optimiste(client_de, charte, personnes):
    client = client_de(personnes["coordinateur"])
    url = url_bilan(charte, "modifier_bilan")
    assert client.get(url).status_code == 200
    assert client.post(url, TEXTES | {"version": 1}).status_code == 302
    bilan = BilanFinal.objects.get(charte=charte)
    assert (bilan.realisations, bilan.version) == ("Le relais tourne.", 2)
    # A second form opened on version 1 is refused, and what was typed is kept on the page.
    reponse = client.post(url, TEXTES | {"realisations": "Autre rédaction", "version": 1})
    assert reponse.status_code == 200
    contenu = reponse.content.decode()
    assert "Quelqu&#x27;un a enregistré le bilan" in contenu and "Autre rédaction" in contenu
    bilan.refresh_from_db()
    assert (bilan.realisations, bilan.version) == ("Le relais tourne.", 2)
    assert client.post(url, TEXTES | {"realisations": "Autre rédaction", "version": 2}).status_code == 302


def adopter(client, charte, le=None):
    return client.post(
        url_bilan(charte, "adopter_bilan"), {"le": le or timezone.localdate(), "instance": "COPIL de clôture"}
    )


def test_adopter_le_bilan_valide_le_jalon_4(client_de, charte, personnes):
    client = client_de(personnes["coordinateur"])
    etape = charte.etapes.get(numero=4)
    # Empty sections: refused.
    adopter(client, charte)
    BilanFinal.objects.create(charte=charte, **TEXTES | {"recommandations": "  "})
    reponse = adopter(client, charte)
    assert reponse.status_code == 302
    etape.refresh_from_db()
    assert not etape.jalon_valide
    messages = [str(m) for m in client.get(url_bilan(charte)).context["messages"]]
    assert "rédigez d'abord « Recommandations pour la suite »" in " ".join(messages)

    BilanFinal.objects.filter(charte=charte).update(recommandations="La CC reprend.")
    assert adopter(client, charte, datetime.date(2029, 1, 1)).status_code == 200  # future date: form error
    assert adopter(client, charte).status_code == 302
    etape.refresh_from_db()
    assert (etape.jalon_valide_le, etape.jalon_instance, etape.jalon_valide_par) == (
        timezone.localdate(),
        "COPIL de clôture",
        personnes["coordinateur"],
    )
    assert Journal.objects.filter(charte=charte, action__startswith="Bilan final adopté (version 1)").exists()

    # Already adopted: refused, and the text is frozen.
    adopter(client, charte)
    assert Journal.objects.filter(charte=charte, action__startswith="Bilan final adopté").count() == 1
    reponse = client.get(url_bilan(charte))
    assert "déjà adopté" in " ".join(str(m) for m in reponse.context["messages"])
    assert client.get(url_bilan(charte, "modifier_bilan")).status_code == 302


def test_adopter_se_fait_en_post_par_le_coordinateur(client_de, charte, personnes):
    BilanFinal.objects.create(charte=charte, **TEXTES)
    assert client_de(personnes["coordinateur"]).get(url_bilan(charte, "adopter_bilan")).status_code == 405
    assert adopter(client_de(personnes["referent"]), charte).status_code == 403
    assert not charte.etapes.get(numero=4).jalon_valide


def test_requetes_du_bilan(client_de, db):
    nombres, coordinateur = [], UtilisateurFactory()
    for n in (1, 30):
        charte = CharteFactory()
        MembreFactory(charte=charte, utilisateur=coordinateur, coordinateur=True)
        for _ in range(n):
            fiche = FicheActionFactory(charte=charte, statut="en_cours")
            IndicateurFactory(fiche=fiche)
            AppreciationAction.objects.create(fiche=fiche, critere="durabilite", niveau=3, justification="…")
            FinancementFactory(fiche=fiche)
        # A charter-wide indicator computed from the project's data: its value costs a few aggregates.
        Indicateur.objects.create(charte=charte, libelle="Actions réalisées", calcul="fiches_realisees", cible=80)
        creer_enquete(charte, questionnaire(), par=None)
        BilanFinal.objects.create(charte=charte, **TEXTES)
        nombres.append(compter_requetes(client_de(coordinateur), url_bilan(charte)))
    assert nombres[0] == nombres[1] <= MAX_REQUETES, nombres


# --- the demo ------------------------------------------------------------------------------------------


def test_demonstration_de_la_satisfaction(db):
    call_command("seed_demo")
    aire = Charte.objects.get(slug="cc-de-laire-a-largonne")
    creer_demo_satisfaction(aire, aire.creee_par)
    creer_demo_satisfaction(aire, aire.creee_par)  # idempotent
    diagnostic, satisfaction = enquetes_de(aire)
    assert satisfaction.statut == Enquete.Statut.PUBLIEE and satisfaction.ouverture.year == 2026
    assert satisfaction.nb_reponses == 60 and satisfaction.reponses.filter(soumise_le__month__gte=10).count() == 60
    comparaisons = {c.code: c for c in comparer(diagnostic, satisfaction)}
    oui_avant, oui_apres = (
        b.pourcentage for b in (comparaisons["pe2"].categories[0].avant, comparaisons["pe2"].categories[0].apres)
    )
    assert oui_avant - oui_apres >= 20  # fewer families struggle to find childcare
    bilan = BilanFinal.objects.get(charte=aire)
    assert (bilan.enquete_avant, bilan.enquete_apres) == (diagnostic, satisfaction)
    assert bilan.realisations and bilan.avis_des_familles and bilan.recommandations
    assert not aire.etapes.get(numero=4).jalon_valide
    assert AppreciationAction.objects.filter(fiche__charte=aire).count() == 12
