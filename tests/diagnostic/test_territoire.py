"""Territory figures and interviews, as the coordinator, a partner and the referent use them."""

import datetime
import html
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from charte.models import Journal
from diagnostic.models import Besoin, Domaine, DonneeTerritoriale, Entretien
from tests.conftest import compter_requetes
from tests.factories import CharteFactory, CommuneFactory, OrganisationFactory

MAX_REQUETES = 15


def texte(reponse):
    """The page as a reader sees it (entities such as &#x27; decoded)."""
    return html.unescape(reponse.content.decode())


def url(page, charte, *args):
    return reverse(f"diagnostic:{page}", args=[charte.slug, *args])


def organisation_de(personne, charte):
    return charte.membres.get(utilisateur=personne).organisation


def creer_donnee(charte, organisation, **champs):
    return DonneeTerritoriale.objects.create(
        **{
            "charte": charte,
            "domaine": Domaine.PETITE_ENFANCE,
            "libelle": "Places en crèche",
            "valeur": Decimal("20"),
            "unite": "places",
            "date": datetime.date(2025, 1, 1),
            "source": "CAF",
            "organisation": organisation,
        }
        | champs
    )


def creer_entretien(charte, auteur, **champs):
    return Entretien.objects.create(
        **{
            "charte": charte,
            "date": datetime.date(2025, 2, 1),
            "type": Entretien.Type.FAMILLE,
            "personnes": "mère de trois enfants, commune rurale",
            "domaines": [Domaine.PETITE_ENFANCE],
            "constats": "Pas de mode de garde le samedi.",
            "auteur": auteur,
        }
        | champs
    )


def saisie(**champs):
    """What a person types in the figure form."""
    return {
        "domaine": "petite_enfance",
        "libelle": "Places d'accueil du jeune enfant",
        "valeur": "12,5",
        "unite": "places",
        "commune": "",
        "date": "2025-03-01",
        "source": "Fichier des EAJE 2024",
    } | champs


def modification(donnee, **champs):
    """The figure form as opened on `donnee` (with its version), then changed by `champs`."""
    return (
        saisie(
            domaine=donnee.domaine,
            libelle=donnee.libelle,
            valeur=str(donnee.valeur).replace(".", ","),
            unite=donnee.unite,
            commune=donnee.commune_id or "",
            date=donnee.date.isoformat(),
            source=donnee.source,
            organisation=donnee.organisation_id,
            version=donnee.version,
        )
        | champs
    )


@pytest.fixture
def beausite(charte):
    commune = CommuneFactory(nom="Beausite", territoire=charte.territoire)
    charte.communes.add(commune)
    return commune


# ---------------------------------------------------------------- adding a figure


def test_un_partenaire_ajoute_une_donnee_au_nom_de_son_organisation(client_de, charte, personnes):
    partenaire = personnes["partenaire"]
    autre_organisation = OrganisationFactory(nom="Conseil départemental")
    client = client_de(partenaire)

    formulaire = texte(client.get(url("nouvelle_donnee", charte)))
    assert 'name="organisation"' not in formulaire
    assert organisation_de(partenaire, charte).nom in formulaire

    # A forged POST naming another organisation does not change who provides the figure.
    reponse = client.post(url("nouvelle_donnee", charte), saisie(organisation=autre_organisation.pk))
    assert reponse.status_code == 302 and reponse.url == url("donnees", charte)
    donnee = DonneeTerritoriale.objects.get()
    assert donnee.organisation == organisation_de(partenaire, charte)
    assert donnee.valeur == Decimal("12.5") and donnee.saisie_par == partenaire and donnee.commune is None
    assert Journal.objects.filter(charte=charte, auteur=partenaire, action__contains="Places d'accueil").exists()

    liste = texte(client.get(url("donnees", charte)))
    assert "12,5 places" in liste and "tout le territoire" in liste


def test_le_coordinateur_choisit_l_organisation_qui_fournit_la_donnee(client_de, charte, personnes, beausite):
    caf = OrganisationFactory(nom="CAF de la Meuse")
    client = client_de(personnes["coordinateur"])
    assert 'name="organisation"' in texte(client.get(url("nouvelle_donnee", charte)))
    client.post(url("nouvelle_donnee", charte), saisie(organisation=caf.pk, commune=beausite.pk, valeur="1 234,5"))
    donnee = DonneeTerritoriale.objects.get()
    assert donnee.organisation == caf and donnee.commune == beausite and donnee.valeur == Decimal("1234.5")


