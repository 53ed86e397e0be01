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
  // Where the guest was when the planner picked them: a live update may morph the chip to another
  // table before they press Move, and the server must hear what the planner decided on.
  let selectedFrom;

  function chartRoot() {
    return document.querySelector(".seating[data-seat-url]");
  }

  // `fromId`: where this planner saw the guest (a table id, "" for unseated). If another planner
  // moved the guest meanwhile, the server refuses and says where they went and who moved them.
  async function moveGuest(guestId, tableId, fromId) {
    const root = chartRoot();
    if (!root) return;
    const data = new FormData();
    data.append("guest", guestId);
    data.append("table", tableId || "");
    if (fromId !== undefined) data.append("from", fromId || "");
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
        onEnd: (event) => {
          // The drop counts only on the list under the pointer: passing over other tables on the
          // way (or ending on a full one, which refuses the guest) must not seat anyone there.
          const item = event.item;
          const from = event.from;
          const under = lastPointer && dropList(document.elementFromPoint(lastPointer.x, lastPointer.y) || document.body);
          if (!under || under !== event.to) {
            if (event.to !== from) from.insertBefore(item, from.children[event.oldIndex] || null); // back home
            const full = under && under.closest("[data-capacity]");
            if (full && under !== from && !tableHasRoom(under)) {
              dash().flash(`${full.dataset.name} is full (${full.dataset.capacity}/${full.dataset.capacity}).`, false);
            }
            return;
          }
          if (event.to !== from) moveGuest(item.dataset.guest, event.to.dataset.table, from.dataset.table);
        },
      });
    });
  }

  // Fallback when SortableJS is not installed: native HTML5 drag and drop onto a table or the list.
  let dragging = null;
  let lastPointer = null;
  ["dragover", "pointermove", "mousemove", "drop"].forEach((type) =>
    document.addEventListener(type, (e) => { lastPointer = { x: e.clientX, y: e.clientY }; }, true)
  );
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
    const fromId = item.parentElement.dataset.table;
    list.appendChild(item); // optimistic
    moveGuest(item.dataset.guest, list.dataset.table, fromId);
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
      selectedFrom = selectedGuest && guest.parentElement ? guest.parentElement.dataset.table : undefined;
      markSelected();
      return;
    }
    if (event.target.closest("[data-mover-place]")) {
      if (!selectedGuest) {
        dash().flash("Select a seated guest first.", false);
        return;
      }
      const data = new FormData();
      data.append("guest", selectedGuest);
      data.append("number", (document.querySelector("[data-mover-number]") || {}).value || "");
      live().post(chartRoot().dataset.placeUrl, data).then((result) => {
        dash().flash(result.message, result.ok);
        live().refresh();
      });
      return;
    }
    if (event.target.closest("[data-mover-pin]")) {
      const item = selectedGuest && document.querySelector(`.seating [data-guest="${selectedGuest}"]`);
      if (!item) {
        dash().flash("Select a seated guest first.", false);
        return;
      }
      const data = new FormData();
      data.append("guest", selectedGuest);
      data.append("pinned", item.dataset.pinned === "1" ? "0" : "1");
      live().post(chartRoot().dataset.pinUrl, data).then((result) => {
        dash().flash(result.message, result.ok);
        live().refresh();
      });
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
      const fromId = selectedFrom;
      if (item && list) list.appendChild(item);
      selectedGuest = null;
      selectedFrom = undefined;
      moveGuest(guestId, tableId, fromId);
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

  // --- zoom and pan: the room (.seating-floor) is drawn to scale inside .floor-viewport ----------
  // The view survives live re-renders (kept here, re-applied after each swap); "fit" is the default.
  const view = { scale: 1, x: 0, y: 0, fitted: true };
  const ZOOM_STEP = 1.25;

  function floorParts() {
    const viewport = document.querySelector(".floor-viewport");
    const floor = viewport && viewport.querySelector(".seating-floor");
    return { viewport, floor };
  }
  function isPlan(viewport) {
    return viewport && getComputedStyle(viewport).overflow === "hidden"; // small screens: a plain list
  }
  function applyView() {
    const { viewport, floor } = floorParts();
    if (!floor) return;
    if (!isPlan(viewport)) {
      floor.style.transform = "";
      return;
    }
    // The plan takes the rest of the window below it, so "fit" shows every table on screen.
    const top = viewport.getBoundingClientRect().top + window.scrollY;
    viewport.style.height = `${Math.max(320, window.innerHeight - top - 12)}px`;
    if (view.fitted) fitView(false);
    floor.style.transform = `translate(${view.x}px, ${view.y}px) scale(${view.scale})`;
    viewport.dataset.scale = view.scale.toFixed(4);
  }
  function fitView(apply = true) {
    const { viewport, floor } = floorParts();
    if (!floor) return;
    const pad = 8;
    const w = floor.offsetWidth, h = floor.offsetHeight;
    const scale = Math.min((viewport.clientWidth - 2 * pad) / w, (viewport.clientHeight - 2 * pad) / h);
    view.scale = Math.max(0.05, scale);
    view.x = (viewport.clientWidth - w * view.scale) / 2;
    view.y = (viewport.clientHeight - h * view.scale) / 2;
    view.fitted = true;
    if (apply) applyView();
  }
  function zoomBy(factor, cx, cy) {
    const { viewport } = floorParts();
    if (!viewport) return;
    if (cx === undefined) {
      cx = viewport.clientWidth / 2;
      cy = viewport.clientHeight / 2;
    }
    const scale = Math.min(4, Math.max(0.05, view.scale * factor));
    // Keep the point under (cx, cy) where it is.
    view.x = cx - ((cx - view.x) * scale) / view.scale;
    view.y = cy - ((cy - view.y) * scale) / view.scale;
    view.scale = scale;
    view.fitted = false;
    applyView();
  }
  function panBy(dx, dy) {
    view.x += dx;
    view.y += dy;
    view.fitted = false;
    applyView();
  }

  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-zoom]");
    if (!button) return;
    const kind = button.dataset.zoom;
    if (kind === "fit") fitView();
    else zoomBy(kind === "in" ? ZOOM_STEP : 1 / ZOOM_STEP);
  });
  document.addEventListener("keydown", (event) => {
    const viewport = event.target.closest && event.target.closest(".floor-viewport");
    if (!viewport || event.target !== viewport) return; // keys inside a form or on a guest stay theirs
    const step = 60;
    const keys = {
      ArrowLeft: () => panBy(step, 0), ArrowRight: () => panBy(-step, 0),
      ArrowUp: () => panBy(0, step), ArrowDown: () => panBy(0, -step),
      "+": () => zoomBy(ZOOM_STEP), "=": () => zoomBy(ZOOM_STEP), "-": () => zoomBy(1 / ZOOM_STEP),
      "0": () => fitView(),
    };
    if (keys[event.key]) {
      event.preventDefault();
      keys[event.key]();
    }
  });
  document.addEventListener("wheel", (event) => {
    const viewport = event.target.closest && event.target.closest(".floor-viewport");
    if (!viewport || !isPlan(viewport) || !(event.ctrlKey || event.metaKey)) return;
    event.preventDefault();
    const rect = viewport.getBoundingClientRect();
    zoomBy(event.deltaY < 0 ? ZOOM_STEP : 1 / ZOOM_STEP, event.clientX - rect.left, event.clientY - rect.top);
  }, { passive: false });
  window.addEventListener("resize", () => view.fitted && applyView());

  // Pointer: a table's or object's header moves it; the room's background pans the view.
  function freeSpace(floor, item) {
    return { w: Math.max(floor.clientWidth - item.offsetWidth, 1), h: Math.max(floor.clientHeight - item.offsetHeight, 1) };
  }

  document.addEventListener("pointerdown", (event) => {
    if (event.button !== 0) return;
    const viewport = event.target.closest(".floor-viewport");
    if (!viewport || !isPlan(viewport)) return;
    const head = event.target.closest(".seating-table .table-head, .floor-object .table-head");
    if (!head) {
      if (event.target.closest(".seating-table, .floor-object, button, a, input, select")) return;
      const start = { x: event.clientX, y: event.clientY, vx: view.x, vy: view.y };
      viewport.setPointerCapture(event.pointerId);
      viewport.classList.add("is-panning");
      const onMove = (e) => {
        view.x = start.vx + e.clientX - start.x;
        view.y = start.vy + e.clientY - start.y;
        view.fitted = false;
        applyView();
      };
      const onUp = () => {
        viewport.classList.remove("is-panning");
        viewport.removeEventListener("pointermove", onMove);
        viewport.removeEventListener("pointerup", onUp);
      };
      viewport.addEventListener("pointermove", onMove);
      viewport.addEventListener("pointerup", onUp);
      return;
    }
    const item = head.closest(".seating-table, .floor-object");
    const floor = item.closest(".seating-floor");
    const free = freeSpace(floor, item);
    const start = { x: event.clientX, y: event.clientY, left: item.offsetLeft, top: item.offsetTop };
    const clamp = (v) => Math.max(0, Math.min(100, v));
    let moved = false;
    let pos = null;
    head.setPointerCapture(event.pointerId);
    const onMove = (e) => {
      // Pointer distances are on screen; the room is drawn scaled by view.scale.
      const dx = (e.clientX - start.x) / view.scale;
      const dy = (e.clientY - start.y) / view.scale;
      if (!moved && Math.abs(dx) + Math.abs(dy) < 4) return;
      moved = true;
      const left = Math.max(0, Math.min(free.w, start.left + dx));
      const top = Math.max(0, Math.min(free.h, start.top + dy));
      pos = { x: clamp((left / free.w) * 100), y: clamp((top / free.h) * 100) };
      item.style.left = `${(left / floor.clientWidth) * 100}%`;
      item.style.top = `${(top / floor.clientHeight) * 100}%`;
    };
    const onUp = async () => {
      head.removeEventListener("pointermove", onMove);
      head.removeEventListener("pointerup", onUp);
      if (!moved || !pos) return;
      const data = new FormData();
      data.append("x", pos.x.toFixed(2));
      data.append("y", pos.y.toFixed(2));
      const result = await live().post(item.dataset.moveUrl, data);
      if (!result.ok) dash().flash(result.message, false);
      await live().refresh();
    };
    head.addEventListener("pointermove", onMove);
    head.addEventListener("pointerup", onUp);
  });

  function enhance() {
    applyView();
    enhanceSortable();
    enhanceNative();
    markSelected();
    filterUnseated();
  }
  document.addEventListener("live:updated", enhance);
  document.addEventListener("DOMContentLoaded", enhance);
  window.addEventListener("load", enhance); // Sortable may arrive after DOMContentLoaded
})();
