// Check-in on the night: keep the counts up to date while the page is open,
// since several people may be checking in at the door at once. Everything
// else on the page is plain forms and works without this file.
(function () {
  "use strict";
  var INTERVAL_MS = 15000;

  function refresh(panel) {
    if (document.hidden) return;
    fetch(panel.getAttribute("data-counts-url"), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (counts) {
        if (!counts) return;
        panel.querySelectorAll("[data-count]").forEach(function (element) {
          var value = counts[element.getAttribute("data-count")];
          if (value !== undefined && element.textContent !== String(value)) {
            element.textContent = String(value);
          }
        });
      })
      .catch(function () {
        // Offline for a moment: the next refresh or tap catches up.
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var panel = document.getElementById("door-counts");
    if (!panel || !window.fetch) return;
    window.setInterval(function () {
      refresh(panel);
    }, INTERVAL_MS);
  });
})();
