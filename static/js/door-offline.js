// The offline page (templates/checkin/offline.html), shown by the service worker for a page opened
// without signal. For a session's list it draws the roster the phone kept: first name, age, flags,
// who was in when it was kept, and who is queued on this phone since.
import { passHash, readQueue, t, tn } from "./door-store.js";

const root = document.getElementById("offline");
const $ = (role) => root.querySelector(`[data-role="${role}"]`);
const match = location.pathname.match(/^\/org\/([^/]+)\/sessions\/(\d+)$/);

function hm(iso) {
  return new Date(iso).toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });
}

function badge(text, kind) {
  const span = document.createElement("span");
  span.className = `badge badge--${kind}`;
  span.textContent = text;
  return span;
}

const FLAG_KIND = { "Medical or allergy note": "danger", "No photos": "warn", "Must be collected": "warn" };

async function showSession(slug, sessionId) {
  const today = `/org/${slug}/today`;
  $("today").href = today;
  $("elsewhere").querySelector("a").href = today;
  let response = null;
  try {
    response = await fetch(`/api/sessions/${sessionId}/roster`, { credentials: "same-origin" });
  } catch (err) {
    response = null;
  }
  const roster = response && response.ok ? await response.json().catch(() => null) : null;
  if (!roster || !Array.isArray(roster.people)) {
    $("lead").textContent = t("This session's list was not kept on this phone: open it once with signal. " +
      "The scanner still queues passes if it was opened here before.");
    root.dataset.state = "no-roster";
    return;
  }
  const kept = response.headers.get("Date");
  $("lead").textContent = kept
    ? t("This is the list kept on this phone at %(time)s. Scan passes to check people in: the scans are sent " +
      "when the signal is back.", { time: hm(kept) })
    : t("This is the list kept on this phone. Scan passes to check people in: the scans are sent when the " +
      "signal is back.");
  $("title").textContent = roster.session.title;
  $("when").textContent = new Date(roster.session.starts_at).toLocaleString("en-GB", {
    weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
  $("in").textContent = String(roster.headcount.checked_in);
  $("booked").textContent = t("of %(booked)s booked, when the list was kept", { booked: roster.headcount.booked });
  $("scan").href = `/org/${slug}/sessions/${sessionId}/scan`;

  const queue = readQueue(sessionId);
  const queuedHashes = new Set(await Promise.all(queue.map((item) => passHash(item.pass))));
  if (queue.length) {
    $("queued").hidden = false;
    $("queued").textContent = tn("%(num)d check-in is waiting on this phone for the signal.",
      "%(num)d check-ins are waiting on this phone for the signal.", queue.length);
  }
  const list = $("people");
  for (const person of roster.people) {
    const li = document.createElement("li");
    li.className = "person";
    const who = document.createElement("div");
    const name = document.createElement("strong");
    name.textContent = person.first_name;
    who.append(name);
    if (person.age !== null && person.age !== undefined) {
      const age = document.createElement("span");
      age.className = "muted";
      age.textContent = ` · ${person.age}`;
      who.append(age);
    }
    who.append(document.createElement("br"));
    if (person.booking === "waitlisted") who.append(badge(t("Waiting list"), "warn"), " ");
    for (const flag of person.flags || []) who.append(badge(flag, FLAG_KIND[flag] || "muted"), " ");
    li.append(who);
    if (person.checked_in_at) li.append(badge(`✓ ${t("In %(time)s", { time: hm(person.checked_in_at) })}`, "ok"));
    else if (person.pass_hash && queuedHashes.has(person.pass_hash)) li.append(badge(t("Queued, not sent yet"), "info"));
    list.append(li);
  }
  $("session").hidden = false;
  root.dataset.state = "roster";
}

if (match) showSession(match[1], match[2]);
