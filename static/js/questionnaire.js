// Progressive enhancement of the questionnaire: show a question only when its condition is met,
// and send the form once. Without JavaScript every question shows and the server ignores the
// answers to hidden ones.
(function () {
  const formulaire = document.getElementById("questionnaire");
  if (!formulaire) return;

  function conditionRemplie(bloc) {
    const champ = bloc.dataset.conditionChamp;
    const valeur = bloc.dataset.conditionValeur;
    const coche = formulaire.querySelector(`input[name="${champ}"][value="${valeur}"]:checked`);
    const parent = coche && coche.closest(".question");
    return Boolean(coche) && !(parent && parent.hidden);
  }

  function mettreAJour() {
    formulaire.querySelectorAll(".question[data-condition-champ]").forEach((bloc) => {
      bloc.hidden = !conditionRemplie(bloc);
    });
    // The « précisez » box shows only while its « autre » option is ticked.
    formulaire.querySelectorAll("[data-autre-champ]").forEach((bloc) => {
      const selecteur = `input[name="${bloc.dataset.autreChamp}"][value="${bloc.dataset.autreValeur}"]:checked`;
      bloc.hidden = !formulaire.querySelector(selecteur);
    });
  }

  formulaire.addEventListener("change", mettreAJour);
  mettreAJour();

  formulaire.addEventListener("submit", (evenement) => {
    const bouton = formulaire.querySelector("[data-un-seul-envoi]");
    if (bouton.disabled) {
      evenement.preventDefault();
      return;
    }
    bouton.disabled = true;
    bouton.textContent = "Envoi en cours…";
  });

  // Back button: the page may come back from the cache with the button still disabled.
  window.addEventListener("pageshow", () => {
    const bouton = formulaire.querySelector("[data-un-seul-envoi]");
    bouton.disabled = false;
  });
})();
