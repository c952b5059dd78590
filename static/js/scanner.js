// The door scanner: keeps the rear camera open and checks in one pass after
// another, with no tap in between. Talks to the check-in API; with no signal it
// matches passes against the roster fetched on load and queues them, sending the
// queue when the network is back. Every queued item carries a client_ref, so a
// replay or a second phone can never make a second attendance.
const root = document.getElementById("scanner");
const cfg = root.dataset;
const $ = (role) => root.querySelector(`[data-role="${role}"]`);
const QUEUE_KEY = `outreach:queue:${cfg.sessionId}`;
const ROSTER_KEY = `outreach:roster:${cfg.sessionId}`;
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

function secretFromScan(text) {
  let t = (text || "").trim();
  if (t.includes("/p/")) t = t.slice(t.lastIndexOf("/p/") + 3);
  return t.split("?")[0].split("#")[0].replace(/^\/+|\/+$/g, "").slice(0, 64);
}

async function sha256Hex(text) {
  if (!crypto.subtle) return null; // only in secure contexts (https or localhost)
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

class Offline extends Error {}

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
    return { status: "error", code: "not_signed_in", message: "You have been signed out. Sign in again, then reopen the scanner." };
  }
  if (!response.ok) {
    if (response.status >= 500 || !data) throw new Offline(`HTTP ${response.status}`);
    const e = data.error || {};
    return { status: "error", code: e.code || "error", message: e.message || "That didn't work." };
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

const WORDS = {
  ok: "Checked in",
  already_checked_in: "Already in",
  queued: "Queued",
  already_queued: "Already queued",
  outside_checkin_window: "Not now",
  error: "Stop",
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
  if (ICONS[kind]) panel.append(icon(kind));
  add("p", "result-panel__word", extra.word || WORDS[result.code] || WORDS[kind] || (kind === "warn" ? "Check" : "Stop"));
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

async function loadRoster() {
  try {
    const data = await api(cfg.rosterUrl);
    if (data && data.people) {
      roster = data;
      localStorage.setItem(ROSTER_KEY, JSON.stringify(data));
    }
  } catch (err) {
    const stored = localStorage.getItem(ROSTER_KEY);
    if (stored) roster = JSON.parse(stored);
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

function readQueue() {
  try {
    return JSON.parse(localStorage.getItem(QUEUE_KEY) || "[]");
  } catch (err) {
    return [];
  }
}

function writeQueue(items) {
  localStorage.setItem(QUEUE_KEY, JSON.stringify(items));
  const el = $("queue");
  el.hidden = items.length === 0;
  el.textContent = items.length
    ? `${items.length} check-in${items.length === 1 ? "" : "s"} queued: they will be sent when the signal is back.`
    : "";
  root.dataset.queued = String(items.length);
}

async function queueScan(text, ref) {
  const secret = secretFromScan(text);
  const hash = await sha256Hex(secret);
  const person = roster && hash ? roster.people.find((p) => p.pass_hash === hash) : null;
  const name = person ? `${person.first_name} ${person.last_initial || ""}`.trim() : null;
  const items = readQueue();
  if (items.some((i) => secretFromScan(i.pass) === secret)) {
    show("queued", { code: "already_queued", message: "This pass is already waiting to be sent." }, { name });
    return;
  }
  items.push({ pass: text, client_ref: ref, offline: true });
  writeQueue(items);
  const message = person
    ? "No signal: saved on this phone and sent when the signal is back."
    : "No signal, and this pass isn't on today's list: it will be checked when the signal is back.";
  show("queued", { code: "queued", message, flags: person ? person.flags : [] }, { name });
}

async function flush() {
  const items = readQueue();
  if (!items.length || flushing) return;
  flushing = true;
  try {
    const data = await api(cfg.batchUrl, { checkins: items });
    if (data && Array.isArray(data.results)) {
      // Everything sent has been answered; anything scanned meanwhile stays queued.
      const sent = new Set(items.map((i) => i.client_ref));
      writeQueue(readQueue().filter((i) => !sent.has(i.client_ref)));
      const ok = data.results.filter((r) => r.status === "ok").length;
      const problems = data.results.filter((r) => r.status === "error");
      const el = $("queue");
      el.hidden = false;
      el.textContent = `Signal back: ${ok} queued check-in${ok === 1 ? "" : "s"} sent` +
        (problems.length ? `, ${problems.length} need a look on the list (${problems.map((p) => p.message).join(" ")})` : ".");
      refreshRosterSoon();
    }
  } catch (err) {
    // Still offline: keep the queue and try again later.
  } finally {
    flushing = false;
  }
}

// ------------------------------------------------------------------ scanning

async function handleScan(text) {
  if (!text) return;
  const now = Date.now();
  const previous = lastSeen.get(text);
  lastSeen.set(text, now);
  if (previous && now - previous < REARM_MS) return;
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
    show(result.status === "ok" ? "idle" : "error", result, { word: result.status === "ok" ? "Undone" : undefined });
    refreshRosterSoon();
  } catch (err) {
    setUndo(id);
    show("error", { code: "offline", message: "No signal: the undo wasn't sent. Try again in a moment." });
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
    show("error", { code: "offline", message: "No signal: try again, or add them as a walk-in from the list." });
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
    ? "The camera is blocked. Allow camera access for this site in the browser's settings, or check people in from the list."
    : "The camera can't be used on this phone. Check people in from the list instead.");
}

async function togglePause() {
  const button = $("pause");
  if (!camera) return;
  if (root.dataset.state === "scanning") {
    camera.stop();
    root.dataset.state = "paused";
    button.textContent = "Resume camera";
    hint("Camera paused.");
  } else {
    await camera.start();
    root.dataset.state = "scanning";
    button.textContent = "Pause camera";
    hint("");
  }
}

// ------------------------------------------------------------------ start

$("undo").addEventListener("click", undo);
$("walk-in").addEventListener("click", walkIn);
$("pause").addEventListener("click", togglePause);
window.addEventListener("online", flush);
setInterval(flush, 5000);
writeQueue(readQueue());
loadRoster().then(() => {
  flush();
  startCamera();
});
