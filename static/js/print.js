// A print button without inline script (the CSP forbids inline handlers).
for (const button of document.querySelectorAll("[data-print]")) {
  button.addEventListener("click", () => window.print());
}
