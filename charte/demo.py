"""Demo content of the Socle: two charters on real EPCIs, their organisations and accounts.

Every function here is idempotent: running `seed_demo` twice leaves the same data.
"""

import datetime

from django.contrib.auth import get_user_model

from charte.models import Charte, Membre
from charte.services import creer_charte
from territoires.models import Organisation, Territoire
from territoires.services import charger_referentiel

MOT_DE_PASSE_DEMO = "demo"
SIREN_AIRE_ARGONNE = "200066140"
SIREN_ARGONNE_MEUSE = "200066116"

ORGANISATIONS = {
    "msa": ("MSA Lorraine", Organisation.Type.MSA, ""),
    "caf": ("CAF de la Meuse", Organisation.Type.CAF, "55"),
    "ars": ("ARS Grand Est", Organisation.Type.ARS, ""),
    "cd": ("Conseil départemental de la Meuse", Organisation.Type.CD, "55"),
    "codecom": ("CC de l'Aire à l'Argonne", Organisation.Type.COLLECTIVITE, "55"),
}

# username: (first name, last name, e-mail, flags)
COMPTES = {
    "agent.msa": ("Claire", "Martin", "claire.martin@msa-lorraine.example", {"est_agent_msa": True}),
    "referent.codecom": ("Julien", "Thomas", "julien.thomas@cc-aire-argonne.example", {}),
    "partenaire.caf": ("Sophie", "Bernard", "sophie.bernard@caf55.example", {}),
    "partenaire.ars": ("Karim", "Haddad", "karim.haddad@ars-grandest.example", {}),
    "partenaire.cd": ("Nathalie", "Petit", "nathalie.petit@meuse.example", {}),
    "observateur": ("Bernard", "Collin", "bernard.collin@mairie.example", {}),
    "agent.msa2": ("Lucas", "Durand", "lucas.durand@msa-lorraine.example", {"est_agent_msa": True}),
    "national": ("Isabelle", "Leroy", "isabelle.leroy@ccmsa.example", {"est_national": True}),
}

# username: (role, organisation key) in the first charter
MEMBRES_CHARTE_1 = {
    "referent.codecom": (Membre.Role.REFERENT, "codecom"),
    "partenaire.caf": (Membre.Role.PARTENAIRE, "caf"),
    "partenaire.ars": (Membre.Role.PARTENAIRE, "ars"),
    "partenaire.cd": (Membre.Role.PARTENAIRE, "cd"),
    "observateur": (Membre.Role.OBSERVATEUR, None),
}


def creer_organisations():
    return {
        cle: Organisation.objects.update_or_create(nom=nom, defaults={"type": type_, "departement": dep})[0]
        for cle, (nom, type_, dep) in ORGANISATIONS.items()
    }


def creer_comptes():
    utilisateurs = {}
    for username, (prenom, nom, email, drapeaux) in COMPTES.items():
        utilisateur, _ = get_user_model().objects.update_or_create(
            username=username, defaults={"first_name": prenom, "last_name": nom, "email": email, **drapeaux}
        )
        utilisateur.set_password(MOT_DE_PASSE_DEMO)
        utilisateur.save(update_fields=["password"])
        utilisateurs[username] = utilisateur
    return utilisateurs


def charte_demo(siren, date_debut, coordinateur, organisation_msa):
    territoire = Territoire.objects.get(siren=siren)
    existante = Charte.objects.filter(territoire=territoire, creee_par=coordinateur).first()
    if existante:
        return existante, False
    charte = creer_charte(
        territoire=territoire,
        nom=f"Charte « Avec les familles » — {territoire.nom}",
        date_debut=date_debut,
        par=coordinateur,
        organisation=organisation_msa,
    )
    return charte, True


def valider_premiers_jalons(charte, coordinateur, referent):
    """The first charter has passed its first two gates at the COPIL, the référent co-signing.

    The third (plan signed) is passed by plan_actions.demo through the signature service, which freezes the plan.
    """
    dates = {1: datetime.date(2025, 5, 15), 2: datetime.date(2025, 6, 12)}
    for etape in charte.etapes.filter(numero__in=dates):
        etape.valider_jalon(
            par=coordinateur, le=dates[etape.numero], instance=f"COPIL du {dates[etape.numero]:%d/%m/%Y}"
        )
        etape.cosigner_jalon(par=referent, le=dates[etape.numero])


def creer_demo_socle():
    charger_referentiel({SIREN_AIRE_ARGONNE, SIREN_ARGONNE_MEUSE})
    organisations = creer_organisations()
    comptes = creer_comptes()
    charte1, nouvelle = charte_demo(
        SIREN_AIRE_ARGONNE, datetime.date(2025, 1, 6), comptes["agent.msa"], organisations["msa"]
    )
    for username, (role, organisation) in MEMBRES_CHARTE_1.items():
        Membre.objects.update_or_create(
            charte=charte1,
            utilisateur=comptes[username],
            defaults={"role": role, "organisation": organisations.get(organisation)},
        )
    if nouvelle:
        valider_premiers_jalons(charte1, comptes["agent.msa"], comptes["referent.codecom"])
    charte2, _ = charte_demo(
        SIREN_ARGONNE_MEUSE, datetime.date(2026, 3, 2), comptes["agent.msa2"], organisations["msa"]
    )
    return [charte1, charte2]
