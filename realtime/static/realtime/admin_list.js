/*
 * A live admin change list (realtime/admin/change_list.html): after a live swap, rows whose action
 * checkbox is ticked are highlighted again. The morph keeps the ticked boxes themselves (live.js
 * leaves state the user changed alone); the row's "selected" class is admin/js/actions.js's and
 * comes back here.
 */
(function () {
  "use strict";
  document.addEventListener("live:updated", function (event) {
    event.target.querySelectorAll("tr input.action-select").forEach(function (box) {
      var row = box.closest("tr");
      if (row) row.classList.toggle("selected", box.checked);
    });
  });
})();
