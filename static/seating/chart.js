/* Seating chart: drag guests between tables (SortableJS), a keyboard/small-screen mover, table dragging.
 *
 * Optimistic: a dropped guest stays where it was dropped while the server decides; the server
 * confirms (the live region re-renders with the same arrangement) or refuses with a message
 * (for example the last seat was just taken by another planner), and the chart is re-fetched
 * fresh, which puts the guest back. Needs static/dashboard/dashboard.js (window.ConfettiDashboard).
 */
(function () {
  "use strict";

  const dash = () => window.ConfettiDashboard;
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
    const result = await dash().post(root.dataset.seatUrl, data);
    dash().flash(result.message, result.ok);
    // Confirmed or not, show the server's truth: a refusal reverts the optimistic move.
    await dash().refreshRegions();
  }

  function tableHasRoom(list) {
    const table = list.closest("[data-capacity]");
    if (!table) return true; // the unseated list
    return list.querySelectorAll("[data-guest]").length < Number(table.dataset.capacity);
  }

  function enhanceSortable() {
    if (!window.Sortable) return;
    document.querySelectorAll(".seating .seat-list").forEach((list) => {
      if (list.dataset.sortable) return;
      list.dataset.sortable = "1";
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

  function markSelected() {
    document.querySelectorAll(".seating [data-guest]").forEach((item) => {
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
      const text = item.dataset.search || "";
      item.hidden = !words.every((w) => text.includes(w));
    });
  }

  document.addEventListener("click", (event) => {
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

  // Dragging a table by its header moves it on the floor plan (x/y in percent).
  document.addEventListener("pointerdown", (event) => {
    const head = event.target.closest(".seating-table .table-head");
    if (!head || event.button !== 0) return;
    const table = head.closest(".seating-table");
    const floor = table.closest(".seating-floor");
    const box = floor.getBoundingClientRect();
    const start = { x: event.clientX, y: event.clientY, left: table.offsetLeft, top: table.offsetTop };
    let moved = false;
    head.setPointerCapture(event.pointerId);
    const onMove = (e) => {
      const dx = e.clientX - start.x;
      const dy = e.clientY - start.y;
      if (!moved && Math.abs(dx) + Math.abs(dy) < 4) return;
      moved = true;
      table.style.left = ((start.left + dx) / box.width) * 100 + "%";
      table.style.top = ((start.top + dy) / box.height) * 100 + "%";
    };
    const onUp = async () => {
      head.removeEventListener("pointermove", onMove);
      head.removeEventListener("pointerup", onUp);
      if (!moved) return;
      const clamp = (v) => Math.max(0, Math.min(100, v));
      const data = new FormData();
      data.append("x", clamp(parseFloat(table.style.left)).toFixed(2));
      data.append("y", clamp(parseFloat(table.style.top)).toFixed(2));
      const result = await dash().post(table.dataset.moveUrl, data);
      if (!result.ok) dash().flash(result.message, false);
      await dash().refreshRegions();
    };
    head.addEventListener("pointermove", onMove);
    head.addEventListener("pointerup", onUp);
  });

  function enhance() {
    enhanceSortable();
    markSelected();
    filterUnseated();
  }
  document.addEventListener("confetti:regions-changed", enhance);
  document.addEventListener("DOMContentLoaded", enhance);
  window.addEventListener("load", enhance); // Sortable may arrive after DOMContentLoaded
})();