@pytest.mark.parametrize(
    ("champs", "erreur"),
    [
        ({"libelle": "", "source": "", "date": ""}, "Ce champ est obligatoire."),
        ({"valeur": "beaucoup"}, "Saisissez un nombre."),
        ({"valeur": "12,555"}, "2 chiffres après la virgule"),
        ({"date": "2999-01-01"}, "La date ne peut pas être dans le futur."),
    ],
)
def test_une_saisie_incorrecte_est_expliquee_et_rien_n_est_enregistre(client_de, charte, personnes, champs, erreur):
    reponse = client_de(personnes["partenaire"]).post(url("nouvelle_donnee", charte), saisie(**champs))
    assert reponse.status_code == 200
    assert erreur in texte(reponse)
    assert not DonneeTerritoriale.objects.exists()


def test_une_commune_d_un_autre_territoire_est_refusee(client_de, charte, personnes):
    ailleurs = CommuneFactory(nom="Ailleurs")
    reponse = client_de(personnes["partenaire"]).post(url("nouvelle_donnee", charte), saisie(commune=ailleurs.pk))
    assert "Sélectionnez un choix valide" in texte(reponse)
    assert not DonneeTerritoriale.objects.exists()


def test_le_coordinateur_doit_choisir_une_organisation(client_de, charte, personnes):
    reponse = client_de(personnes["coordinateur"]).post(url("nouvelle_donnee", charte), saisie())
    assert "Ce champ est obligatoire." in texte(reponse)
    assert not DonneeTerritoriale.objects.exists()


# ---------------------------------------------------------------- correcting a figure


def test_un_partenaire_corrige_la_donnee_de_son_organisation(client_de, charte, personnes):
    partenaire = personnes["partenaire"]
    donnee = creer_donnee(charte, organisation_de(partenaire, charte))
    client = client_de(partenaire)
    assert client.get(url("modifier_donnee", charte, donnee.pk)).status_code == 200
    # The organisation sent along (forged) is ignored: the figure stays with the partner's organisation.
    forge = modification(donnee, valeur="24", organisation=OrganisationFactory(nom="Autre").pk)
    reponse = client.post(url("modifier_donnee", charte, donnee.pk), forge)
    assert reponse.status_code == 302
    donnee.refresh_from_db()
    assert donnee.valeur == Decimal("24") and donnee.version == 2
    assert donnee.organisation == organisation_de(partenaire, charte)
    assert Journal.objects.filter(auteur=partenaire, action__contains="20 places (tout le territoire) → ").exists()


def test_un_partenaire_ne_touche_pas_a_la_donnee_d_une_autre_organisation(client_de, charte, personnes):
    partenaire = personnes["partenaire"]
    la_sienne = creer_donnee(charte, organisation_de(partenaire, charte), libelle="Places en crèche")
    celle_du_departement = creer_donnee(charte, OrganisationFactory(nom="Conseil départemental"), libelle="PMI")
    client = client_de(partenaire)

    liste = texte(client.get(url("donnees", charte)))
    assert "PMI" in liste
    assert url("modifier_donnee", charte, la_sienne.pk) in liste
    assert url("modifier_donnee", charte, celle_du_departement.pk) not in liste

    assert client.get(url("modifier_donnee", charte, celle_du_departement.pk)).status_code == 403
    forge = modification(celle_du_departement, valeur="1")
    assert client.post(url("modifier_donnee", charte, celle_du_departement.pk), forge).status_code == 403
    assert client.post(url("supprimer_donnee", charte, celle_du_departement.pk)).status_code == 403
    celle_du_departement.refresh_from_db()
    assert celle_du_departement.valeur == Decimal("20") and celle_du_departement.version == 1


