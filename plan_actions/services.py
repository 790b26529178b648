"""Traceable changes to the action plan: each writes the change and its history in one transaction."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from charte.audit import mettre_a_jour
from charte.models import Charte, Etape, Journal
from charte.services import ConflitDeVersion
from charte.taches import en_file
from plan_actions.instantanes import differences, fiches_pour_instantane, instantane_du_plan, valeurs
from plan_actions.models import Commentaire, FicheAction, Historique, Suivi, VersionPlan

Statut = FicheAction.Statut


def photo(fiche):
    """The fiche's current picture, read fresh from the database (never from a form's instance)."""
    return valeurs(fiches_pour_instantane(FicheAction.objects.filter(pk=fiche.pk)).get())


def historiser(fiche, par, avant, apres=None):
    """Keep one history row per value that changed between two pictures of the fiche."""
    apres = photo(fiche) if apres is None else apres
    maintenant = timezone.now()
    changements = differences(avant, apres)
    Historique.objects.bulk_create(
        Historique(
            fiche=fiche, auteur=par, date=maintenant, champ=c.champ, ancienne_valeur=c.avant, nouvelle_valeur=c.apres
        )
        for c in changements
    )
    return changements


def prendre_la_main(fiche, version_lue):
    """Claim the fiche for a save made from a form opened on `version_lue`; anyone's save since then wins."""
    if not FicheAction.objects.filter(pk=fiche.pk, version=version_lue).update(version=F("version") + 1):
        raise ConflitDeVersion(fiche)
    fiche.version = version_lue + 1


@transaction.atomic
def creer_fiche(charte, par, enregistrer):
    """A new fiche with the next free number; `enregistrer(numero)` saves the form and its tables."""
    Charte.objects.select_for_update().filter(pk=charte.pk).get()  # two fiches created at once get two numbers
    numero = (charte.fiches.aggregate(n=Max("numero"))["n"] or 0) + 1
    fiche = enregistrer(numero)
    Historique.objects.create(fiche=fiche, auteur=par, champ="Fiche", nouvelle_valeur="créée (brouillon)")
    Journal.noter(charte, par, f"Fiche action n° {fiche.numero} « {fiche.titre} » créée")
    return fiche


@transaction.atomic
def modifier_fiche(fiche, par, version_lue, enregistrer):
    """Save a fiche edited from a form opened on `version_lue`: refused if someone saved it meanwhile."""
    avant = photo(fiche)
    prendre_la_main(fiche, version_lue)
    enregistrer()
    changements = historiser(fiche, par, avant)
    if changements:
        nb = len(changements)
        Journal.noter(
            fiche.charte, par, f"Fiche action n° {fiche.numero} modifiée ({nb} changement{'s' if nb > 1 else ''})"
        )
    return changements


def _changer_statut(fiche, par, nouveau, message_journal, **champs):
    avant = photo(fiche)
    mettre_a_jour(FicheAction.objects.filter(pk=fiche.pk), statut=nouveau, version=F("version") + 1, **champs)
    fiche.refresh_from_db()
    historiser(fiche, par, avant)
    Journal.noter(fiche.charte, par, message_journal)


def verifier_complete(fiche):
    """What a fiche needs before the référent can review it."""
    if not fiche.priorites.exists():
        raise ValidationError(
            "Rattachez la fiche à au moins une priorité : le plan répond aux priorités issues du diagnostic."
        )


@transaction.atomic
def proposer_fiche(fiche, par):
    if fiche.statut != Statut.BROUILLON:
        raise ValidationError("Seule une fiche en brouillon peut être proposée.")
    verifier_complete(fiche)
    _changer_statut(
        fiche,
        par,
        Statut.PROPOSEE,
        f"Fiche action n° {fiche.numero} proposée à la validation",
        proposee_par=par,
        proposee_le=timezone.now(),
    )


@transaction.atomic
def valider_fiche(fiche, par):
    if fiche.statut != Statut.PROPOSEE:
        raise ValidationError("Seule une fiche proposée peut être validée.")
    verifier_complete(fiche)
    _changer_statut(
        fiche,
        par,
        Statut.VALIDEE,
        f"Fiche action n° {fiche.numero} validée",
        validee_par=par,
        validee_le=timezone.now(),
    )


