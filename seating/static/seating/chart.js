/* Seating chart: drag guests between tables (SortableJS), a keyboard/small-screen mover, table dragging.
 *
 * SortableJS (npm) is used when its static file is installed; without it the chart falls back to
 * the browser's own drag and drop (a few lines below), so dragging never depends on the build.
 *
 * Optimistic: a dropped guest stays where it was dropped while the server decides; the server
 * confirms (the live region re-renders with the same arrangement) or refuses with a message
 * (for example the last seat was just taken by another planner), and the chart is re-fetched
 * fresh, which puts the guest back. Posts and refreshes go through the live client
 * (window.confettiLive); messages through static/dashboard/dashboard.js (window.ConfettiDashboard).
 *
 * The selected guest is client state: a live swap morphs the chart in place (the chip keeps
 * its identity and focus), and `live:updated` re-marks the selection on the fresh HTML.
 */
(function () {
  "use strict";

  const dash = () => window.ConfettiDashboard;
  const live = () => window.confettiLive;
  let selectedGuest = null;

  function chartRoot() {
    return document.querySelector(".seating[data-seat-url]");
  }

  async function moveGuest(guestId, tableId) {
    const root = chartRoot();
    if (!root) return;
    const data = new FormData();
    data.append("guest", guestId);
    data.append("table", tableId || "");
    const result = await live().post(root.dataset.seatUrl, data);
    dash().flash(result.message, result.ok);
    // Confirmed or not, show the server's truth: a refusal reverts the optimistic move.
    await live().refresh();
  }

  function tableHasRoom(list) {
    const table = list.closest("[data-capacity]");
    if (!table) return true; // the unseated list
    return list.querySelectorAll("[data-guest]").length < Number(table.dataset.capacity);
  }

  function enhanceSortable() {
    if (!window.Sortable) return;
    document.querySelectorAll(".seating .seat-list").forEach((list) => {
      if (window.Sortable.get(list)) return; // a morphed list keeps its element, and its Sortable
      window.Sortable.create(list, {
        group: {
          name: "seats",
          put: (to) => tableHasRoom(to.el),
        },
        sort: false,
        animation: 120,
        onAdd: (event) => {
          const guestId = event.item.dataset.guest;
          moveGuest(guestId, event.to.dataset.table);
        },
      });
    });
  }

  // Fallback when SortableJS is not installed: native HTML5 drag and drop onto a table or the list.
  let dragging = null;
  function dropList(target) {
    const table = target.closest && target.closest(".seating-table");
    if (table) return table.querySelector(".seat-list");
    return target.closest && target.closest(".seating-unseated")?.querySelector(".seat-list");
  }
  function clearDropTargets() {
    document.querySelectorAll(".is-drop-target").forEach((el) => el.classList.remove("is-drop-target"));
  }
  function enhanceNative() {
    if (window.Sortable) return;
    document.querySelectorAll(".seating [data-guest]").forEach((item) => (item.draggable = true));
  }
  document.addEventListener("dragstart", (event) => {
    const item = !window.Sortable && event.target.closest && event.target.closest(".seating [data-guest]");
    if (!item) return;
    dragging = item;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", item.dataset.guest);
  });
  document.addEventListener("dragover", (event) => {
    if (!dragging) return;
    const list = dropList(event.target);
    if (!list || list === dragging.parentElement || !tableHasRoom(list)) return;
    event.preventDefault();
    clearDropTargets();
    list.classList.add("is-drop-target");
  });
  document.addEventListener("drop", (event) => {
    if (!dragging) return;
    const list = dropList(event.target);
    const item = dragging;
    dragging = null;
    clearDropTargets();
    if (!list || list === item.parentElement) return;
    event.preventDefault();
    list.appendChild(item); // optimistic
    moveGuest(item.dataset.guest, list.dataset.table);
  });
  document.addEventListener("dragend", () => {
    dragging = null;
    clearDropTargets();
  });

  function markSelected() {
    document.querySelectorAll(".seating [data-guest]").forEach((item) => {
      // Focusable and announced as a toggle (rendered so): Enter/Space selects, then "move to" moves.
      const on = item.dataset.guest === selectedGuest;
      item.setAttribute("aria-pressed", on ? "true" : "false");
      item.classList.toggle("is-selected", on);
    });
    const label = document.querySelector("[data-mover-label]");
    const item = selectedGuest && document.querySelector(`.seating [data-guest="${selectedGuest}"]`);
    if (label) label.textContent = item ? `Selected: ${item.textContent.trim()}` : "Select a guest (click or Enter), then";
  }

  function filterUnseated() {
    const input = document.getElementById("unseated-search");
    const words = ((input && input.value) || "").toLowerCase().split(/\s+/).filter(Boolean);
    document.querySelectorAll('.seating-unseated [data-guest]').forEach((item) => {
      const text = (item.textContent + " " + (item.title || "")).toLowerCase();
      item.hidden = !words.every((w) => text.includes(w));
    });
  }

  // One shared editor dialog, outside the live region: it is filled from the table's button.
  function openTableEditor(button) {
    const dialog = document.getElementById("table-editor");
    if (!dialog) return;
    const edit = document.getElementById("table-editor-form");
    const remove = document.getElementById("table-delete-form");
    const d = button.dataset;
    edit.action = d.updateUrl;
    ["name", "capacity", "shape", "x", "y"].forEach((field) => (edit.elements[field].value = d[field]));
    remove.action = d.deleteUrl;
    const filled = Number(d.filled || 0);
    remove.dataset.confirm = `Delete ${d.name}?` + (filled ? ` Its ${filled} guest${filled === 1 ? "" : "s"} will be unseated.` : "");
    document.getElementById("table-editor-h").textContent = `Edit ${d.name}`;
    dialog.showModal();
  }

  document.addEventListener("click", (event) => {
    const editButton = event.target.closest("[data-table-edit]");
    if (editButton) {
      openTableEditor(editButton);
      return;
    }
    const guest = event.target.closest(".seating [data-guest]");
    if (guest) {
      selectedGuest = selectedGuest === guest.dataset.guest ? null : guest.dataset.guest;
      markSelected();
      return;
    }
    if (event.target.closest("[data-mover-go]")) {
      const target = document.querySelector("[data-mover-target]");
      if (!selectedGuest) {
        dash().flash("Select a guest first.", false);
        return;
      }
      const guestId = selectedGuest;
      const tableId = target ? target.value : "";
      // Optimistic: move the guest's chip at once.
      const item = document.querySelector(`.seating [data-guest="${guestId}"]`);
      const list = document.querySelector(`.seating .seat-list[data-table="${tableId}"]`);
      if (item && list) list.appendChild(item);
      selectedGuest = null;
      moveGuest(guestId, tableId);
    }
  });

  document.addEventListener("keydown", (event) => {
    const guest = event.target.closest && event.target.closest(".seating [data-guest]");
    if (guest && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      guest.click();
      const target = document.querySelector("[data-mover-target]");
      if (target && selectedGuest) target.focus();
    }
  });

  document.addEventListener("input", (event) => {
    if (event.target.id === "unseated-search") filterUnseated();
  });

  // Dragging a table by its header moves it on the floor plan. Positions are percentages of the
  // free space (see chart.css: 0 = left/top edge, 100 = right/bottom edge), kept in --x / --y.
  function freeSpace(floor, table) {
    const rem = parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
    const tableH = parseFloat(getComputedStyle(floor).getPropertyValue("--table-h")) * rem || table.offsetHeight;
    return { w: Math.max(floor.clientWidth - table.offsetWidth, 1), h: Math.max(floor.clientHeight - tableH, 1) };
  }

  document.addEventListener("pointerdown", (event) => {
    const head = event.target.closest(".seating-table .table-head");
    if (!head || event.button !== 0) return;
    const table = head.closest(".seating-table");
    const floor = table.closest(".seating-floor");
    if (getComputedStyle(table).position !== "absolute") return; // small screens: a list, no plan
    const free = freeSpace(floor, table);
    const start = { x: event.clientX, y: event.clientY, left: table.offsetLeft, top: table.offsetTop };
    const clamp = (v) => Math.max(0, Math.min(100, v));
    let moved = false;
    let pos = null;
    head.setPointerCapture(event.pointerId);
    const onMove = (e) => {
      const dx = e.clientX - start.x;
      const dy = e.clientY - start.y;
      if (!moved && Math.abs(dx) + Math.abs(dy) < 4) return;
      moved = true;
      pos = { x: clamp(((start.left + dx) / free.w) * 100), y: clamp(((start.top + dy) / free.h) * 100) };
      table.style.setProperty("--x", pos.x.toFixed(2));
      table.style.setProperty("--y", pos.y.toFixed(2));
    };
    const onUp = async () => {
      head.removeEventListener("pointermove", onMove);
      head.removeEventListener("pointerup", onUp);
      if (!moved || !pos) return;
      const data = new FormData();
      data.append("x", pos.x.toFixed(2));
      data.append("y", pos.y.toFixed(2));
      const result = await live().post(table.dataset.moveUrl, data);
      if (!result.ok) dash().flash(result.message, false);
      await live().refresh();
    };
    head.addEventListener("pointermove", onMove);
    head.addEventListener("pointerup", onUp);
  });

  function enhance() {
    enhanceSortable();
    enhanceNative();
    markSelected();
    filterUnseated();
  }
  document.addEventListener("live:updated", enhance);
  document.addEventListener("DOMContentLoaded", enhance);
  window.addEventListener("load", enhance); // Sortable may arrive after DOMContentLoaded
})();