def test_le_coordinateur_corrige_toute_donnee_et_peut_changer_son_organisation(client_de, charte, personnes):
    donnee = creer_donnee(charte, organisation_de(personnes["partenaire"], charte))
    caf = OrganisationFactory(nom="CAF de la Meuse")
    client = client_de(personnes["coordinateur"])
    assert url("modifier_donnee", charte, donnee.pk) in texte(client.get(url("donnees", charte)))
    client.post(url("modifier_donnee", charte, donnee.pk), modification(donnee, valeur="3,75", organisation=caf.pk))
    donnee.refresh_from_db()
    assert donnee.valeur == Decimal("3.75") and donnee.organisation == caf


@pytest.mark.parametrize("page", ["modifier_donnee", "supprimer_donnee"])
def test_une_donnee_d_une_autre_charte_repond_404(client_de, charte, personnes, page):
    autre = CharteFactory()
    etrangere = creer_donnee(autre, organisation_de(personnes["partenaire"], charte))
    client = client_de(personnes["coordinateur"])
    assert client.get(url(page, charte, etrangere.pk)).status_code in (404, 405)
    assert client.post(url(page, charte, etrangere.pk), modification(etrangere, valeur="1")).status_code == 404
    assert DonneeTerritoriale.objects.get(pk=etrangere.pk).valeur == Decimal("20")


def test_deux_personnes_corrigent_la_meme_donnee_la_seconde_est_prevenue(client_de, charte, personnes):
    donnee = creer_donnee(charte, organisation_de(personnes["partenaire"], charte))
    # Both open the form on version 1...
    formulaire_du_partenaire = modification(donnee, valeur="25")
    formulaire_du_coordinateur = modification(donnee, valeur="30")
    # ...the partner saves first, then the coordinator.
    client_de(personnes["partenaire"]).post(url("modifier_donnee", charte, donnee.pk), formulaire_du_partenaire)
    client = client_de(personnes["coordinateur"])
    reponse = client.post(url("modifier_donnee", charte, donnee.pk), formulaire_du_coordinateur, follow=True)

    page = texte(reponse)
    assert "a été modifiée par quelqu'un d'autre" in page and "rien n'a été enregistré" in page
    assert 'value="25"' in page  # the form now shows the partner's value
    donnee.refresh_from_db()
    assert donnee.valeur == Decimal("25") and donnee.version == 2


def test_une_donnee_supprimee_pendant_la_correction(client_de, charte, personnes):
    donnee = creer_donnee(charte, organisation_de(personnes["partenaire"], charte))
    formulaire = modification(donnee, valeur="30")
    client = client_de(personnes["coordinateur"])
    assert client.post(url("supprimer_donnee", charte, donnee.pk)).status_code == 302
    # The partner submits a form opened before the deletion: it is now gone, hence a 404.
    assert (
        client_de(personnes["partenaire"]).post(url("modifier_donnee", charte, donnee.pk), formulaire).status_code
        == 404
    )
    assert not DonneeTerritoriale.objects.exists()


def test_un_partenaire_supprime_la_donnee_de_son_organisation(client_de, charte, personnes):
    donnee = creer_donnee(charte, organisation_de(personnes["partenaire"], charte))
    reponse = client_de(personnes["partenaire"]).post(url("supprimer_donnee", charte, donnee.pk), follow=True)
    assert "La donnée est supprimée." in texte(reponse)
    assert not DonneeTerritoriale.objects.exists()
    assert Journal.objects.filter(action__startswith="Donnée territoriale supprimée").exists()


def test_une_donnee_citee_par_un_besoin_n_est_pas_supprimee(client_de, charte, personnes):
    donnee = creer_donnee(charte, organisation_de(personnes["partenaire"], charte))
    besoin = Besoin.objects.create(charte=charte, domaine=Domaine.PETITE_ENFANCE, titre="Garde le samedi")
    besoin.donnees.add(donnee)
    reponse = client_de(personnes["partenaire"]).post(url("supprimer_donnee", charte, donnee.pk), follow=True)
    assert "citée comme preuve du besoin « Garde le samedi »" in texte(reponse)
    assert DonneeTerritoriale.objects.filter(pk=donnee.pk).exists()


# ---------------------------------------------------------------- the list of figures


