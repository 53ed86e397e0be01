// The printable reports' Print button (a file, not onclick="": the CSP allows no inline script).
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) window.print();
});
