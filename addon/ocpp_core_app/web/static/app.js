// OCPP Core web UI: keeps every element with data-refresh live (the overview's tiles, a charger's status: polls
// its fragment every second; no server-sent events, which ingress does not carry reliably), asks before a
// button with data-confirm submits, and behind ingress follows Home Assistant's language until one is picked here.
(function () {
  "use strict";
  var root = document.documentElement;
  if (root.hasAttribute("data-follow-ha")) {
    // Home Assistant's frontend (this frame's parent, the same origin behind ingress) has the user's language
    var ha = "";
    try { ha = (window.parent !== window && window.parent.document.documentElement.lang) || ""; } catch (e) { ha = ""; }
    ha = ha.slice(0, 2).toLowerCase();
    var link = ha && ha !== root.lang ? document.querySelector('footer a[lang="' + ha + '"]') : null;
    if (link) { window.location.replace(link.href + "&auto=ha"); return; }
  }
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