def test_la_liste_montre_la_population_et_les_donnees_par_domaine(client_de, charte, personnes, beausite):
    caf = OrganisationFactory(nom="CAF de la Meuse")
    creer_donnee(charte, caf, libelle="Places en crèche", valeur=Decimal("1234.50"), commune=beausite)
    creer_donnee(charte, caf, domaine=Domaine.SANTE, libelle="Médecins généralistes", valeur=3, unite="")
    page = texte(client_de(personnes["observateur"]).get(url("donnees", charte)))

    assert "600 habitants" in page and "2 communes" in page  # two communes of 300 inhabitants
    assert reverse("charte:territoire", args=[charte.slug]) in page
    # Domains come in the method's order (petite enfance first), each with its own figures.
    assert re.findall(r'id="domaine-\d+">([^<]+)</h3>', page) == [
        "Petite enfance",
        "Prévention et promotion de la santé",
    ]
    assert page.index("Places en crèche") < page.index("Médecins généralistes")
    assert "1\xa0234,5 places" in page and "Beausite" in page and "CAF de la Meuse" in page
    # An observer reads but neither adds nor corrects.
    assert "Ajouter une donnée" not in page and "/modifier/" not in page
    assert url("enquetes", charte) in page and url("entretiens", charte) in page


def test_filtrer_les_donnees(client_de, charte, personnes, beausite):
    caf, cd = OrganisationFactory(nom="CAF de la Meuse"), OrganisationFactory(nom="Conseil départemental")
    creer_donnee(charte, caf, libelle="Places en crèche", commune=beausite)
    creer_donnee(charte, cd, libelle="Consultations PMI")
    creer_donnee(charte, cd, libelle="Médecins", domaine=Domaine.SANTE, commune=beausite)
    OrganisationFactory(nom="Organisation sans donnée ici")
    client = client_de(personnes["referent"])

    def libelles(**filtre):
        page = texte(client.get(url("donnees", charte), filtre))
        return {lib for lib in ("Places en crèche", "Consultations PMI", "Médecins") if f"<td>{lib}</td>" in page}

    assert libelles(domaine="sante") == {"Médecins"}
    assert libelles(organisation=cd.pk) == {"Consultations PMI", "Médecins"}
    assert libelles(commune=beausite.pk) == {"Places en crèche", "Médecins"}
    assert libelles(commune="null") == {"Consultations PMI"}
    assert libelles(domaine="petite_enfance", organisation=caf.pk) == {"Places en crèche"}

    page = texte(client.get(url("donnees", charte)))
    assert "Organisation sans donnée ici" not in page  # only this charter's providers are offered
    assert "Aucune donnée ne correspond" in texte(client.get(url("donnees", charte), {"domaine": "accompagnement"}))


# ---------------------------------------------------------------- interviews


def entretien_saisi(**champs):
    return {
        "date": "2025-03-10",
        "type": "acteur",
        "personnes": "directrice du multi-accueil",
        "domaines": ["petite_enfance", "parentalite"],
        "constats": "Liste d'attente de six mois.\nDemandes le samedi.",
    } | champs


def test_un_partenaire_ajoute_un_entretien(client_de, charte, personnes):
    partenaire = personnes["partenaire"]
    client = client_de(partenaire)
    formulaire = texte(client.get(url("nouvel_entretien", charte)))
    assert "Ne nommez aucune famille" in formulaire and 'type="checkbox"' in formulaire

    reponse = client.post(url("nouvel_entretien", charte), entretien_saisi())
    assert reponse.status_code == 302
    entretien = Entretien.objects.get()
    assert entretien.auteur == partenaire and entretien.domaines == ["petite_enfance", "parentalite"]
    assert Journal.objects.filter(auteur=partenaire, action="Entretien du 10/03/2025 (acteur local) ajouté").exists()

    liste = texte(client.get(url("entretiens", charte)))
    assert "Relations parents/enfants (parentalité)" in liste
    assert "Liste d'attente de six mois.<br>Demandes le samedi." in liste
    assert url("modifier_entretien", charte, entretien.pk) in liste


def test_un_entretien_sans_domaine_est_refuse(client_de, charte, personnes):
    reponse = client_de(personnes["referent"]).post(url("nouvel_entretien", charte), entretien_saisi(domaines=[]))
    assert "Cochez au moins un domaine." in texte(reponse)
    assert not Entretien.objects.exists()


