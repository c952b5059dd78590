// What a door phone keeps, in one place: the offline queue (check-ins scanned without signal, kept
// until the register has them) and the way to forget everything the door kept. The pages and rosters
// themselves are kept by the service worker (templates/checkin/sw.js) in caches named outreach-door-*.
const QUEUE_PREFIX = "outreach:queue:";

// ------------------------------------------------------------------ words

// The page's words for the door's scripts (outreach/web/checkin/words.py): a JSON data block mapping
// each English message to the page's language; a message not there is shown in English.
let pageWords = null;
function wordsOfPage() {
  if (pageWords === null) {
    const block = document.getElementById("scanner-words");
    try {
      pageWords = block ? JSON.parse(block.textContent) : {};
    } catch (err) {
      pageWords = {};
    }
  }
  return pageWords;
}

function fill(text, params) {
  return text.replace(/%\((\w+)\)[sd]/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

// A message in the page's language: t("Checked in"), t("Closed at %(time)s.", { time }).
export function t(english, params = {}) {
  const said = wordsOfPage()[english];
  return fill(typeof said === "string" ? said : english, params);
}

// A counted message: tn("%(num)d check-in ...", "%(num)d check-ins ...", n), with the language's plural rules.
export function tn(one, many, n, params = {}) {
  const forms = wordsOfPage()[one];
  let text = n === 1 ? one : many;
  if (forms && typeof forms === "object") {
    let category = "other";
    try {
      category = new Intl.PluralRules(document.documentElement.lang || "en-GB").select(n);
    } catch (err) {
      category = n === 1 ? "one" : "other";
    }
    text = forms[category] || forms.other || text;
  }
  return fill(text, { num: n, ...params });
}

export class Offline extends Error {}
// The sign-in ran out while the phone was offline: the queue waits for the worker to sign in again.
export class SignedOut extends Error {}

// A scanner may read the whole pass URL or just its code (services/checkin.py: secret_from_scan).
export function secretFromScan(text) {
  let t = (text || "").trim();
  if (t.includes("/p/")) t = t.slice(t.lastIndexOf("/p/") + 3);
  return t.split("?")[0].split("#")[0].replace(/^\/+|\/+$/g, "").slice(0, 64);
}

// The roster carries SHA-256 hashes of pass codes, never the codes (services/checkin.py: secret_hash).
export async function passHash(text) {
  if (!crypto.subtle) return null; // only in secure contexts (https or localhost)
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(secretFromScan(text)));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

function sessionKey(sessionId) {
  return QUEUE_PREFIX + sessionId;
}

export function readQueue(sessionId) {
  try {
    const items = JSON.parse(localStorage.getItem(sessionKey(sessionId)) || "[]");
    return Array.isArray(items) ? items : [];
  } catch (err) {
    return [];
  }
}

export function writeQueue(sessionId, items) {
  if (items.length) localStorage.setItem(sessionKey(sessionId), JSON.stringify(items));
  else localStorage.removeItem(sessionKey(sessionId));
}

export function queuedSessions() {
  return Object.keys(localStorage).filter((k) => k.startsWith(QUEUE_PREFIX)).map((k) => k.slice(QUEUE_PREFIX.length));
}

export function unsentCount() {
  return queuedSessions().reduce((n, id) => n + readQueue(id).length, 0);
}

// Send one session's queue. Every item the server answered leaves the queue (an error answer is
// shown, not retried: it would fail again); anything scanned meanwhile stays. Offline on no answer.
export async function sendQueue(sessionId, csrfToken) {
  const items = readQueue(sessionId);
  if (!items.length) return { items, results: [] };
  let response;
  try {
    response = await fetch(`/api/sessions/${encodeURIComponent(sessionId)}/checkins/batch`, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken, Accept: "application/json" },
      body: JSON.stringify({ checkins: items }),
    });
  } catch (err) {
    throw new Offline(String(err));
  }
  if (response.status === 401) throw new SignedOut("not signed in");
  const data = await response.json().catch(() => null);
  if (!response.ok || !data || !Array.isArray(data.results)) {
    throw new Offline(`HTTP ${response.status}`); // signed out, or the server is down: keep the queue
  }
  const sent = new Set(items.map((i) => i.client_ref));
  writeQueue(sessionId, readQueue(sessionId).filter((i) => !sent.has(i.client_ref)));
  return { items, results: data.results };
}

export async function sendAll(csrfToken) {
  for (const id of queuedSessions()) await sendQueue(id, csrfToken);
}

// Forget what the door kept: the service worker's caches and the worker itself, and (at sign-out)
// the queue. A page shown to anyone but signed-in staff keeps the queue: a worker whose sign-in
// ran out signs in again and the scanner sends it.
export async function forgetDoorData({ keepQueue }) {
  if ("caches" in window) {
    for (const name of await caches.keys()) if (name.startsWith("outreach-door-")) await caches.delete(name);
  }
  for (const key of Object.keys(localStorage)) {
    if (key.startsWith("outreach:") && !(keepQueue && key.startsWith(QUEUE_PREFIX))) localStorage.removeItem(key);
  }
  if (navigator.serviceWorker) {
    for (const registration of await navigator.serviceWorker.getRegistrations()) await registration.unregister();
  }
}

// Forget one session's kept copies (its roster and scanner page) once its check-in window has closed.
export async function forgetSession(urls) {
  if (!("caches" in window)) return;
  for (const name of await caches.keys()) {
    if (!name.startsWith("outreach-door-data")) continue;
    const cache = await caches.open(name);
    for (const url of urls) await cache.delete(url, { ignoreSearch: true });
  }
}
