// Projector slideshow: cycles through the approved photos; a photo that arrives
// through the live region (no reload) is shown at once, then the cycle goes on.
(function () {
  "use strict";
  const root = document.querySelector("[data-slideshow]");
  if (!root) return;
  const INTERVAL_MS = 7000;
  const seen = new Set();
  let currentId = null;
  let timer = null;

  function slides() { return Array.from(root.querySelectorAll(".slide")); }
  function showId(id) {
    const all = slides();
    if (!all.length) { currentId = null; return; }
    let target = all.find(function (s) { return s.dataset.photoId === id; }) || all[0];
    all.forEach(function (s) { s.classList.toggle("is-current", s === target); });
    currentId = target.dataset.photoId;
  }
  function next() {
    const all = slides();
    if (!all.length) return;
    const index = all.findIndex(function (s) { return s.dataset.photoId === currentId; });
    showId(all[(index + 1) % all.length].dataset.photoId);
  }
  function restart() {
    if (timer) clearInterval(timer);
    timer = setInterval(next, INTERVAL_MS);
  }
  function sync() {
    const all = slides();
    // The region lists the newest first: a photo we have not seen yet goes on screen now.
    const fresh = all.find(function (s) { return !seen.has(s.dataset.photoId); });
    const first = seen.size === 0;
    all.forEach(function (s) { seen.add(s.dataset.photoId); });
    if (fresh && !first) { showId(fresh.dataset.photoId); restart(); return; }
    showId(currentId || (all[0] && all[0].dataset.photoId));
  }
  // A live swap morphs the slides to the server's (no slide is current there): pick again.
  document.addEventListener("live:updated", sync);
  sync();
  restart();
  // A projector page: ask for full screen on the first click or key press.
  function fullscreen() {
    if (!document.fullscreenElement && document.documentElement.requestFullscreen) {
      document.documentElement.requestFullscreen().catch(function () {});
    }
  }
  document.addEventListener("click", fullscreen);
  document.addEventListener("keydown", function (e) { if (e.key === "f") fullscreen(); });
})();
