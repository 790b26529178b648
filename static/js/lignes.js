// "Ajouter une ligne" under each table of a formset: clone the empty row and count it in TOTAL_FORMS.
// Without JavaScript the form still works: it always offers two empty rows.
document.querySelectorAll("[data-tableau]").forEach((bloc) => {
  const prefixe = bloc.dataset.tableau;
  const total = bloc.querySelector(`input[name="${prefixe}-TOTAL_FORMS"]`);
  const modele = bloc.querySelector("template");
  const bouton = bloc.querySelector("[data-ajouter-ligne]");
  bouton.classList.remove("d-none");
  bouton.addEventListener("click", () => {
    const rang = Number(total.value);
    const html = modele.innerHTML.replaceAll("__prefix__", String(rang));
    bloc.querySelector("tbody").insertAdjacentHTML("beforeend", html);
    total.value = String(rang + 1);
    bloc.querySelector("tbody tr:last-child input, tbody tr:last-child select")?.focus();
  });
});
