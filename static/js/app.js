// Small behaviours; no inline script anywhere (CSP: script-src 'self').
(function () {
  "use strict";

  function showToast(message) {
    var toast = document.getElementById("toast");
    if (!toast) return;
    toast.textContent = message;
    toast.hidden = false;
    clearTimeout(showToast.timer);
    showToast.timer = setTimeout(function () { toast.hidden = true; }, 6000);
  }

  // htmx 2 swaps no 4xx/5xx responses: show their message instead of failing silently.
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    var doc = new DOMParser().parseFromString(xhr.responseText || "", "text/html");
    var text = doc.querySelector(".error-page p:not(.error-code)");
    showToast(text ? text.textContent.trim() : (document.documentElement.lang === "en"
      ? "Something went wrong. Please try again." : "Etwas ist schiefgelaufen. Bitte versuchen Sie es erneut."));
  });
  document.addEventListener("htmx:sendError", function () {
    showToast(document.documentElement.lang === "en"
      ? "No connection to the server." : "Keine Verbindung zum Server.");
  });

  // Tabs: mark the chosen tab after an htmx swap.
  document.addEventListener("htmx:afterOnLoad", function (event) {
    var link = event.detail.elt;
    if (link && link.getAttribute("role") === "tab") {
      link.parentElement.querySelectorAll("[role=tab]").forEach(function (tab) {
        tab.setAttribute("aria-selected", tab === link ? "true" : "false");
      });
    }
  });
})();
