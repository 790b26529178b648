// Question builder: show only the fields that matter for the chosen type of question.
(function () {
  const type = document.getElementById("id_type");
  if (!type) return;
  const CHAMPS_PAR_TYPE = {
    lignes: ["choix_unique", "choix_multiple", "grille"],
    libelle_autre: ["choix_unique", "choix_multiple"],
    echelle: ["echelle", "grille"],
    minimum: ["nombre"],
    maximum: ["nombre"],
    unite: ["nombre"],
    condition_option: null, // every type may be conditional
  };

  function mettreAJour() {
    Object.entries(CHAMPS_PAR_TYPE).forEach(([champ, types]) => {
      const bloc = document.getElementById(`div_id_${champ}`);
      if (bloc && types) bloc.hidden = !types.includes(type.value);
    });
  }

  type.addEventListener("change", mettreAJour);
  mettreAJour();
})();
