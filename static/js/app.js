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
  // Irreversible and mass actions: a form with data-confirm="<what happens>" opens the dialog;
  // data-confirm-value is what confirming sends, data-confirm-type a text to type (a name) that
  // must match. The server checks the value again (portal/web/confirm.py).
  function normalise(text) { return (text || "").trim().replace(/\s+/g, " ").toLowerCase(); }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("[data-confirm]") || form.dataset.confirmed === "yes") return;
    event.preventDefault();
    event.stopImmediatePropagation();
    var dialog = document.getElementById("confirm-dialog");
    var typed = form.dataset.confirmType || "";
    var input = dialog.querySelector("[data-confirm-input]");
    var ok = dialog.querySelector("[data-confirm-ok]");
    dialog.querySelector("[data-confirm-text]").textContent = form.dataset.confirm;
    dialog.querySelector("[data-confirm-typed]").hidden = !typed;
    dialog.querySelector("[data-confirm-prompt]").textContent = form.dataset.confirmPrompt || "";
    dialog.querySelector("[data-confirm-expect]").textContent = typed;
    input.value = "";
    ok.disabled = Boolean(typed);
    input.oninput = function () { ok.disabled = normalise(input.value) !== normalise(typed); };
    var submitter = event.submitter;
    dialog.returnValue = "";
    dialog.addEventListener("close", function () {
      if (dialog.returnValue !== "ok") return;
      form.querySelector("[name=confirm]").value = typed ? input.value : form.dataset.confirmValue;
      form.dataset.confirmed = "yes";
      form.requestSubmit(submitter && submitter.form === form ? submitter : undefined);
      form.dataset.confirmed = "";
    }, { once: true });
    dialog.showModal();
    (typed ? input : ok).focus();
  }, true);

  // A checkbox with data-enables="<id>" enables that button while it is ticked.
  document.addEventListener("change", function (event) {
    var id = event.target.dataset && event.target.dataset.enables;
    if (id) document.getElementById(id).disabled = !event.target.checked;
  });

  // The menu button on a phone opens and closes the navigation.
  document.addEventListener("click", function (event) {
    var toggle = event.target.closest("[data-menu-toggle]");
    if (!toggle) return;
    var bar = toggle.closest(".topbar");
    var open = !bar.classList.contains("menu-open");
    bar.classList.toggle("menu-open", open);
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
  });
  // Print buttons: data-print (no inline script under the CSP).
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) window.print();
  });
  // "Select all" checkboxes: data-select-all="<name>" ticks every checkbox of that name, except
  // those marked data-not-in-select-all (the health answers of an export: chosen on purpose only).
  document.addEventListener("change", function (event) {
    var all = event.target.closest("[data-select-all]");
    var form = event.target.form;
    if (!form) return;
    if (all) {
      form.querySelectorAll('input[type=checkbox][name="' + all.dataset.selectAll + '"]:not([data-not-in-select-all])').forEach(function (box) {
        box.checked = all.checked;
      });
    } else if (event.target.type === "checkbox") {
      var master = form.querySelector('[data-select-all="' + event.target.name + '"]');
      if (master) {
        var boxes = form.querySelectorAll('input[type=checkbox][name="' + event.target.name + '"]:not([data-not-in-select-all])');
        master.checked = Array.prototype.every.call(boxes, function (box) { return box.checked; });
      }
    }
  });
  // Breach deadlines: data-countdown="<ISO deadline>" counts on every 20 seconds, in the words
  // the server gave (data-left / data-over with {h} and {m}).
  function tickCountdowns() {
    document.querySelectorAll("[data-countdown]").forEach(function (clock) {
      var left = Math.round((Date.parse(clock.dataset.countdown) - Date.now()) / 1000);
      var seconds = Math.abs(left);
      var words = left < 0 ? clock.dataset.over : clock.dataset.left;
      clock.textContent = words.replace("{h}", Math.floor(seconds / 3600)).replace("{m}", Math.floor(seconds % 3600 / 60));
      clock.classList.toggle("overdue", left < 0);
    });
  }
  setInterval(tickCountdowns, 20000);
  document.addEventListener("DOMContentLoaded", tickCountdowns);
})();
