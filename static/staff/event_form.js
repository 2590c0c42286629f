// The event form shows only the place fields for the chosen format: the
// venue and address for an evening in person, the joining details for one
// online. Without this file every field shows, each saying which format it
// is for, and the server ignores none of them.
(function () {
  "use strict";
  var FIELDS = {
    in_person: ["venue_name", "address", "travel_notes", "access_notes"],
    online: ["online_joining_details", "online_joining_url", "online_dial_in"],
  };

  function show(format) {
    Object.keys(FIELDS).forEach(function (kind) {
      FIELDS[kind].forEach(function (name) {
        var row = document.querySelector(".form-row.field-" + name);
        if (row) row.hidden = format !== kind;
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var select = document.getElementById("id_format");
    if (!select) return;
    show(select.value);
    select.addEventListener("change", function () {
      show(select.value);
    });
  });
})();
