// A double tap on a slow connection sends a form twice: a second booking attempt, a child
// added twice. The server copes with that (tests/concurrency), but the family should not
// have to wonder which tap counted. For a few seconds after a form is sent, sending it
// again is ignored; then it works again (a download leaves the page as it was, and a
// lead may want another).
//
// A download form (data-download) stays busy until its file has left the server: a big
// XLSX takes half a minute to build, and a lead who sees nothing happen taps again and
// starts a second one. The form sends a random token; the server hands it back in the
// download_started cookie with the file's headers, and the form is free again when the
// cookie shows up.
(function () {
  "use strict";
  var QUIET_MS = 4000;
  var POLL_MS = 500;
  var DOWNLOAD_GIVE_UP_MS = 180000; // longer than the server's own timeout
  // The words in the page's language (templates/base.html), else English.
  var WORDS = (function () {
    var data = document.getElementById("form-words");
    try {
      return data ? JSON.parse(data.textContent) : {};
    } catch (err) {
      return {};
    }
  })();
  var PREPARING = WORDS.preparing_file || "Preparing your file… Large exports can take a minute; the download starts by itself.";
  var STARTED = WORDS.started || "Your download has started.";
  var SENDING = WORDS.sending || "Sending…";
  var PREPARING_BUTTON = WORDS.preparing || "Preparing…";

  function release(form) {
    delete form.dataset.sending;
    form.removeAttribute("aria-busy");
    form.querySelectorAll("button[data-label]").forEach(function (button) {
      button.innerHTML = button.dataset.label;
      delete button.dataset.label;
    });
  }

  function say(form, text) {
    var status = form.querySelector(".form-status");
    if (status) status.textContent = text;
  }

  function newToken() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function cookieIs(name, value) {
    return document.cookie.split(";").some(function (pair) { return pair.trim() === name + "=" + value; });
  }

  function awaitDownload(form) {
    var token = newToken();
    form.elements.download_token.value = token;
    say(form, PREPARING);
    var waited = 0;
    var timer = window.setInterval(function () {
      waited += POLL_MS;
      if (cookieIs("download_started", token)) {
        window.clearInterval(timer);
        release(form);
        say(form, STARTED);
      } else if (waited >= DOWNLOAD_GIVE_UP_MS) {
        window.clearInterval(timer);
        release(form);
        say(form, "");
      }
    }, POLL_MS);
  }

  // A form that asks for figures (data-busy: the dashboard's filters) takes seconds over a
  // big programme, and the page shows nothing new until they come: say they are coming.
  function showBusy(form, button) {
    form.setAttribute("aria-busy", "true");
    if (button && button.tagName === "BUTTON" && button.form === form && !button.dataset.label) {
      button.dataset.label = button.innerHTML;
      button.textContent = form.dataset.busy;
    }
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    if (form.method.toLowerCase() !== "post") {
      if (form.dataset.busy) showBusy(form, event.submitter);
      return;
    }
    if (form.dataset.sending) {
      event.preventDefault();
      return;
    }
    form.dataset.sending = "1";
    form.setAttribute("aria-busy", "true");
    var download = form.hasAttribute("data-download") && form.elements.download_token && window.crypto;
    // Say it went: on a slow connection nothing else on the screen changes for a while.
    var button = event.submitter;
    if (button && button.tagName === "BUTTON" && button.form === form) {
      button.dataset.label = button.innerHTML;
      button.textContent = download ? PREPARING_BUTTON : SENDING;
    }
    if (download) {
      awaitDownload(form); // the form data is gathered after this handler, so the token goes with it
    } else {
      window.setTimeout(function () { release(form); }, QUIET_MS);
    }
  });

  // Back to a page kept in the browser's cache: its forms can be sent again at once.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-sending], form[aria-busy]").forEach(release);
  });
})();
