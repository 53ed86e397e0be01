// Progressive enhancement of the RSVP form: the form works without this file.
// Hides the meal choice while "Not attending" is selected, and moves focus to
// the error summary after a refused submission.
(function () {
  "use strict";
  function sync(form) {
    // A meal, and an event's questions, only for a guest who attends.
    form.querySelectorAll("[data-meal-for], [data-answer-for]").forEach(function (box) {
      var checked = form.querySelector('input[name="' + (box.dataset.mealFor || box.dataset.answerFor) + '"]:checked');
      var hide = checked && checked.value === "declined";
      box.hidden = !!hide;
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("rsvp-form");
    if (form) {
      sync(form);
      form.addEventListener("change", function () { sync(form); });
    }
    var errors = document.getElementById("form-errors");
    if (errors) errors.focus();
  });
})();
