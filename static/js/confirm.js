// Forms with data-confirm ask first, in the page's language (the text comes translated
// from the server): no inline handler, so a strict Content-Security-Policy allows it.
(function () {
  "use strict";
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });
})();
