// Buttons marked data-imprimer open the browser's print dialog (the page's print CSS does the layout).
document.querySelectorAll("[data-imprimer]").forEach((bouton) => {
  bouton.addEventListener("click", () => window.print());
});
