"""Accessibility (RGAA 4 / WCAG 2.1 AA), in a real browser, on the demo charter as `make run` shows it.

axe-core (pinned, see conftest.py) audits every main page — the coordinator's, the national view, the
public questionnaire and the guest's vote on a phone, forms with and without errors: no serious or
critical violation. Each SVG chart has a name and its figures in a table of the same block. A wrong
entry is announced (role="alert") and tied to its field; a whole path, from the login to a comment
on a fiche, is done with the keyboard alone, and every element it reaches shows where the focus is.

The audit's figures (pages, rules, violations by impact) go to captures/accessibilite.txt.
"""

import io
import json
import re
from collections import Counter
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from charte.demo import MOT_DE_PASSE_DEMO, SIREN_AIRE_ARGONNE
from charte.models import Charte
from diagnostic.demo import TITRE as TITRE_DIAGNOSTIC
from diagnostic.models import Enquete, Question
from diagnostic.services import creer_enquete, lire_gabarit
from plan_actions.models import Commentaire
from priorisation.models import Seance
from priorisation.services import creer_seance
from tests.navigateur.conftest import CAPTURES
from tests.navigateur.test_parcours_socle import onglet, se_connecter

pytestmark = pytest.mark.navigateur

# WCAG 2.0 and 2.1, levels A and AA (what the RGAA 4 maps to), plus axe's best practices
# (landmarks, headings, skip link…).
ETIQUETTES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
GRAVES = {"serious", "critical"}
ANALYSE_AXE = """async (etiquettes) => {
  const r = await axe.run(document, {runOnly: {type: 'tag', values: etiquettes}, resultTypes: ['violations']});
  return {
    regles: [...r.passes, ...r.violations, ...r.incomplete, ...r.inapplicable].map(x => x.id),
    violations: r.violations.map(v => ({
      regle: v.id, impact: v.impact, aide: v.help, cibles: v.nodes.map(n => n.target.join(' ')),
    })),
  };
}"""
# Every chart drawn in the page (not a decorative one): role="img", a name, and a table in its block.
DEFAUTS_DES_GRAPHIQUES = """() => [...document.querySelectorAll('main svg:not([aria-hidden=true])')]
  .filter(svg => !svg.parentElement.closest('svg'))
  .map(svg => {
    const nom = svg.getAttribute('aria-label') || (svg.getAttribute('aria-labelledby') || '').split(/\\s+/)
      .map(id => (document.getElementById(id) || {}).textContent || '').join(' ').trim();
    const bloc = svg.closest('section, figure, .card');
    const defauts = [];
    if (svg.getAttribute('role') !== 'img') defauts.push('sans role="img"');
    if (!nom) defauts.push('sans nom');
    if (!bloc || !bloc.querySelector('table')) defauts.push('sans tableau de ses données dans son bloc');
    return (nom || svg.outerHTML.slice(0, 80)).slice(0, 70) + (defauts.length ? ' : ' + defauts.join(', ') : '');
  })"""
# axe 4 no longer reports duplicate ids, yet a label whose `for` names a duplicated id labels the wrong field.
IDS_EN_DOUBLE = """() => {
  const vus = new Map();
  for (const e of document.querySelectorAll('[id]')) vus.set(e.id, (vus.get(e.id) || 0) + 1);
  return [...vus].filter(([id, n]) => n > 1).map(([id, n]) => `id="${id}" (${n} fois)`);
}"""
# After the last element, Tab leaves the page (the focus is then on <body>): nothing to show there.
# The focus style once shown: Bootstrap fades the fields' focus shadow in (0.15 s), and read in the same frame
# as the Tab the shadow may still be « none » — the running transitions are awaited before reading.
FOCUS_VISIBLE = """async () => {
  const e = document.activeElement;
  if (e === document.body) return {visible: true, quoi: 'hors de la page'};
  await Promise.all(e.getAnimations().map(a => a.finished));
  const s = getComputedStyle(e);
  const contour = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
  return {visible: contour || s.boxShadow !== 'none',
          quoi: `<${e.tagName.toLowerCase()}> ${(e.getAttribute('aria-label') || e.textContent || e.name || '').trim().slice(0, 50)}`};
}"""