@transaction.atomic
def renvoyer_fiche(fiche, par, motif):
    """The référent sends a proposed fiche back to its authors, saying what to change."""
    if fiche.statut != Statut.PROPOSEE:
        raise ValidationError("Seule une fiche proposée peut être renvoyée.")
    if not motif.strip():
        raise ValidationError("Dites ce qu'il faut revoir : le commentaire est envoyé au pilote.")
    _changer_statut(fiche, par, Statut.BROUILLON, f"Fiche action n° {fiche.numero} renvoyée pour compléments")
    commenter(fiche, par, f"Fiche renvoyée pour compléments : {motif.strip()}")


@transaction.atomic
def ajouter_suivi(fiche, par, *, date, texte, avancement, statut):
    """A progress entry of the pilot; it moves the fiche's progress and status along."""
    if fiche.en_redaction:
        raise ValidationError("Le suivi commence une fois la fiche validée.")
    if statut not in FicheAction.STATUTS_DE_SUIVI:
        raise ValidationError({"statut": "Ce statut ne se choisit pas dans le suivi."})
    avant = photo(fiche)
    suivi = Suivi.objects.create(
        fiche=fiche,
        date=date,
        texte=texte,
        avancement=avancement,
        statut_avant=fiche.statut,
        statut_apres=statut,
        auteur=par,
    )
    mettre_a_jour(
        FicheAction.objects.filter(pk=fiche.pk), statut=statut, avancement=avancement, version=F("version") + 1
    )
    fiche.refresh_from_db()
    historiser(fiche, par, avant)
    return suivi


@transaction.atomic
def commenter(fiche, par, texte):
    """A comment on the fiche; the people concerned are told by e-mail once it is committed."""
    from plan_actions.tasks import notifier_commentaire

    commentaire = Commentaire.objects.create(fiche=fiche, auteur=par, texte=texte)
    transaction.on_commit(lambda: en_file(notifier_commentaire, commentaire.pk))
    return commentaire


@transaction.atomic
def figer_version(charte, par, libelle):
    """Freeze the plan as it stands today: a baseline to compare the plan with later."""
    version = VersionPlan.objects.create(
        charte=charte, libelle=libelle, creee_par=par, contenu=instantane_du_plan(charte)
    )
    Journal.noter(charte, par, f"Version de référence du plan figée : « {libelle} »")
    return version


@transaction.atomic
def signer_plan(charte, par, *, le, instance):
    """The COPIL signs the plan: the stage-3 gate is validated and the plan as signed is frozen."""
    etape = charte.etapes.select_for_update().get(numero=Etape.Numero.PLAN)
    if etape.jalon_valide:
        raise ValidationError("Le plan d'actions est déjà signé.")
    fiches = charte.fiches.all()
    if not fiches.filter(statut=Statut.VALIDEE).exists():
        raise ValidationError("Aucune fiche n'est validée : le plan signé doit contenir au moins une fiche validée.")
    en_attente = fiches.filter(statut=Statut.PROPOSEE).count()
    if en_attente:
        raise ValidationError(
            f"{en_attente} fiche(s) attendent encore l'avis du référent : validez-les ou renvoyez-les avant la signature."
        )
    etape.valider_jalon(par=par, le=le, instance=instance)
    return figer_version(charte, par, f"Plan signé le {le:%d/%m/%Y} ({instance})")


@transaction.atomic
def enregistrer_financements(par, fiches_et_versions, enregistrer):
    """A funder updates its financings on several fiches at once; any fiche saved meanwhile aborts it all."""
    avant = {fiche.pk: photo(fiche) for fiche, _version in fiches_et_versions}
    for fiche, version_lue in fiches_et_versions:
        prendre_la_main(fiche, version_lue)
    enregistrer()
    for fiche, _version in fiches_et_versions:
        historiser(fiche, par, avant[fiche.pk])
