// A double tap on a slow connection sends a form twice: a second booking attempt, a child
// added twice. The server copes with that (tests/concurrency), but the family should not
// have to wonder which tap counted. For a few seconds after a form is sent, sending it
// again is ignored; then it works again (a download leaves the page as it was, and a
// lead may want another).
(function () {
  "use strict";
  var QUIET_MS = 4000;

  function release(form) {
    delete form.dataset.sending;
    form.removeAttribute("aria-busy");
    form.querySelectorAll("button[data-label]").forEach(function (button) {
      button.innerHTML = button.dataset.label;
      delete button.dataset.label;
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || form.method.toLowerCase() !== "post") return;
    if (form.dataset.sending) {
      event.preventDefault();
      return;
    }
    form.dataset.sending = "1";
    form.setAttribute("aria-busy", "true");
    // Say it went: on a slow connection nothing else on the screen changes for a while.
    var button = event.submitter;
    if (button && button.tagName === "BUTTON" && button.form === form) {
      button.dataset.label = button.innerHTML;
      button.textContent = "Sending…";
    }
    window.setTimeout(function () { release(form); }, QUIET_MS);
  });

  // Back to a page kept in the browser's cache: its forms can be sent again at once.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-sending]").forEach(release);
  });
})();