class Audit:
    """What axe found on each page, and the figures for the README."""

    def __init__(self):
        self.pages, self.regles, self.par_impact = [], set(), Counter()
        self.par_regle, self.elements_par_regle = Counter(), Counter()
        self.graves, self.autres, self.graphiques, self.ids_en_double = [], [], [], []

    def auditer(self, page, nom):
        assert page.evaluate("typeof axe") == "object", "axe-core n'est pas chargé dans la page"
        resultat = page.evaluate(ANALYSE_AXE, ETIQUETTES)
        self.pages.append(nom)
        self.regles.update(resultat["regles"])
        for v in resultat["violations"]:
            self.par_impact[v["impact"]] += 1
            self.par_regle[f"{v['regle']} ({v['impact']})"] += 1
            self.elements_par_regle[f"{v['regle']} ({v['impact']})"] += len(v["cibles"])
            cibles = ", ".join(v["cibles"][:5]) + (" …" if len(v["cibles"]) > 5 else "")
            ligne = f"[{nom}] {v['regle']} ({v['impact']}) — {v['aide']} — {cibles}"
            (self.graves if v["impact"] in GRAVES else self.autres).append(ligne)
        for graphique in page.evaluate(DEFAUTS_DES_GRAPHIQUES):
            self.graphiques.append(f"[{nom}] {graphique}")
        self.ids_en_double += [f"[{nom}] {id_}" for id_ in page.evaluate(IDS_EN_DOUBLE)]

    def visiter(self, page, nom, url):
        reponse = page.goto(url)
        assert reponse.status == 200, f"{nom} : {url} répond {reponse.status}"
        self.auditer(page, nom)

    def ecrire(self):
        CAPTURES.mkdir(exist_ok=True)
        bilan = {
            "axe-core": "voir tests/navigateur/conftest.py",
            "etiquettes": ETIQUETTES,
            "pages auditées": len(self.pages),
            "règles appliquées": len(self.regles),
            "graphiques vérifiés": len(self.graphiques),
            "violations (page × règle) par impact": dict(self.par_impact),
            "pages en violation, par règle": dict(self.par_regle),
            "éléments en violation, par règle": dict(self.elements_par_regle),
            "graphiques sans alternative": sum(" : sans " in g for g in self.graphiques),
            "identifiants en double": self.ids_en_double,
            "violations mineures ou modérées": self.autres,
            "pages": self.pages,
        }
        (CAPTURES / "accessibilite.txt").write_text(json.dumps(bilan, ensure_ascii=False, indent=2))
        print(json.dumps(bilan, ensure_ascii=False, indent=2))

    def verifier(self):
        defauts = [g for g in self.graphiques if " : sans " in g]
        assert not self.graves, f"{len(self.graves)} violations graves ou critiques :\n" + "\n".join(self.graves)
        assert not defauts, "Graphiques sans alternative :\n" + "\n".join(defauts)
        assert not self.ids_en_double, "Identifiants en double :\n" + "\n".join(self.ids_en_double)


@pytest.fixture
def demo(transactional_db):
    """The demo charter, plus what the demo leaves closed: a questionnaire in preparation, a session open to vote."""
    call_command("seed_demo", stdout=io.StringIO())
    charte = Charte.objects.get(territoire__siren=SIREN_AIRE_ARGONNE)
    coordinateur = charte.creee_par
    brouillon = creer_enquete(charte, lire_gabarit(), coordinateur, titre="Questionnaire en préparation")
    ouverte = creer_seance(
        charte,
        titre="Séance ouverte au vote",
        date=timezone.localdate(),
        mode=Seance.Mode.MULTICRITERE,
        points=10,
        seuil=3,
        par=coordinateur,
    )
    Seance.objects.filter(pk=ouverte.pk).update(statut=Seance.Statut.OUVERTE)
    diagnostic = charte.enquetes.get(titre=TITRE_DIAGNOSTIC)
    return SimpleNamespace(
        charte=charte,
        coordinateur=coordinateur,
        diagnostic=diagnostic,
        publiee=charte.enquetes.get(statut=Enquete.Statut.PUBLIEE),
        brouillon=brouillon,
        croisees=list(diagnostic.questions.filter(type=Question.Type.CHOIX_UNIQUE)[:2]),
        close=charte.seances.get(statut=Seance.Statut.CLOSE),
        ouverte=ouverte,
        fiche=charte.fiches.order_by("numero").first(),
        indicateur=charte.indicateurs.filter(mesures__isnull=False).order_by("pk").first(),
        copil=charte.copils.order_by("date").last(),
        version=charte.versions_plan.get(),
    )


