/* Confetti planner dashboard: actions posted without a reload, and state that survives live swaps.
 *
 * - <form data-dash-action> posts with fetch (CSRF header from <meta name="confetti-csrf">); the JSON
 *   answer {ok, message} goes to the message area, and the page's live regions are re-fetched at once
 *   (the WebSocket push would bring the same HTML a moment later; this makes the acting window
 *   independent of it). `data-confirm` asks first; `data-autosubmit` submits on change.
 * - Checkboxes of the guest list (form="bulk-form") keep their selection when the region is replaced.
 * - window.ConfettiDashboard exposes post/flash/refreshRegions for the seating chart script.
 */
(function () {
  "use strict";

  const csrf = () => (document.querySelector('meta[name="confetti-csrf"]') || {}).content || "";

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

  async function post(url, data) {
    let response;
    try {
      response = await fetch(url, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrf(), "X-Confetti-Action": "1", Accept: "application/json" },
      });
    } catch (error) {
      return { ok: false, status: 0, message: "The server could not be reached; nothing was changed." };
    }
    let body = {};
    try {
      body = await response.json();
    } catch (error) {
      body = { message: response.ok ? "" : "Something went wrong (" + response.status + "); nothing was changed." };
    }
    return { ok: response.ok && body.ok !== false, status: response.status, message: body.message || "" };
  }

  async function refreshRegions() {
    const regions = Array.from(document.querySelectorAll("[data-live-region][data-live-url]"));
    await Promise.all(
      regions.map(async (region) => {
        try {
          const response = await fetch(region.dataset.liveUrl, { credentials: "same-origin" });
          if (!response.ok) return;
          const html = await response.text();
          // Never replace a newer push with this render: compare with the live glue's version.
          const rendered = parseInt(response.headers.get("X-Live-Version") || "0", 10);
          const live = window.confettiLive;
          if (live && rendered < live.version) return;
          const current = document.getElementById(region.id);
          if (current) current.outerHTML = html;
        } catch (error) {
          /* offline: the live glue's polling/resync catches up */
        }
      })
    );
  }

  document.addEventListener("submit", async (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-dash-action")) return;
    event.preventDefault();
    if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) return;
    const buttons = form.querySelectorAll("button");
    buttons.forEach((b) => (b.disabled = true));
    const result = await post(form.action, new FormData(form));
    buttons.forEach((b) => (b.disabled = false));
    if (result.ok && form.hasAttribute("data-close-dialog")) {
      const dialog = form.closest("dialog");
      if (dialog) dialog.close();
    }
    flash(result.message, result.ok);
    await refreshRegions();
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

  let scheduled = false;
  const observer = new MutationObserver(() => {
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(() => {
      scheduled = false;
      restoreSelection();
      document.dispatchEvent(new CustomEvent("confetti:regions-changed"));
    });
  });
  document.addEventListener("DOMContentLoaded", () => {
    observer.observe(document.body, { childList: true, subtree: true });
    restoreSelection();
  });

  window.ConfettiDashboard = { post, flash, refreshRegions };
})();
