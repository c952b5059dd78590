// Outreach door service worker: today's sessions, a session's scanner and its list keep working
// without signal once they have been opened with it. Written by outreach/web/checkin/offline.py.
//
// Two caches. The app (scripts, styles, the decoder, the offline page) is named after a hash of its
// files, so a release replaces it whole. The door's data (pages and rosters, as last fetched by a
// signed-in worker) is kept only when the server marked a response with {{ keep_header }}, and only
// until that time: the end of the session's check-in window. Pages shown to anyone but signed-in
// staff delete both (static/js/door.js), and so does sign-out.
const VERSION = {{ version|tojson }};
const APP_CACHE = `outreach-door-app-${VERSION}`;
const DATA_CACHE = "outreach-door-data-v1";
const APP_FILES = {{ app_files|tojson }};
const OFFLINE_PAGE = {{ offline_url|tojson }};
const START_URL = {{ start_url|tojson }};
const KEEP = {{ keep_header|tojson }};
// On a weak signal a page may take long to come; after this the kept copy is shown instead.
const NETWORK_WAIT_MS = 4000;

const KEPT_PAGES = [/^\/org\/[^/]+\/today$/, /^\/org\/[^/]+\/sessions\/\d+\/scan$/];
const ROSTER = /^\/api\/sessions\/\d+\/roster$/;
// The session's list (full names, medical notes, safeguarding links) is never kept: without signal
// the offline page draws it from the kept roster (first name, age, flags).
const SESSION_LIST = /^\/org\/[^/]+\/sessions\/\d+$/;
const TODAY = /^\/org\/[^/]+\/today$/;

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(APP_CACHE);
    // Past the browser's HTTP cache: the files must be the ones this version was hashed from.
    // Without cookies: the offline page is the same for everyone and must carry no one's messages.
    await cache.addAll(APP_FILES.map((url) => new Request(url, { cache: "reload", credentials: "omit" })));
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith("outreach-door-app-") && name !== APP_CACHE) await caches.delete(name);
    }
    await sweep();
    await self.clients.claim();
    // The page that registered this worker was fetched before it could be kept: keep it now.
    for (const client of await self.clients.matchAll({ type: "window", includeUncontrolled: true })) {
      if (!KEPT_PAGES.some((p) => p.test(new URL(client.url).pathname))) continue;
      try {
        const request = new Request(client.url, { credentials: "same-origin" });
        await remember(request, await fetch(request));
      } catch (err) {
        // No signal just now: it is kept on the next visit.
      }
    }
  })());
});

function keepUntil(response) {
  const value = response && response.headers.get(KEEP);
  const when = value ? Date.parse(value) : NaN;
  return Number.isNaN(when) ? null : when;
}

// Delete every kept page and roster whose check-in window has closed.
async function sweep() {
  const cache = await caches.open(DATA_CACHE);
  const now = Date.now();
  for (const request of await cache.keys()) {
    const until = keepUntil(await cache.match(request));
    if (until === null || until <= now) await cache.delete(request);
  }
}

let lastSweep = 0;
function sweepNow(event) {
  if (Date.now() - lastSweep < 30_000) return;
  lastSweep = Date.now();
  event.waitUntil(sweep());
}

async function keptCopy(request) {
  const cache = await caches.open(DATA_CACHE);
  const response = await cache.match(request, { ignoreSearch: true, ignoreVary: true });
  const until = keepUntil(response);
  if (response && until !== null && until > Date.now()) return response;
  if (response) await cache.delete(request, { ignoreSearch: true });
  return null;
}

// Keep a response only when a signed-in worker got the page itself (no redirect to sign-in) and the
// server said it may be kept; a refusal (signed out, not a member any more) deletes the old copy.
async function remember(request, response) {
  const cache = await caches.open(DATA_CACHE);
  const until = keepUntil(response);
  if (response.ok && response.type === "basic" && !response.redirected && until !== null && until > Date.now()) {
    await cache.put(request, response);
  } else if (response.type === "opaqueredirect" || (response.status >= 400 && response.status < 500)) {
    await cache.delete(request, { ignoreSearch: true });
  }
}

function later(ms) {
  return new Promise((resolve) => setTimeout(() => resolve(null), ms));
}

// The network first; its answer is kept (when it may be). Without signal, or after NETWORK_WAIT_MS
// of a weak one, the kept copy; with no copy, whatever the network still brings, or `fallback`.
async function networkFirst(event, fallback, keep, wait = NETWORK_WAIT_MS) {
  const request = event.request;
  const network = fetch(request).then(async (response) => {
    if (keep) await remember(request, response.clone());
    return response;
  });
  event.waitUntil(network.then(() => null, () => null));
  const quick = await (wait === Infinity ? network.catch(() => null)
    : Promise.race([network.catch(() => null), later(wait)]));
  if (quick) return quick;
  const kept = await fallback();
  if (kept) return kept;
  try {
    return await network;
  } catch (err) {
    return (await offlinePage()) || Response.error();
  }
}

async function offlinePage() {
  return caches.match(OFFLINE_PAGE, { cacheName: APP_CACHE });
}

// The home-screen app opens on START_URL, which redirects to the worker's today page: without
// signal, the today page kept most recently.
async function keptToday() {
  const cache = await caches.open(DATA_CACHE);
  let best = null;
  let bestDate = 0;
  for (const request of await cache.keys()) {
    if (!TODAY.test(new URL(request.url).pathname)) continue;
    const response = await keptCopy(request);
    const date = response ? Date.parse(response.headers.get("Date") || "") || 1 : 0;
    if (response && date > bestDate) { best = response; bestDate = date; }
  }
  return best;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  const path = url.pathname;
  sweepNow(event);
  if (request.mode === "navigate") {
    if (KEPT_PAGES.some((p) => p.test(path))) {
      event.respondWith(networkFirst(event, () => keptCopy(request).then((r) => r || offlinePage()), true));
    } else if (path === START_URL) {
      event.respondWith(networkFirst(event, () => keptToday().then((r) => r || offlinePage()), false));
    } else if (SESSION_LIST.test(path)) {
      event.respondWith(networkFirst(event, offlinePage, false));
    } else {
      // Any other page: the network however long it takes (an export), and without it the offline page.
      event.respondWith(networkFirst(event, offlinePage, false, Infinity));
    }
    return;
  }
  if (ROSTER.test(path)) {
    event.respondWith(networkFirst(event, () => keptCopy(request), true));
    return;
  }
  if (APP_FILES.includes(path)) {
    event.respondWith(caches.match(path, { cacheName: APP_CACHE }).then((r) => r || fetch(request)));
  }
});

self.addEventListener("message", (event) => {
  // A page asks for a sweep now (the scanner when its session's window closes).
  if (event.data === "sweep") event.waitUntil(sweep());
  // A page that was still loading when this worker took over (clients.claim() missed it) asks again.
  if (event.data === "claim") event.waitUntil(self.clients.claim());
});
