// Small touches shared by every page (no build step, nothing required for the page to work).
(function () {
  "use strict";
  var lang = document.documentElement.lang || "en";
  // Country and language names in the reader's language, from the browser's own data
  // (Intl.DisplayNames): the server sends ISO codes with an English fallback.
  if (window.Intl && Intl.DisplayNames) {
    var regions = new Intl.DisplayNames([lang], { type: "region" });
    var languages = new Intl.DisplayNames([lang], { type: "language" });
    document.querySelectorAll("[data-region]").forEach(function (node) {
      try {
        node.textContent = regions.of(node.dataset.region.toUpperCase()) || node.textContent;
      } catch (e) {}
    });
    document.querySelectorAll("[data-language]").forEach(function (node) {
      try {
        node.textContent = languages.of(node.dataset.language) || node.textContent;
      } catch (e) {}
    });
  }
})();
