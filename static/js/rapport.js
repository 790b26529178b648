// The report page asks for its status every 2 seconds until the PDF is ready (or has failed).
(function () {
  const INTERVALLE_MS = 2000;
  function suivre() {
    const bloc = document.getElementById("etat-rapport");
    if (!bloc || bloc.dataset.termine === "oui") return;
    setTimeout(() => {
      fetch(bloc.dataset.url, { headers: { "X-Requested-With": "fetch" } })
        .then((reponse) => (reponse.ok ? reponse.text() : Promise.reject(reponse.status)))
        .then((html) => {
          bloc.outerHTML = html;
          suivre();
        })
        .catch(() => setTimeout(suivre, INTERVALLE_MS)); // a network hiccup: keep trying
    }, INTERVALLE_MS);
  }
  suivre();
})();