def pages_du_coordinateur(d):
    """(name, address) of every main page of the charter, in the order of its tabs."""
    s, e, f = d.charte.slug, d.diagnostic.pk, d.fiche.pk
    ligne, colonne = d.croisees
    return [
        ("Mes chartes", reverse("charte:liste")),
        ("Tableau de bord", reverse("rapports:tableau_de_bord", args=[s])),
        ("Territoire", reverse("charte:territoire", args=[s])),
        ("Membres", reverse("charte:membres", args=[s])),
        ("Inviter un membre", reverse("charte:inviter", args=[s])),
        ("Journal", reverse("charte:journal", args=[s])),
        ("Calendrier de la charte", reverse("charte:calendrier", args=[s])),
        ("Valider un jalon", reverse("charte:jalon", args=[s, 4])),
        ("Enquêtes", reverse("diagnostic:enquetes", args=[s])),
        ("Enquête", reverse("diagnostic:enquete", args=[s, e])),
        ("Constructeur de questionnaire", reverse("diagnostic:enquete", args=[s, d.brouillon.pk])),
        (
            "Nouvelle question",
            reverse("diagnostic:nouvelle_question", args=[s, d.brouillon.pk, d.brouillon.sections.first().pk]),
        ),
        ("Résultats", reverse("diagnostic:resultats", args=[s, e])),
        ("Tableau croisé", reverse("diagnostic:croisement", args=[s, e]) + f"?ligne={ligne.pk}&colonne={colonne.pk}"),
        ("Saisie papier", reverse("diagnostic:saisie", args=[s, d.publiee.pk])),
        ("Import de réponses", reverse("diagnostic:importer", args=[s, d.publiee.pk])),
        ("Données territoriales", reverse("diagnostic:donnees", args=[s])),
        ("Entretiens", reverse("diagnostic:entretiens", args=[s])),
        ("Besoins", reverse("diagnostic:besoins", args=[s])),
        ("Séances de priorisation", reverse("priorisation:seances", args=[s])),
        ("Séance close et ses résultats", reverse("priorisation:seance", args=[s, d.close.pk])),
        ("Séance ouverte", reverse("priorisation:seance", args=[s, d.ouverte.pk])),
        ("Décision des priorités", reverse("priorisation:decision", args=[s, d.close.pk])),
        ("Plan d'actions", reverse("plan_actions:plan", args=[s])),
        ("Calendrier du plan (Gantt)", reverse("plan_actions:calendrier", args=[s])),
        ("Budget et financements", reverse("plan_actions:budget", args=[s])),
        ("Fiche action", reverse("plan_actions:fiche", args=[s, f])),
        ("Modifier la fiche", reverse("plan_actions:modifier_fiche", args=[s, f])),
        ("Nouvelle fiche", reverse("plan_actions:nouvelle_fiche", args=[s])),
        ("Historique de la fiche", reverse("plan_actions:historique_fiche", args=[s, f])),
        ("Versions du plan", reverse("plan_actions:versions", args=[s])),
        ("Comparaison au plan signé", reverse("plan_actions:comparer", args=[s, d.version.pk])),
        ("Indicateurs", reverse("evaluation:indicateurs", args=[s])),
        ("Indicateur", reverse("evaluation:indicateur", args=[s, d.indicateur.pk])),
        ("Nouvel indicateur", reverse("evaluation:nouvel_indicateur", args=[s])),
        ("Grille d'évaluation", reverse("evaluation:grille", args=[s, f])),
        ("Bilan final", reverse("evaluation:bilan", args=[s])),
        ("Rédiger le bilan", reverse("evaluation:modifier_bilan", args=[s])),
        ("Avant / après", reverse("evaluation:comparaison", args=[s])),
        ("Séances du COPIL", reverse("rapports:copils", args=[s])),
        ("Séance du COPIL", reverse("rapports:copil", args=[s, d.copil.pk])),
        ("Nouvelle séance du COPIL", reverse("rapports:nouveau_copil", args=[s])),
        ("Journal des décisions", reverse("rapports:decisions", args=[s])),
        ("Rapports", reverse("rapports:rapports", args=[s])),
        ("Résultats de la séance à imprimer", reverse("priorisation:impression", args=[s, d.close.pk])),
        ("Fiche à imprimer", reverse("plan_actions:impression_fiche", args=[s, f])),
        ("Sécurité du compte", reverse("comptes:securite")),
        ("Activer la double authentification", reverse("comptes:activer_double_facteur")),
        ("Changer de mot de passe", reverse("comptes:changer_mot_de_passe")),
    ]


