// Tablet mode: the finger signature (vendored signature_pad), the team's panel, and the idle
// screen: after the salon's idle time every entry is cleared and the server closes the form.
(function () {
  "use strict";
  var body = document.body;

  var toggle = document.querySelector("[data-staff-toggle]");
  var panel = document.getElementById("staff-panel");
  if (toggle && panel) {
    toggle.addEventListener("click", function () {
      panel.hidden = !panel.hidden;
      toggle.setAttribute("aria-expanded", panel.hidden ? "false" : "true");
      if (!panel.hidden) { var pin = panel.querySelector("input[type=password]"); if (pin) pin.focus(); }
    });
  }

  var form = document.getElementById("tablet-form");
  var canvas = document.querySelector("[data-signature-pad]");
  var pad = null;
  if (form && canvas && window.SignaturePad) {
    var fit = function () {
      // Draw sharp on high-density screens; the strokes stay in CSS pixels.
      var ratio = Math.max(window.devicePixelRatio || 1, 1);
      var data = pad ? pad.toData() : null;
      canvas.width = canvas.offsetWidth * ratio;
      canvas.height = canvas.offsetHeight * ratio;
      canvas.getContext("2d").scale(ratio, ratio);
      if (pad) { pad.clear(); if (data) pad.fromData(data); }
    };
    pad = new window.SignaturePad(canvas, { minWidth: 1, maxWidth: 2.5, penColor: "#111" });
    fit();
    window.addEventListener("resize", fit);
    document.querySelector("[data-signature-clear]").addEventListener("click", function () { pad.clear(); });
    pad.addEventListener("beginStroke", function () { document.querySelector("[data-signature-missing]").hidden = true; });
    var submitted = false;
    form.addEventListener("submit", function (event) {
      if (submitted) { event.preventDefault(); return; } // a double tap sends once
      var strokes = pad.toData().map(function (stroke) {
        return stroke.points.map(function (p) { return [Math.round(p.x * 10) / 10, Math.round(p.y * 10) / 10]; });
      });
      var missing = document.querySelector("[data-signature-missing]");
      if (pad.isEmpty()) { event.preventDefault(); missing.hidden = false; return; }
      missing.hidden = true;
      form.querySelector("[data-signature-data]").value = JSON.stringify(strokes);
      form.querySelector("[data-pad-width]").value = Math.round(canvas.offsetWidth);
      form.querySelector("[data-pad-height]").value = Math.round(canvas.offsetHeight);
      submitted = true;
      form.querySelector("[data-sign-submit]").disabled = true;
    });
  }

  var idleSeconds = parseInt(body.getAttribute("data-idle-seconds") || "0", 10);
  var idleForm = document.getElementById("idle-form");
  if (idleSeconds > 0 && idleForm) {
    var timer = null;
    var goIdle = function () {
      if (form) form.reset();
      if (pad) pad.clear();
      idleForm.submit(); // the server closes the hand-over and shows the neutral screen
    };
    var restart = function () { clearTimeout(timer); timer = setTimeout(goIdle, idleSeconds * 1000); };
    ["pointerdown", "keydown", "input", "touchstart", "scroll"].forEach(function (name) {
      document.addEventListener(name, restart, { passive: true, capture: true });
    });
    restart();
  }
})();
