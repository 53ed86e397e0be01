// Planner quick actions (approve / hide a photo, approve / reject / mark a song played).
// Optimistic (DESIGN §4.12): the row shows its new status at once; the server's
// answer confirms it, or reverts it with a message. Inside a live region the
// regions are then re-fetched so the page is right even before the socket push.
// Posts and refreshes go through the live client (window.confettiLive, realtime/live.js).
(function () {
  "use strict";

  function say(message) {
    const status = document.querySelector("[data-admin-status]");
    if (status) { status.textContent = message; return; }
    if (message) window.alert(message);
  }
  document.addEventListener("click", async function (event) {
    const button = event.target.closest("[data-admin-action]");
    if (!button || button.disabled || !window.confettiLive) return;
    event.preventDefault();
    const row = button.closest("tr") || button.parentElement;
    const label = row ? row.querySelector("[data-status-label]") : null;
    const before = label ? label.textContent : "";
    const buttons = row ? Array.from(row.querySelectorAll("[data-admin-action]")) : [button];
    const wasDisabled = buttons.map(function (b) { return b.disabled; });
    // Optimistic: the new status shows now.
    if (label) label.textContent = button.dataset.label || before;
    if (row) row.classList.add("is-busy");
    buttons.forEach(function (b) { b.disabled = true; });
    say("");
    const result = await window.confettiLive.post(button.dataset.url, new URLSearchParams({ status: button.dataset.status }));
    const answer = result.body;
    if (!result.ok || !answer.status) {
      if (label) label.textContent = before;
      buttons.forEach(function (b, i) { b.disabled = wasDisabled[i]; });
      if (row) row.classList.remove("is-busy");
      say(result.message || "That did not work. Please try again.");
      return;
    }
    if (label) label.textContent = answer.status_label;
    buttons.forEach(function (b) { b.disabled = b.dataset.status === answer.status; });
    if (row) row.classList.remove("is-busy");
    if (button.closest("[data-live-region]")) await window.confettiLive.refresh();
  });
})();
