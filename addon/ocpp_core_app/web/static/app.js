// OCPP Core web UI: keeps every element with data-refresh live (the overview's tiles, a charger's status: polls
// its fragment every second; no server-sent events, which ingress does not carry reliably) and asks before a
// button with data-confirm submits.
(function () {
  "use strict";
  document.querySelectorAll("[data-refresh]").forEach(function (element) {
    var busy = false;
    var refresh = function () {
      if (busy || document.hidden) return;
      busy = true;
      fetch(element.dataset.refresh, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
        .then(function (r) {
          // signed out meanwhile (the own port): show the sign-in page, not it inside the tiles
          if (r.redirected) { window.location.reload(); return null; }
          return r.ok ? r.text() : null;
        })
        .then(function (html) { if (html !== null) element.innerHTML = html; })
        .catch(function () {})
        .finally(function () { busy = false; });
    };
    setInterval(refresh, 1000);
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.dataset.confirm)) event.preventDefault();
  });
})();
