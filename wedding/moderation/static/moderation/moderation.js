// Planner quick actions (approve / hide a photo, approve / reject / mark a song played).
// Optimistic (DESIGN §4.12): the row shows its new status at once; the server's
// answer confirms it, or reverts it with a message. Inside a live region the
// region is then re-fetched so the page is right even before the socket push.
(function () {
  "use strict";

  function csrfToken() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    if (meta && meta.content) return meta.content;
    const input = document.querySelector('input[name="csrfmiddlewaretoken"]');
    if (input) return input.value;
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }
  function say(message) {
    const status = document.querySelector("[data-admin-status]");
    if (status) { status.textContent = message; return; }
    if (message) window.alert(message);
  }
  async function refreshRegion(region) {
    if (!region || !region.dataset.liveUrl) return;
    try {
      const response = await fetch(region.dataset.liveUrl, { credentials: "same-origin" });
      if (!response.ok) return;
      const html = await response.text();
      const current = document.getElementById(region.id);
      if (current) current.outerHTML = html;
    } catch (_error) { /* the socket push will bring it */ }
  }

  document.addEventListener("click", async function (event) {
    const button = event.target.closest("[data-admin-action]");
    if (!button || button.disabled) return;
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
    try {
      const response = await fetch(button.dataset.url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
        body: new URLSearchParams({ status: button.dataset.status }),
      });
      const answer = await response.json().catch(function () { return null; });
      if (!response.ok || !answer || answer.error) {
        throw new Error((answer && answer.error) || "That did not work (" + response.status + ").");
      }
      if (label) label.textContent = answer.status_label;
      buttons.forEach(function (b) { b.disabled = b.dataset.status === answer.status; });
      if (row) row.classList.remove("is-busy");
      await refreshRegion(button.closest("[data-live-region]"));
    } catch (error) {
      if (label) label.textContent = before;
      buttons.forEach(function (b, i) { b.disabled = wasDisabled[i]; });
      if (row) row.classList.remove("is-busy");
      say(error.message || "That did not work. Please try again.");
    }
  });
})();
