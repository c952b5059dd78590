// On every page: a signed-in member of staff gets the door's service worker (the door pages work
// without signal); anyone else's page deletes whatever the door kept, so no staff data outlives a
// sign-in on a shared phone. Sign-out sends what is still queued, or asks before deleting it.
import { forgetDoorData, sendAll, unsentCount } from "./door-store.js";

const body = document.body;
const who = body.dataset.door;

if (who === "staff") {
  if ("serviceWorker" in navigator && body.dataset.serviceWorker) {
    navigator.serviceWorker.register(body.dataset.serviceWorker, { scope: "/" }).catch(() => {
      // Not a secure context, or storage is full: the pages still work with signal.
    });
    // A page that was loading while the worker took over is not claimed by it: ask, so this page's
    // own requests (the scanner's roster) are kept too.
    navigator.serviceWorker.ready.then((registration) => {
      if (!navigator.serviceWorker.controller && registration.active) registration.active.postMessage("claim");
    });
  }
} else if (who === "not-staff") {
  forgetDoorData({ keepQueue: true }).catch(() => {});
}

// ---------------------------------------------------------------- no signal

const bar = document.querySelector("[data-role=offline-bar]");
function showSignal() {
  if (bar) bar.hidden = navigator.onLine;
}
window.addEventListener("online", showSignal);
window.addEventListener("offline", showSignal);
showSignal();

// ---------------------------------------------------------------- sign-out

function plural(n, one, many) {
  return n === 1 ? one : many;
}

async function signOut(event) {
  const form = event.currentTarget;
  if (form.dataset.cleared) return;
  event.preventDefault();
  const token = (form.querySelector("[name=csrf_token]") || {}).value || "";
  if (unsentCount() && navigator.onLine) {
    await sendAll(token).catch(() => {});
  }
  const left = unsentCount();
  if (left && !window.confirm(
    `${left} ${plural(left, "check-in", "check-ins")} scanned without signal ${plural(left, "has", "have")} ` +
    `not reached the register yet. Signing out deletes ${plural(left, "it", "them")} from this phone.\n\n` +
    "Sign out anyway?")) {
    return;
  }
  await forgetDoorData({ keepQueue: false }).catch(() => {});
  form.dataset.cleared = "1";
  form.submit();
}

for (const form of document.querySelectorAll("form[data-sign-out]")) form.addEventListener("submit", signOut);
