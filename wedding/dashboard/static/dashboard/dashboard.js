/* Confetti planner dashboard: actions posted without a reload, and state that survives live swaps.
 *
 * - <form data-dash-action> posts through the live client (window.confettiLive.post: CSRF from the
 *   page's <meta name="csrf-token">); the JSON answer {ok, message} goes to the message area, and
 *   the page's live regions are re-fetched at once (confettiLive.refresh: the WebSocket push would
 *   bring the same HTML a moment later; this makes the acting window independent of it).
 *   `data-confirm` asks first; `data-autosubmit` submits on change.
 * - Checkboxes of the guest list (form="bulk-form") keep their selection across live swaps (the
 *   morph keeps a ticked box ticked; this set also remembers rows that left and came back).
 * - window.ConfettiDashboard exposes flash for the seating chart script.
 */
(function () {
  "use strict";

  const live = () => window.confettiLive;

  function flash(message, ok) {
    const box = document.getElementById("dash-flash");
    if (!box || !message) return;
    const item = document.createElement("p");
    item.className = "dash-flash-item " + (ok ? "ok" : "error");
    item.textContent = message;
    box.replaceChildren(item);
    clearTimeout(flash.timer);
    flash.timer = setTimeout(() => item.remove(), ok ? 4000 : 9000);
  }

  document.addEventListener("submit", async (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-dash-action")) return;
    event.preventDefault();
    if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) return;
    const buttons = form.querySelectorAll("button");
    buttons.forEach((b) => (b.disabled = true));
    const result = await live().post(form.action, new FormData(form));
    buttons.forEach((b) => (b.disabled = false));
    if (result.ok && form.hasAttribute("data-close-dialog")) {
      const dialog = form.closest("dialog");
      if (dialog) dialog.close();
    }
    flash(result.message, result.ok);
    await live().refresh();
  });

  document.addEventListener("change", (event) => {
    const target = event.target;
    const form = target.form;
    if (form && form.hasAttribute("data-autosubmit") && form.hasAttribute("data-dash-action")) {
      form.requestSubmit();
    }
    if (target.matches('input[type="checkbox"][form="bulk-form"]')) {
      if (target.checked) selected.add(target.value);
      else selected.delete(target.value);
      countSelected();
    }
    if (target.matches("[data-select-all]")) {
      document.querySelectorAll('input[type="checkbox"][form="bulk-form"]').forEach((box) => {
        box.checked = target.checked;
        if (box.checked) selected.add(box.value);
        else selected.delete(box.value);
      });
      countSelected();
    }
  });

  // Bulk selection survives live re-renders of the guest list.
  const selected = new Set();
  function countSelected() {
    document.querySelectorAll("[data-selected-count]").forEach((el) => (el.textContent = selected.size));
  }
  function restoreSelection() {
    document.querySelectorAll('input[type="checkbox"][form="bulk-form"]').forEach((box) => {
      box.checked = selected.has(box.value);
    });
  }
  const bulkForm = () => document.getElementById("bulk-form");
  document.addEventListener("submit", (event) => {
    // Rows re-rendered since the click still count: post every selected id, not only visible boxes.
    if (event.target !== bulkForm()) return;
    const form = event.target;
    form.querySelectorAll("input[data-kept]").forEach((i) => i.remove());
    const visible = new Set(
      Array.from(document.querySelectorAll('input[type="checkbox"][form="bulk-form"]:checked')).map((b) => b.value)
    );
    selected.forEach((id) => {
      if (visible.has(id)) return;
      const keep = document.createElement("input");
      keep.type = "hidden";
      keep.name = "guest";
      keep.value = id;
      keep.dataset.kept = "1";
      form.appendChild(keep);
    });
  }, true);

  document.addEventListener("live:updated", restoreSelection);
  document.addEventListener("DOMContentLoaded", restoreSelection);

  window.ConfettiDashboard = { flash };
})();
