// The door scanner: keeps the rear camera open and checks in one pass after
// another, with no tap in between. Talks to the check-in API; with no signal it
// matches passes against the roster fetched on load (kept by the service worker for
// a reload without signal) and queues them with the time they were scanned, sending
// the queue when the network is back. Every queued item carries a client_ref, so a
// replay or a second phone can never make a second attendance.
import {
  Offline, SignedOut, forgetSession, passHash, readQueue, secretFromScan, sendQueue, t, tn, writeQueue,
} from "./door-store.js";

const root = document.getElementById("scanner");
const cfg = root.dataset;
const $ = (role) => root.querySelector(`[data-role="${role}"]`);
// A pass held in front of the camera is read many times a second; it counts
// again only after it has been out of view this long.
const REARM_MS = 2000;

let roster = null;
let lastAttendanceId = null;
let walkInPass = null;
let camera = null; // {stop(), start()}
let flushing = false;
const lastSeen = new Map();

// ------------------------------------------------------------------ helpers

function newRef() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

async function api(url, body) {
  let response;
  try {
    response = await fetch(url, {
      method: body === undefined ? "GET" : "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": cfg.csrfToken, Accept: "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    throw new Offline(String(err));
  }
  let data = null;
  try {
    data = await response.json();
  } catch (err) {
    data = null;
  }
  if (response.status === 401) {
    return { status: "error", code: "not_signed_in", message: t("You have been signed out. Sign in again, then reopen the scanner.") };
  }
  if (!response.ok) {
    if (response.status >= 500 || !data) throw new Offline(`HTTP ${response.status}`);
    const e = data.error || {};
    return { status: "error", code: e.code || "error", message: e.message || t("That didn't work.") };
  }
  return data;
}

// ------------------------------------------------------------------ feedback

let audio = null;
function beep(kind) {
  if (navigator.vibrate) navigator.vibrate(kind === "ok" ? 80 : kind === "warn" ? [60, 60, 60] : [300]);
  try {
    audio = audio || new AudioContext();
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.frequency.value = kind === "ok" ? 880 : kind === "warn" ? 520 : 220;
    gain.gain.value = 0.15;
    osc.connect(gain).connect(audio.destination);
    osc.start();
    osc.stop(audio.currentTime + (kind === "error" ? 0.35 : 0.12));
  } catch (err) {
    // No sound allowed yet (no tap on the page): the colour and vibration still tell.
  }
}

// In the page's language (t() falls back to the English written here).
const WORDS = {
  ok: t("Checked in"),
  already_checked_in: t("Already in"),
  queued: t("Queued"),
  already_queued: t("Already queued"),
  outside_checkin_window: t("Not now"),
  error: t("Stop"),
};

// A shape for each result, so colour is never the only signal (colour-blind
// workers, a dim screen in a dark doorway): tick, warning sign, cross, clock,
// and a turn-back arrow for an undo.
const ICONS = {
  idle: "M9 14L4 9l5-5M4 9h11a5 5 0 0 1 0 10h-3",
  ok: "M5 13l5 5L20 7",
  warn: "M12 3L2 21h20zM12 10v5M12 18v.5",
  error: "M6 6l12 12M18 6L6 18",
  queued: "M12 3a9 9 0 1 0 .01 0zM12 7v5l3 3",
};
const SVG = "http://www.w3.org/2000/svg";

function icon(kind) {
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("class", "result-panel__icon");
  svg.setAttribute("aria-hidden", "true");
  svg.dataset.icon = kind;
  const path = document.createElementNS(SVG, "path");
  path.setAttribute("d", ICONS[kind]);
  svg.append(path);
  return svg;
}

function show(kind, result, extra = {}) {
  const panel = $("result");
  panel.className = `result-panel result-panel--${kind}`;
  panel.dataset.status = kind;
  panel.dataset.code = result.code || "";
  panel.replaceChildren();
  const add = (tag, cls, text) => {
    const el = document.createElement(tag);
    el.className = cls;
    el.textContent = text;
    panel.append(el);
    return el;
  };
  if (ICONS[extra.icon || kind]) panel.append(icon(extra.icon || kind));
  add("p", "result-panel__word", extra.word || WORDS[result.code] || WORDS[kind] || (kind === "warn" ? t("Check") : t("Stop")));
  const person = result.young_person;
  if (person && person.first_name) {
    add("p", "result-panel__name", person.age != null ? `${person.first_name}, ${person.age}` : person.first_name);
  } else if (extra.name) {
    add("p", "result-panel__name", extra.name);
  }
  if (result.message) add("p", "result-panel__message", result.message);
  const flags = result.flags || [];
  if (flags.length) {
    const list = document.createElement("ul");
    list.className = "result-panel__flags";
    for (const f of flags) {
      const li = document.createElement("li");
      li.textContent = f;
      list.append(li);
    }
    panel.append(list);
  }
  // A start or end survey due now (services/survey_timing.py): the worker can ask there and then.
  const due = result.surveys_due || [];
  if (due.length) {
    const list = document.createElement("ul");
    list.className = "result-panel__surveys";
    for (const line of due) {
      const li = document.createElement("li");
      li.textContent = line;
      list.append(li);
    }
    panel.append(list);
  }
  if (kind !== "idle") beep(kind === "queued" ? "ok" : kind);
}

function setUndo(attendanceId) {
  lastAttendanceId = attendanceId || null;
  $("undo").hidden = !lastAttendanceId;
}

function setWalkIn(passText) {
  walkInPass = passText || null;
  $("walk-in").hidden = !walkInPass;
}

// ------------------------------------------------------------------ roster and count

function setCount(headcount) {
  if (headcount) $("count").textContent = `${headcount.checked_in} / ${headcount.booked}`;
}

// Without signal the service worker answers with the roster it kept (first name, age, flags, pass
// hashes), until the session's check-in window closes.
async function loadRoster() {
  if (closed) return;
  try {
    const data = await api(cfg.rosterUrl);
    if (data && data.people) roster = data;
  } catch (err) {
    // No signal and no kept roster: passes are still queued, and checked when the signal is back.
  }
  if (roster) {
    setCount(roster.headcount);
    root.dataset.roster = "ready";
  }
}

let rosterTimer = null;
function refreshRosterSoon() {
  clearTimeout(rosterTimer);
  rosterTimer = setTimeout(loadRoster, 800);
}

// ------------------------------------------------------------------ offline queue

// The queue panel says what is waiting, and plainly when all of it has been sent.
function showQueue(items, sentNote) {
  const el = $("queue");
  if (items.length) {
    el.hidden = false;
    el.dataset.queue = "waiting";
    el.textContent = tn("%(num)d check-in waiting for signal, kept on this phone with the time each was scanned. " +
      "They are sent by themselves when the signal is back.",
    "%(num)d check-ins waiting for signal, kept on this phone with the time each was scanned. " +
      "They are sent by themselves when the signal is back.", items.length);
  } else if (sentNote) {
    el.hidden = false;
    el.dataset.queue = "sent";
    el.textContent = sentNote;
  } else {
    el.hidden = true;
    el.dataset.queue = "empty";
    el.textContent = "";
  }
  root.dataset.queued = String(items.length);
}

function setQueue(items) {
  writeQueue(cfg.sessionId, items);
  showQueue(items);
}

async function queueScan(text, ref) {
  const secret = secretFromScan(text);
  const hash = await passHash(text);
  const person = roster && hash ? roster.people.find((p) => p.pass_hash === hash) : null;
  const name = person ? person.first_name : null;
  const items = readQueue(cfg.sessionId);
  if (items.some((i) => secretFromScan(i.pass) === secret)) {
    show("queued", { code: "already_queued", message: t("This pass is already waiting to be sent.") }, { name });
    return;
  }
  // The time of the scan goes with it: the check-in is recorded then, not when the signal is back.
  items.push({ pass: text, client_ref: ref, offline: true, scanned_at: new Date().toISOString() });
  setQueue(items);
  const message = person
    ? t("No signal: saved on this phone with the time, and sent when the signal is back.")
    : t("No signal, and this pass isn't on today's list: it will be checked when the signal is back.");
  show("queued", { code: "queued", message, flags: person ? person.flags : [] }, { name });
}

async function flush() {
  if (flushing || !readQueue(cfg.sessionId).length) return;
  flushing = true;
  try {
    const { results } = await sendQueue(cfg.sessionId, cfg.csrfToken);
    const ok = results.filter((r) => r.status === "ok");
    const wrongClock = ok.filter((r) => r.phone_clock_wrong).length;
    const looks = results.filter((r) => r.status !== "ok");
    const waiting = readQueue(cfg.sessionId);
    // Whole sentences, each in the page's language, one after another.
    const said = waiting.length ? [] : [t("All sent.")];
    said.push(tn("%(num)d check-in scanned without signal is on the register at the time scanned.",
      "%(num)d check-ins scanned without signal are on the register at the time scanned.", ok.length));
    if (wrongClock) {
      said.push(tn("One has the time it reached us instead: this phone's clock is wrong. Set it to the network " +
        "time in the phone's settings.", "%(num)d have the time it reached us instead: this phone's clock is " +
        "wrong. Set it to the network time in the phone's settings.", wrongClock));
    }
    if (looks.length) {
      said.push(tn("%(num)d scan needs a look on the session's list:", "%(num)d scans need a look on the session's list:",
        looks.length), ...looks.map((r) => r.message));
    }
    const note = said.join(" ");
    showQueue(waiting, note);
    // The result panel no longer says "queued … waiting to be sent" for what has been sent.
    const panel = $("result");
    if (!waiting.length && (panel.dataset.status === "queued")) {
      show("idle", { code: "all_sent", message: t("Everything scanned without signal has been sent.") },
        { word: t("All sent"), icon: "ok" });
    }
    refreshRosterSoon();
  } catch (err) {
    if (err instanceof SignedOut) {
      const waiting = readQueue(cfg.sessionId).length;
      showQueue([], tn("You have been signed out. Sign in again, then open the scanner: the %(num)d check-in " +
        "scanned without signal are kept on this phone until then.", "You have been signed out. Sign in again, " +
        "then open the scanner: the %(num)d check-ins scanned without signal are kept on this phone until then.",
      waiting));
      $("queue").dataset.queue = "signed-out";
      root.dataset.queued = String(waiting);
    }
    // Still offline: keep the queue and try again later.
  } finally {
    flushing = false;
  }
}

// ------------------------------------------------------------------ check-in window

// Once the session's check-in window closes, the phone forgets the roster it kept, and the scanner
// stops: the server would refuse a check-in now. The queue stays until it is sent.
let closed = false;
function closeDoor() {
  closed = true;
  roster = null;
  root.dataset.roster = "closed";
  forgetSession([cfg.rosterUrl, location.pathname]).catch(() => {});
  if (navigator.serviceWorker && navigator.serviceWorker.controller) navigator.serviceWorker.controller.postMessage("sweep");
  if (camera) camera.stop();
  root.dataset.state = "closed";
  hint("");
  show("error", { code: "outside_checkin_window", message: t("Check-in for this session closed at %(time)s.", {
    time: new Date(cfg.checkinClosesAt).toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" }) }) },
  { word: t("Not now") });
}

function watchWindow() {
  const closesAt = Date.parse(cfg.checkinClosesAt || "");
  if (Number.isNaN(closesAt)) return;
  const left = closesAt - Date.now();
  if (left <= 0) closeDoor();
  else setTimeout(closeDoor, Math.min(left, 2 ** 31 - 1));
}

// ------------------------------------------------------------------ scanning

async function handleScan(text) {
  if (!text) return;
  const now = Date.now();
  const previous = lastSeen.get(text);
  lastSeen.set(text, now);
  if (previous && now - previous < REARM_MS) return;
  if (closed) return;
  const ref = newRef();
  if (!navigator.onLine) {
    await queueScan(text, ref);
    return;
  }
  let result;
  try {
    result = await api(cfg.checkinUrl, { pass: text, client_ref: ref });
  } catch (err) {
    await queueScan(text, ref);
    return;
  }
  render(result, text);
}

function render(result, text) {
  show(result.status === "ok" ? "ok" : result.status === "warn" ? "warn" : "error", result);
  // Undo stays on the last check-in made here, also after an amber or red scan.
  if (result.status === "ok") setUndo(result.attendance_id);
  setWalkIn(result.can_walk_in ? text : null);
  if (result.status === "ok") refreshRosterSoon();
}

async function undo() {
  if (!lastAttendanceId) return;
  const id = lastAttendanceId;
  setUndo(null);
  try {
    const result = await api(cfg.undoUrlTemplate.replace("{id}", id), {});
    show(result.status === "ok" ? "idle" : "error", result, { word: result.status === "ok" ? t("Undone") : undefined });
    refreshRosterSoon();
  } catch (err) {
    setUndo(id);
    show("error", { code: "offline", message: t("No signal: the undo wasn't sent. Try again in a moment.") });
  }
}

async function walkIn() {
  if (!walkInPass) return;
  const text = walkInPass;
  setWalkIn(null);
  try {
    render(await api(cfg.checkinUrl, { pass: text, client_ref: newRef(), walk_in: true }), text);
  } catch (err) {
    setWalkIn(text);
    show("error", { code: "offline", message: t("No signal: try again, or add them as a walk-in from the list.") });
  }
}

// ------------------------------------------------------------------ camera

function hint(text) {
  const el = $("hint");
  el.textContent = text;
  el.hidden = !text;
}

// The decoder reads the whole picture, not qr-scanner's default centred square (two thirds of the
// shorter side): a pass held close fills the frame, its corner squares fall outside that square, and
// it was never read. The picture is scaled down to at most this many pixels on its longer side, to
// keep one decode to tens of milliseconds. On a 720x1280 camera picture (bench/scanner_regions.py)
// 1024 reads every pass from one filling the width down to one 0.14 of it (held far off, as far as
// the old centred square read); 800 misses some sizes in that range.
const DECODE_MAX_SIDE = 1024;

function wholePicture(video) {
  const width = video.videoWidth;
  const height = video.videoHeight;
  // Before the camera's first picture its size is 0; qr-scanner then draws the whole frame at its
  // own size and asks again once the picture has a size.
  if (!width || !height) return { x: 0, y: 0 };
  const scale = Math.min(1, DECODE_MAX_SIDE / Math.max(width, height));
  return {
    x: 0, y: 0, width, height,
    downScaledWidth: Math.round(width * scale),
    downScaledHeight: Math.round(height * scale),
  };
}

async function withDecoderLibrary(video) {
  const { default: QrScanner } = await import(cfg.decoderUrl);
  const scanner = new QrScanner(video, (r) => handleScan(r.data), {
    preferredCamera: "environment",
    maxScansPerSecond: 10,
    returnDetailedScanResult: true,
    calculateScanRegion: wholePicture,
    onDecodeError: () => {},
  });
  await scanner.start();
  return { stop: () => scanner.stop(), start: () => scanner.start() };
}

async function withBarcodeDetector(video) {
  const detector = new window.BarcodeDetector({ formats: ["qr_code"] });
  let stream = null;
  let running = false;
  const tick = async () => {
    if (!running) return;
    try {
      for (const code of await detector.detect(video)) handleScan(code.rawValue);
    } catch (err) {
      // A frame that isn't ready yet; the next one will be.
    }
    setTimeout(tick, 120);
  };
  const start = async () => {
    stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
    video.srcObject = stream;
    await video.play();
    running = true;
    tick();
  };
  await start();
  return { stop: () => { running = false; stream && stream.getTracks().forEach((t) => t.stop()); }, start };
}

async function startCamera() {
  if (closed) return;
  const video = $("video");
  const attempts = [withDecoderLibrary];
  if ("BarcodeDetector" in window) attempts.push(withBarcodeDetector);
  let lastError = null;
  for (const attempt of attempts) {
    try {
      camera = await attempt(video);
      root.dataset.state = "scanning";
      hint("");
      return;
    } catch (err) {
      lastError = err;
      if (err && (err.name === "NotAllowedError" || err === "Camera not found.")) break;
    }
  }
  root.dataset.state = "no-camera";
  const blocked = lastError && lastError.name === "NotAllowedError";
  hint(blocked
    ? t("The camera is blocked. Allow camera access for this site in the browser's settings, or check people in from the list.")
    : t("The camera can't be used on this phone. Check people in from the list instead."));
}

async function togglePause() {
  const button = $("pause");
  if (!camera) return;
  if (root.dataset.state === "scanning") {
    camera.stop();
    root.dataset.state = "paused";
    button.textContent = t("Resume camera");
    hint(t("Camera paused."));
  } else {
    await camera.start();
    root.dataset.state = "scanning";
    button.textContent = t("Pause camera");
    hint("");
  }
}

// ------------------------------------------------------------------ start

$("undo").addEventListener("click", undo);
$("walk-in").addEventListener("click", walkIn);
$("pause").addEventListener("click", togglePause);
window.addEventListener("online", flush);
setInterval(flush, 5000);
showQueue(readQueue(cfg.sessionId));
watchWindow();
loadRoster().then(() => {
  flush();
  startCamera();
});
