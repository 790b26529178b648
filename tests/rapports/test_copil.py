"""The COPIL through its pages: recording a meeting and its decisions, reading it, the decision log."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from charte.models import Journal
from plan_actions.models import VersionPlan
from rapports.models import Decision, Rapport, SeanceCopil
from tests.conftest import compter_requetes
from tests.factories import BesoinFactory, CharteFactory, FicheActionFactory, PrioriteFactory
from tests.test_requetes import MAX_REQUETES

pytestmark = pytest.mark.django_db
ADOPTEE, A_PRENDRE = Decision.Statut.ADOPTEE, Decision.Statut.A_PRENDRE


def url(nom, charte, *args):
    return reverse(f"rapports:{nom}", args=[charte.slug, *args])


def donnees_seance(decisions=(), existantes=0, **champs):
    """What the meeting form posts: its fields and the table of decisions (dicts of field → value)."""
    donnees = {
        "date": "2026-12-10",
        "lieu": "Salle du conseil communautaire",
        "instances": "MSA\nCAF",
        "presents": "",
        "ordre_du_jour": "Avancement du plan\nCalendrier de l'évaluation",
        "compte_rendu": "",
        "decisions-TOTAL_FORMS": len(decisions),
        "decisions-INITIAL_FORMS": existantes,
        "version": 1,  # the version the form was opened on
    }
    for rang, decision in enumerate(decisions):
        donnees |= {f"decisions-{rang}-{nom}": valeur for nom, valeur in ({"statut": A_PRENDRE} | decision).items()}
    return donnees | champs


def seance_avec(charte, *decisions, date=datetime.date(2026, 3, 9)):
    seance = SeanceCopil.objects.create(charte=charte, date=date, lieu="Mairie")
    for rang, (texte, statut, objets) in enumerate(decisions):
        Decision.objects.create(seance=seance, texte=texte, statut=statut, ordre=rang, **objets)
    return seance


# --- recording a meeting ------------------------------------------------------------------------


def test_le_coordinateur_enregistre_une_seance_ses_decisions_et_le_plan_presente(client_de, charte, personnes):
    fiche = FicheActionFactory(charte=charte, titre="Ouvrir une micro-crèche")
    etape = charte.etapes.get(numero=4)
    donnees = donnees_seance(
        [
            {"texte": "Valider le nouveau calendrier de la micro-crèche", "fiche": fiche.pk},
            {"texte": "Adopter le calendrier de l'évaluation", "etape": etape.pk},
            {"texte": "", "statut": A_PRENDRE},  # an empty row left as the page offers it
        ],
        figer_plan="on",
    )

    reponse = client_de(personnes["coordinateur"]).post(url("nouveau_copil", charte), donnees)

    seance = SeanceCopil.objects.get(charte=charte)
    assert reponse.status_code == 302 and reponse.url == url("copil", charte, seance.pk)
    assert seance.date == datetime.date(2026, 12, 10) and seance.creee_par == personnes["coordinateur"]
    assert seance.points_ordre_du_jour == ["Avancement du plan", "Calendrier de l'évaluation"]
    decisions = list(seance.decisions.all())
    assert [(d.texte[:20], d.fiche, d.etape, d.ordre) for d in decisions] == [
        ("Valider le nouveau c", fiche, None, 0),
        ("Adopter le calendrie", None, etape, 1),
    ]
    assert seance.version_plan.libelle == "Plan présenté au COPIL du 10/12/2026"
    assert list(seance.version_plan.contenu) == [str(fiche.pk)]
    actions = list(charte.journal.values_list("action", flat=True))
    assert "COPIL du 10/12/2026 enregistré (2 décisions)" in actions
    assert "Version de référence du plan figée : « Plan présenté au COPIL du 10/12/2026 »" in actions


def test_une_decision_porte_sur_un_seul_objet_au_plus(client_de, charte, personnes):
    fiche, besoin = FicheActionFactory(charte=charte), BesoinFactory(charte=charte)
    donnees = donnees_seance([{"texte": "Décision ambiguë", "fiche": fiche.pk, "besoin": besoin.pk}], figer_plan="on")

    reponse = client_de(personnes["coordinateur"]).post(url("nouveau_copil", charte), donnees)

    assert reponse.status_code == 200
    assert "Une décision porte sur un seul objet au plus ; celle-ci en désigne 2 (besoin, fiche action)" in reponse.text
    assert "La séance n&#x27;est pas enregistrée" in reponse.text
    assert not SeanceCopil.objects.exists() and not VersionPlan.objects.exists()


def test_un_objet_d_une_autre_charte_est_refuse(client_de, charte, personnes):
    ailleurs = CharteFactory()
    donnees = donnees_seance(
        [
            {"texte": "Sur la fiche d'une autre charte", "fiche": FicheActionFactory(charte=ailleurs).pk},
            {"texte": "Sur la priorité d'une autre charte", "priorite": PrioriteFactory(charte=ailleurs).pk},
        ]
    )

    reponse = client_de(personnes["coordinateur"]).post(url("nouveau_copil", charte), donnees)

    assert reponse.status_code == 200
    assert reponse.text.count("Sélectionnez un choix valide") == 2
    assert not SeanceCopil.objects.exists()


def test_sans_date_ni_fiche_a_figer_les_erreurs_sont_en_francais(client_de, charte, personnes):
    donnees = donnees_seance([{"texte": "Une décision"}], date="", figer_plan="on")

    reponse = client_de(personnes["coordinateur"]).post(url("nouveau_copil", charte), donnees)

    assert "Ce champ est obligatoire." in reponse.text
    assert "Le plan d&#x27;actions n&#x27;a encore aucune fiche : il n&#x27;y a rien à figer." in reponse.text
    assert not SeanceCopil.objects.exists() and not Decision.objects.exists()


def test_rien_n_est_ecrit_a_moitie(client_de, charte, personnes, monkeypatch):
    """A failure after the plan is frozen and the decisions are written undoes all of it."""
    FicheActionFactory(charte=charte)

    def panne(*args, **kwargs):
        raise RuntimeError("panne")

    monkeypatch.setattr("rapports.views_copil.resume", panne)  # the journal's line is written last
    with pytest.raises(RuntimeError):
        client_de(personnes["coordinateur"]).post(
            url("nouveau_copil", charte), donnees_seance([{"texte": "Une décision"}], figer_plan="on")
        )
    assert not SeanceCopil.objects.exists() and not Decision.objects.exists()
    assert not VersionPlan.objects.exists()


def test_modifier_une_seance_ses_decisions_et_le_journal(client_de, charte, personnes):
    fiche = FicheActionFactory(charte=charte)
    seance = seance_avec(
        charte,
        ("Reporter la micro-crèche", A_PRENDRE, {"fiche": fiche}),
        ("Décision retirée de l'ordre du jour", A_PRENDRE, {}),
    )
    garder, retirer = seance.decisions.all()
    donnees = donnees_seance(
        [
            {"id": garder.pk, "seance": seance.pk, "texte": garder.texte, "statut": ADOPTEE, "fiche": fiche.pk},
            {"id": retirer.pk, "seance": seance.pk, "texte": retirer.texte, "DELETE": "on"},
            {"texte": "Lancer l'évaluation", "statut": ADOPTEE},
        ],
        existantes=2,
        date="2026-03-09",
        lieu="Mairie",
        compte_rendu="Le COPIL adopte le report.",
    )

    reponse = client_de(personnes["coordinateur"]).post(url("modifier_copil", charte, seance.pk), donnees)

    assert reponse.status_code == 302
    seance.refresh_from_db()
    assert seance.compte_rendu == "Le COPIL adopte le report." and seance.version_plan is None
    assert list(seance.decisions.values_list("texte", "statut", "fiche")) == [
        ("Reporter la micro-crèche", ADOPTEE, fiche.pk),
        ("Lancer l'évaluation", ADOPTEE, None),
    ]
    assert Journal.objects.filter(charte=charte).latest("id").action == (
        "COPIL du 09/03/2026 modifié : instances représentées, ordre du jour, compte rendu ; "
        "1 décision ajoutée ; 1 décision modifiée ; 1 décision supprimée"
    )


def test_figer_a_nouveau_le_plan_d_une_seance(client_de, charte, personnes):
    FicheActionFactory(charte=charte)
    seance = seance_avec(charte)
    client = client_de(personnes["coordinateur"])
    page = client.get(url("modifier_copil", charte, seance.pk))
    assert "Figer le plan présenté à ce COPIL" in page.text

    client.post(url("modifier_copil", charte, seance.pk), donnees_seance(date="2026-03-09", figer_plan="on"))
    premiere = SeanceCopil.objects.get().version_plan
    assert premiere.libelle == "Plan présenté au COPIL du 09/03/2026"
    assert "Figer à nouveau le plan présenté à ce COPIL" in client.get(url("modifier_copil", charte, seance.pk)).text

    client.post(url("modifier_copil", charte, seance.pk), donnees_seance(date="2026-03-09", figer_plan="on", version=2))
    assert SeanceCopil.objects.get().version_plan != premiere
    assert charte.versions_plan.count() == 2  # the first version stays in the plan's history


# --- reading ------------------------------------------------------------------------------------


def test_la_page_d_une_seance_groupe_ses_decisions_et_mene_a_leurs_objets(client_de, charte, personnes):
    fiche, besoin = FicheActionFactory(charte=charte), BesoinFactory(charte=charte, titre="Garde d'enfants")
    priorite = PrioriteFactory(charte=charte, intitule="Accueillir les jeunes enfants")
    seance = seance_avec(
        charte,
        ("Sur la fiche", ADOPTEE, {"fiche": fiche}),
        ("Sur le besoin", Decision.Statut.AJOURNEE, {"besoin": besoin}),
        ("Sur la priorité", ADOPTEE, {"priorite": priorite}),
        ("Sur le jalon", Decision.Statut.REJETEE, {"etape": charte.etapes.get(numero=1)}),
        ("Sans objet", A_PRENDRE, {}),
    )
    seance.version_plan = VersionPlan.objects.create(charte=charte, libelle="Plan présenté", contenu={})
    seance.save()
    rapport = Rapport.objects.create(charte=charte, type="copil", seance=seance)

    reponse = client_de(personnes["observateur"]).get(url("copil", charte, seance.pk))

    groupes = [(libelle, [d.texte for d in liste]) for libelle, _badge, liste in reponse.context["groupes"]]
    assert groupes == [
        ("À prendre", ["Sans objet"]),
        ("Adoptées", ["Sur la fiche", "Sur la priorité"]),
        ("Ajournées", ["Sur le besoin"]),
        ("Rejetées", ["Sur le jalon"]),
    ]
    for adresse in (
        reverse("plan_actions:fiche", args=[charte.slug, fiche.pk]),
        reverse("diagnostic:besoins", args=[charte.slug]),
        reverse("priorisation:seances", args=[charte.slug]),
        reverse("rapports:tableau_de_bord", args=[charte.slug]),
        reverse("plan_actions:comparer", args=[charte.slug, seance.version_plan.pk]),
        url("rapport", charte, rapport.pk),
    ):
        assert f'href="{adresse}"' in reponse.text
    assert "Diagnostic validé par le COPIL" in reponse.text
    # An observer reads; neither the edit link nor the report button is offered.
    assert url("modifier_copil", charte, seance.pk) not in reponse.text
    assert f'action="{url("rapports", charte)}"' not in reponse.text


def test_le_referent_demande_le_rapport_du_copil_depuis_sa_page(client_de, charte, personnes):
    seance = seance_avec(charte)
    client = client_de(personnes["referent"])
    page = client.get(url("copil", charte, seance.pk))
    assert f'action="{url("rapports", charte)}"' in page.text
    assert f'name="seance" value="{seance.pk}"' in page.text

    reponse = client.post(url("rapports", charte), {"type": "copil", "seance": seance.pk})

    rapport = Rapport.objects.get()
    assert (rapport.type, rapport.seance, rapport.demande_par) == ("copil", seance, personnes["referent"])
    assert reponse.url == url("rapport", charte, rapport.pk)
    liste = client.get(url("copils", charte))
    assert f'href="{url("rapport", charte, rapport.pk)}"' in liste.text


def test_la_liste_des_seances_a_venir_puis_passees(client_de, charte, personnes):
    aujourd_hui = timezone.localdate()
    passee = seance_avec(
        charte, ("a", ADOPTEE, {}), ("b", ADOPTEE, {}), ("c", A_PRENDRE, {}), date=aujourd_hui - datetime.timedelta(1)
    )
    plus_ancienne = seance_avec(charte, date=passee.date - datetime.timedelta(days=60))
    prochaine = seance_avec(charte, ("d", A_PRENDRE, {}), date=aujourd_hui + datetime.timedelta(days=15))
    suivante = seance_avec(charte, date=aujourd_hui + datetime.timedelta(days=200))
    pret = Rapport.objects.create(charte=charte, type="copil", seance=passee, statut="pret", nb_pages=12)

    reponse = client_de(personnes["partenaire"]).get(url("copils", charte))

    assert [(titre, seances) for titre, seances in reponse.context["groupes"]] == [
        ("À venir", [prochaine, suivante]),
        ("Passées", [passee, plus_ancienne]),
    ]
    lue = reponse.context["groupes"][1][1][0]
    assert (lue.nb_decisions, lue.nb_a_prendre, lue.nb_adoptees) == (3, 1, 2)
    assert f'href="{url("telecharger", charte, pret.pk)}"' in reponse.text
    assert f'href="{url("decisions", charte)}"' in reponse.text
    assert url("nouveau_copil", charte) not in reponse.text  # partners do not record meetings


def test_une_fiche_montre_les_decisions_du_copil_qui_la_concernent(client_de, charte, personnes):
    fiche = FicheActionFactory(charte=charte)
    seance = seance_avec(charte, ("Reporter l'ouverture à septembre 2027", ADOPTEE, {"fiche": fiche}))
    seance_avec(charte, ("Sur une autre fiche", ADOPTEE, {"fiche": FicheActionFactory(charte=charte)}))

    reponse = client_de(personnes["observateur"]).get(reverse("plan_actions:fiche", args=[charte.slug, fiche.pk]))

    assert "Décisions du COPIL" in reponse.text
    assert "Reporter l&#x27;ouverture à septembre 2027" in reponse.text
    assert f'href="{url("copil", charte, seance.pk)}">COPIL du 09/03/2026</a>' in reponse.text
    assert "Sur une autre fiche" not in reponse.text


# --- the decision log ---------------------------------------------------------------------------


@pytest.fixture
def journal_de_decisions(charte):
    fiche = FicheActionFactory(charte=charte, titre="Ouvrir une micro-crèche")
    autre = FicheActionFactory(charte=charte, titre="Organiser des cafés des parents")
    mars = seance_avec(
        charte,
        ("Reporter les travaux", ADOPTEE, {"fiche": fiche}),
        ("Étendre à Beausite", ADOPTEE, {"fiche": autre}),
        ("Garde d'enfants confirmée", ADOPTEE, {"besoin": BesoinFactory(charte=charte)}),
        date=datetime.date(2026, 3, 9),
    )
    decembre = seance_avec(
        charte,
        ("Valider le calendrier de la micro-crèche", A_PRENDRE, {"fiche": fiche}),
        ("Première priorité", A_PRENDRE, {"priorite": PrioriteFactory(charte=charte)}),
        ("Calendrier de l'évaluation", A_PRENDRE, {"etape": charte.etapes.get(numero=4)}),
        ("Relancer l'enquête", Decision.Statut.AJOURNEE, {}),
        date=datetime.date(2026, 12, 10),
    )
    seance_avec(CharteFactory(), ("Décision d'une autre charte", ADOPTEE, {}))
    return {"la_fiche": fiche, "mars": mars, "decembre": decembre}


@pytest.mark.parametrize(
    ("filtre", "attendu"),
    [
        ({}, ["Valider", "Première", "Calendrier", "Relancer", "Reporter", "Étendre", "Garde"]),
        ({"statut": "adoptee"}, ["Reporter", "Étendre", "Garde"]),
        ({"seance": "mars"}, ["Reporter", "Étendre", "Garde"]),
        ({"objet": "fiche"}, ["Valider", "Reporter", "Étendre"]),
        ({"objet": "besoin"}, ["Garde"]),
        ({"objet": "priorite"}, ["Première"]),
        ({"objet": "jalon"}, ["Calendrier"]),
        ({"objet": "aucun"}, ["Relancer"]),
        ({"fiche": "la_fiche"}, ["Valider", "Reporter"]),
        ({"q": "micro-crèche"}, ["Valider", "Reporter"]),  # in the text, or in the fiche's title
        ({"q": "calendrier micro"}, ["Valider"]),
        ({"statut": "a_prendre", "objet": "fiche"}, ["Valider"]),
    ],
)
def test_le_journal_des_decisions_se_filtre(client_de, charte, personnes, journal_de_decisions, filtre, attendu):
    # Objects are named in the table by their key in the fixture.
    parametres = {nom: journal_de_decisions[v].pk if v in journal_de_decisions else v for nom, v in filtre.items()}

    reponse = client_de(personnes["observateur"]).get(url("decisions", charte), parametres)

    assert [d.texte.split()[0] for d in reponse.context["page"].object_list] == attendu


def test_le_journal_des_decisions_compte_par_statut_et_mene_aux_seances(
    client_de, charte, personnes, journal_de_decisions
):
    reponse = client_de(personnes["observateur"]).get(url("decisions", charte))

    assert [libelle for libelle, _badge in reponse.context["par_statut"]] == [
        "3 à prendre",
        "3 adoptées",
        "1 ajournée",
        "0 rejetée",
    ]
    assert f'href="{url("copil", charte, journal_de_decisions["mars"].pk)}#decisions">09/03/2026</a>' in reponse.text


def test_un_copil_inconnu_du_filtre_est_ignore(client_de, charte, personnes, journal_de_decisions):
    ailleurs = SeanceCopil.objects.exclude(charte=charte).get()

    reponse = client_de(personnes["observateur"]).get(url("decisions", charte), {"seance": ailleurs.pk})

    assert reponse.status_code == 200
    assert "Décision d&#x27;une autre charte" not in reponse.text


# --- who may --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("qui", "attendu"),
    [("exterieur", 404), ("observateur", 403), ("partenaire", 403), ("referent", 403), ("coordinateur", 200)],
)
def test_qui_modifie_une_seance(client_de, charte, personnes, qui, attendu):
    seance = seance_avec(charte)
    assert client_de(personnes[qui]).get(url("modifier_copil", charte, seance.pk)).status_code == attendu


@pytest.mark.parametrize("page", ["copil", "modifier_copil"])
def test_une_seance_d_une_autre_charte_repond_404(client_de, charte, personnes, page):
    ailleurs = seance_avec(CharteFactory())
    client = client_de(personnes["coordinateur"])

    assert client.get(url(page, charte, ailleurs.pk)).status_code == 404
    donnees = donnees_seance(date="2026-01-01", compte_rendu="Écrasé")
    assert client.post(url(page, charte, ailleurs.pk), donnees).status_code == 404
    ailleurs.refresh_from_db()
    assert ailleurs.compte_rendu == ""


def test_l_exterieur_ne_voit_ni_les_seances_ni_le_journal(client_de, charte, personnes):
    seance = seance_avec(charte)
    client = client_de(personnes["exterieur"])
    for adresse in (url("copils", charte), url("copil", charte, seance.pk), url("decisions", charte)):
        assert client.get(adresse).status_code == 404


# --- queries --------------------------------------------------------------------------------------


def remplir(charte, n):
    """n meetings of n decisions on every kind of object, each with a report; returns the first meeting."""
    fiche, besoin = FicheActionFactory(charte=charte), BesoinFactory(charte=charte)
    priorite, etape = PrioriteFactory(charte=charte), charte.etapes.get(numero=1)
    version = VersionPlan.objects.create(charte=charte, libelle="Plan présenté", contenu={})
    objets = [{"fiche": fiche}, {"besoin": besoin}, {"priorite": priorite}, {"etape": etape}, {}]
    seances = SeanceCopil.objects.bulk_create(
        SeanceCopil(
            charte=charte, date=datetime.date(2025, 1, 1) + datetime.timedelta(days=30 * i), version_plan=version
        )
        for i in range(n)
    )
    Decision.objects.bulk_create(
        Decision(seance=s, texte=f"Décision {i}", statut=Decision.Statut.values[i % 4], **objets[i % 5])
        for s in seances
        for i in range(n)
    )
    Rapport.objects.bulk_create(Rapport(charte=charte, type="copil", seance=s, statut="pret") for s in seances)
    return seances[0]


@pytest.mark.parametrize("page", ["copils", "copil", "decisions"])
def test_requetes_constantes(client, page):
    nombres = []
    for n in (1, 50):
        charte = CharteFactory()
        premiere = remplir(charte, n)
        client.force_login(charte.membres.get().utilisateur)
        args = [premiere.pk] if page == "copil" else []
        nombres.append(compter_requetes(client, url(page, charte, *args)))
    assert nombres[0] == nombres[1] <= MAX_REQUETES, nombres


def test_deux_personnes_modifient_la_meme_seance_la_seconde_est_prevenue(client_de, charte, personnes):
    seance = seance_avec(charte)
    client = client_de(personnes["coordinateur"])
    premiere = donnees_seance(date="2026-03-09", compte_rendu="Version de la première")
    seconde = donnees_seance(date="2026-03-09", compte_rendu="Version de la seconde")  # opened on the same version
    assert client.post(url("modifier_copil", charte, seance.pk), premiere).status_code == 302
    reponse = client.post(url("modifier_copil", charte, seance.pk), seconde)
    assert reponse.status_code == 200 and "pendant que vous la modifiiez" in reponse.text
    assert "Version de la seconde" in reponse.text  # their input is still on screen
    seance.refresh_from_db()
    assert seance.compte_rendu == "Version de la première"