def test_seuls_l_auteur_et_le_coordinateur_modifient_un_entretien(client_de, charte, personnes):
    entretien = creer_entretien(charte, personnes["partenaire"])
    modifier = url("modifier_entretien", charte, entretien.pk)

    client = client_de(personnes["referent"])
    assert modifier not in texte(client.get(url("entretiens", charte)))
    assert client.post(modifier, entretien_saisi(constats="Réécrit")).status_code == 403
    assert client.post(url("supprimer_entretien", charte, entretien.pk)).status_code == 403

    client_de(personnes["partenaire"]).post(modifier, entretien_saisi(constats="Précisé par l'auteur"))
    entretien.refresh_from_db()
    assert entretien.constats == "Précisé par l'auteur"

    client = client_de(personnes["coordinateur"])
    assert modifier in texte(client.get(url("entretiens", charte)))
    client.post(modifier, entretien_saisi(constats="Relu par le coordinateur"))
    entretien.refresh_from_db()
    assert entretien.constats == "Relu par le coordinateur" and entretien.auteur == personnes["partenaire"]


def test_un_entretien_d_une_autre_charte_repond_404(client_de, charte, personnes):
    etranger = creer_entretien(CharteFactory(), personnes["coordinateur"])
    client = client_de(personnes["coordinateur"])
    assert client.get(url("modifier_entretien", charte, etranger.pk)).status_code == 404
    assert client.post(url("supprimer_entretien", charte, etranger.pk)).status_code == 404
    assert Entretien.objects.filter(pk=etranger.pk).exists()


def test_l_auteur_supprime_son_entretien(client_de, charte, personnes):
    entretien = creer_entretien(charte, personnes["referent"])
    client_de(personnes["referent"]).post(url("supprimer_entretien", charte, entretien.pk))
    assert not Entretien.objects.exists()


def test_filtrer_les_entretiens(client_de, charte, personnes):
    auteur = personnes["coordinateur"]
    creer_entretien(charte, auteur, personnes="grand-mère", domaines=["petite_enfance", "sante"])
    creer_entretien(
        charte, auteur, personnes="animateur du centre social", type="acteur", domaines=["animation_sociale"]
    )
    client = client_de(personnes["national"])

    def qui(**filtre):
        page = texte(client.get(url("entretiens", charte), filtre))
        return {nom for nom in ("grand-mère", "animateur du centre social") if f"<td>{nom}</td>" in page}

    assert qui() == {"grand-mère", "animateur du centre social"}
    assert qui(domaine="sante") == {"grand-mère"}
    assert qui(type="acteur") == {"animateur du centre social"}
    assert qui(domaine="sante", type="acteur") == set()


# ---------------------------------------------------------------- query discipline


def remplir(charte, n, organisation_du_partenaire):
    """n figures (half of them the partner's, so both row kinds appear) and n interviews."""
    autre = OrganisationFactory(nom="Autre fournisseur")
    for i in range(n):
        commune = CommuneFactory(territoire=charte.territoire)
        charte.communes.add(commune)
        creer_donnee(
            charte,
            organisation_du_partenaire if i % 2 == 0 else autre,
            libelle=f"Indicateur {i}",
            domaine=Domaine.values[i % len(Domaine.values)],
            commune=commune,
        )
        creer_entretien(charte, charte.membres.first().utilisateur, domaines=Domaine.values[: 1 + i % 3])


@pytest.mark.parametrize("page", ["donnees", "entretiens"])
def test_les_listes_coutent_autant_de_requetes_a_1_et_a_50_lignes(client, charte, personnes, page):
    petite, grande = charte, CharteFactory()
    partenaire = personnes["partenaire"]
    organisation = organisation_de(partenaire, petite)
    grande.membres.create(utilisateur=partenaire, role="partenaire", organisation=organisation)
    remplir(petite, 1, organisation)
    remplir(grande, 50, organisation)
    client.force_login(partenaire)
    nombres = [compter_requetes(client, url(page, c)) for c in (petite, grande)]
    assert nombres[0] == nombres[1] <= MAX_REQUETES, nombres