def test_aucune_violation_grave_sur_les_pages_principales(personne, capturer, demo):
    audit = Audit()

    # The coordinator, on a desktop screen: the login page, then every page of the charter.
    page = personne("coordinatrice", audit=True)
    audit.visiter(page, "Connexion", "/comptes/connexion/")
    se_connecter(page, "agent.msa", MOT_DE_PASSE_DEMO)
    expect(page).to_have_url(re.compile(r"/chartes/$"))
    for nom, url in pages_du_coordinateur(demo):
        audit.visiter(page, nom, url)

    # Her own vote in the open session: choosing a college, then the grid.
    audit.visiter(page, "Vote : arrivée", reverse("priorisation:voter", args=[demo.charte.slug, demo.ouverte.pk]))
    page.get_by_label("Institutions et partenaires", exact=True).check()
    page.get_by_role("button", name="Rejoindre la séance").click()
    expect(page.get_by_role("button", name="Enregistrer mes notes")).to_be_visible()
    audit.auditer(page, "Vote : grille de notation")

    # National staff: every charter.
    national = personne("national", audit=True)
    se_connecter(national, "national", MOT_DE_PASSE_DEMO)
    expect(national.get_by_text("vue nationale")).to_be_visible()
    audit.auditer(national, "Vue nationale")

    # A family, on a phone: the public questionnaire, sent empty (errors), then filled in; the thanks page.
    famille = personne("famille", telephone=True, audit=True)
    audit.visiter(famille, "Questionnaire public (téléphone)", f"/e/{demo.publiee.jeton}/")
    famille.get_by_role("button", name=re.compile("Envoyer")).click()
    expect(famille.get_by_role("alert")).to_contain_text("Certaines réponses sont à compléter")
    audit.auditer(famille, "Questionnaire public avec erreurs (téléphone)")
    capturer(famille, "90-accessibilite-questionnaire-erreurs")
    famille.get_by_label("Votre commune", exact=True).select_option(index=1)
    famille.get_by_label("Votre situation familiale aujourd'hui", exact=True).select_option(index=1)
    for obligatoire in famille.locator(".question").filter(has=famille.get_by_label("obligatoire")).all():
        choix = obligatoire.locator("input[type=radio], input[type=checkbox]")
        if choix.count():
            choix.first.check()
        else:
            obligatoire.get_by_role("textbox").fill("5")
    famille.get_by_role("button", name=re.compile("Envoyer")).click()
    expect(famille).to_have_url(re.compile(r"/merci/$"))
    audit.auditer(famille, "Merci (téléphone)")

    # A guest of the session, on a phone: the code, the college, the grid.
    invite = personne("invite", telephone=True, audit=True)
    audit.visiter(invite, "Rejoindre une séance (téléphone)", "/s/")
    invite.get_by_label(re.compile(r"^\s*Code de la séance")).fill(demo.ouverte.code)
    invite.get_by_role("button", name="Rejoindre", exact=True).click()
    expect(invite).to_have_url(re.compile(rf"/s/{demo.ouverte.code}/$"))
    audit.auditer(invite, "Vote invité : arrivée (téléphone)")
    invite.get_by_label("Familles", exact=True).check()
    invite.get_by_label(re.compile(r"^\s*Comment vous présenter")).fill("Parent de Varennes")
    invite.get_by_role("button", name="Rejoindre la séance").click()
    expect(invite.get_by_role("button", name="Enregistrer mes notes")).to_be_visible()
    audit.auditer(invite, "Vote invité : grille (téléphone)")
    capturer(invite, "91-accessibilite-vote-invite")

    audit.ecrire()
    assert len(audit.pages) == len(pages_du_coordinateur(demo)) + 10
    assert len(audit.graphiques) > 40  # the results, the timelines, the budget, the indicator, before/after…
    audit.verifier()


