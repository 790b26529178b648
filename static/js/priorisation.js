// Progressive enhancement of the prioritisation pages (no inline script: the pages keep a strict CSP).
// 1. The live results of a session refresh themselves every 5 s; without JavaScript the page shows
//    the results as of its loading, with a « Rafraîchir » link.
// 2. In a dot vote, the count of remaining points follows the typing; the server stays the judge.
(function () {
  const PERIODE_MS = 5000;

  const resultats = document.querySelector("[data-rafraichir]");
  if (resultats) {
    let enCours = false;
    const rafraichir = async () => {
      if (enCours || document.hidden) return;
      enCours = true;
      try {
        const reponse = await fetch(resultats.dataset.rafraichir, {
          credentials: "same-origin",
          headers: { "X-Requested-With": "fetch" },
          cache: "no-store",
        });
        if (reponse.ok) {
          resultats.innerHTML = await reponse.text();
          resultats.dataset.rafraichi = String(Date.now());
        }
      } catch (erreur) {
        // Network hiccup (Wi-Fi of the meeting room…): the next round tries again.
      } finally {
        enCours = false;
      }
    };
    window.setInterval(rafraichir, PERIODE_MS);
  }

  const grille = document.querySelector("form[data-points-max]");
  if (grille) {
    const maximum = Number(grille.dataset.pointsMax);
    const affichage = grille.querySelector("[data-points-restants]");
    const mettreAJour = () => {
      let total = 0;
      grille.querySelectorAll("input[data-points]").forEach((champ) => {
        const valeur = parseInt(champ.value, 10);
        if (!Number.isNaN(valeur) && valeur > 0) total += valeur;
      });
      const restants = maximum - total;
      affichage.textContent = String(restants);
      affichage.parentElement.classList.toggle("text-danger", restants < 0);
    };
    grille.addEventListener("input", mettreAJour);
    mettreAJour();
  }

  // 3. Scores are saved as the participant goes (each change), not only with the button.
  const vote = document.getElementById("grille-vote");
  const etat = vote && vote.querySelector("[data-etat-enregistrement]");
  if (vote && etat) {
    vote.addEventListener("change", async () => {
      etat.textContent = "Enregistrement…";
      try {
        const reponse = await fetch(window.location.href, {
          method: "POST",
          body: new FormData(vote),
          credentials: "same-origin",
          headers: { "X-Requested-With": "fetch" },
        });
        const heure = new Date().toLocaleTimeString("fr-FR", { hour: "2-digit", minute: "2-digit" });
        etat.textContent = reponse.status === 204 ? `Enregistré à ${heure}.` : await reponse.text();
        etat.classList.toggle("text-danger", reponse.status !== 204);
      } catch (erreur) {
        etat.textContent = "Pas de connexion : cliquez sur « Enregistrer mes notes » une fois le réseau revenu.";
        etat.classList.add("text-danger");
      }
    });
  }
})();