def test_une_erreur_de_saisie_est_annoncee_et_liee_a_son_champ(personne, capturer, demo):
    page = personne("coordinatrice", audit=True)
    se_connecter(page, "agent.msa", MOT_DE_PASSE_DEMO)
    page.goto(reverse("charte:inviter", args=[demo.charte.slug]))
    page.get_by_label("Adresse e-mail").fill("pas-une-adresse")
    page.get_by_role("button", name="Envoyer l'invitation").click()

    # Announced: a summary read out on arrival (role="alert") names each field in error, as a link to it.
    resume = page.get_by_role("alert")
    expect(resume).to_contain_text("Corrigez les champs signalés")
    expect(resume.get_by_role("link")).to_have_text(["Adresse e-mail", "Rôle"])
    capturer(page, "92-accessibilite-erreurs-liees")
    # Tied to the field: aria-invalid, and its aria-describedby points at the message under it.
    courriel = page.get_by_label("Adresse e-mail")
    expect(courriel).to_have_attribute("aria-invalid", "true")
    decrit_par = courriel.get_attribute("aria-describedby").split()
    messages = " ".join(page.locator(f"[id='{i}']").inner_text() for i in decrit_par)
    assert "Saisissez une adresse de courriel valide." in messages
    role = page.get_by_label("Rôle")
    expect(role).to_have_attribute("aria-invalid", "true")
    resume.get_by_role("link", name="Rôle").click()
    expect(role).to_be_focused()

    audit = Audit()
    audit.auditer(page, "Inviter un membre, avec erreurs")
    audit.verifier()


def tabuler_jusqu_a(page, cible, maximum=150):
    """Press Tab until `cible` has the focus; each element met on the way must show the focus."""
    sans_indicateur = []
    for _ in range(maximum):
        page.keyboard.press("Tab")
        focus = page.evaluate(FOCUS_VISIBLE)
        if not focus["visible"]:
            sans_indicateur.append(focus["quoi"])
        if cible.evaluate("e => e === document.activeElement"):
            assert not sans_indicateur, f"Focus invisible sur : {sans_indicateur}"
            return
    pytest.fail(f"{cible} n'est pas atteint en {maximum} appuis sur Tab")


def test_parcours_au_clavier_de_la_connexion_au_commentaire(personne, capturer, live_server, demo):
    page = personne("coordinatrice")
    page.goto("/comptes/connexion/")

    # Logging in: the identifier has the focus on arrival; the fields are typed in, the form sent with Enter.
    expect(page.get_by_label("Identifiant")).to_be_focused()
    page.keyboard.type("agent.msa")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Mot de passe")).to_be_focused()
    page.keyboard.type(MOT_DE_PASSE_DEMO)
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/chartes/")

    # The first Tab shows the skip link; it jumps over the navigation: the next Tab is in the page's content.
    page.keyboard.press("Tab")
    evitement = page.get_by_role("link", name="Aller au contenu")
    expect(evitement).to_be_focused()
    expect(evitement).to_be_visible()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("#contenu$"))
    page.keyboard.press("Tab")
    assert page.evaluate("!!document.activeElement.closest('main')")

    # Charter → Plan d'actions tab → the Gantt chart's page → its table, opened with Enter → a fiche.
    tabuler_jusqu_a(page, page.get_by_role("link", name=demo.charte.nom))
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/chartes/{demo.charte.slug}/")
    tabuler_jusqu_a(page, onglet(page, "Plan d'actions"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/plan/$"))
    tabuler_jusqu_a(page, page.get_by_role("link", name="Calendrier", exact=True))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/plan/calendrier/$"))
    resume_du_tableau = page.get_by_text("Le calendrier sous forme de tableau")
    tabuler_jusqu_a(page, resume_du_tableau)
    page.keyboard.press("Enter")
    lien_fiche = page.get_by_role("table").get_by_role("link", name=demo.fiche.titre).first
    expect(lien_fiche).to_be_visible()
    tabuler_jusqu_a(page, lien_fiche)
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/chartes/{demo.charte.slug}/plan/{demo.fiche.pk}/")

    # A comment, typed in and sent with the space bar on the button.
    tabuler_jusqu_a(page, page.get_by_label("Votre commentaire"))
    page.keyboard.type("Relu au clavier, sans souris.")
    tabuler_jusqu_a(page, page.get_by_role("button", name="Publier le commentaire"))
    capturer(page, "93-accessibilite-focus-clavier")
    page.keyboard.press(" ")
    expect(page.locator("#commentaires")).to_contain_text("Relu au clavier, sans souris.")
    assert Commentaire.objects.filter(fiche=demo.fiche, texte="Relu au clavier, sans souris.").exists()

    # Back to the list through the main navigation.
    navigation = page.get_by_role("navigation", name="Navigation principale")
    tabuler_jusqu_a(page, navigation.get_by_role("link", name="Mes chartes"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/chartes/")
