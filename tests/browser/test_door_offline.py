"""Issue 16 point 3 in Chromium with a fake camera: offline means offline.

One worker, one phone: the door pages are opened once with signal; then the phone loses it, the
scanner is reloaded and still opens (the service worker) and queues three passes scanned ten
seconds apart; the session's list and today's sessions open without signal too. With the signal
back the register holds exactly three check-ins at their scan times (within 2 s, while they reached
the server 10-30 s later), the queue panel says all is sent, the same queue again adds none, and
after sign-out nothing the door kept is left in the page's storage."""
import json
import time
from datetime import datetime

from outreach.timeutil import UTC
from tests.conftest import sign_in

from .fakecam import write_video
from .test_scanner import _attendances, _phone_with_camera, door  # noqa: F401  (the fixture)

LEAD_IN = 14      # seconds of empty picture before the first pass: the online visit and the reload fit in it
BETWEEN = 10      # seconds between passes
SMALL = {"width": 360, "height": 640}
PHONE = {"width": 390, "height": 844}

STORAGE = """async () => {
  const caches_ = [];
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    caches_.push([name, (await cache.keys()).map((r) => r.url)]);
  }
  const dbs = indexedDB.databases ? (await indexedDB.databases()).map((d) => d.name) : [];
  const regs = navigator.serviceWorker ? (await navigator.serviceWorker.getRegistrations()).length : 0;
  return {local: Object.assign({}, localStorage), caches: caches_, indexedDB: dbs, serviceWorkers: regs};
}"""


def _shots(page, screenshot, name):
    for size, label in ((PHONE, "390x844"), (SMALL, "360x640")):
        page.set_viewport_size(size)
        page.wait_for_timeout(150)
        screenshot(page, f"issue16-{name}-{label}")
    page.set_viewport_size(PHONE)


def test_offline_door_reload_queue_send_once_and_forget_at_sign_out(live_server, door, playwright_instance,  # noqa: F811
                                                                    tmp_path, screenshot):
    urls = door["urls"]
    frames = [(None, LEAD_IN)]
    for url in urls[1:4]:
        frames += [(url, 2), (None, BETWEEN - 2)]
    frames += [(None, 40)]
    video = write_video(tmp_path / "offline-door.y4m", frames)
    browser, context = _phone_with_camera(playwright_instance, video)
    try:
        page = context.new_page()
        sign_in(page, live_server.url, "worker@door.example.org", "**/org/door/")
        # With signal: today's sessions registers the service worker; the list and the scanner are opened.
        page.goto(f"{live_server.url}/org/door/today")
        page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=20_000)
        page.goto(door["list"])
        page.goto(door["scan"])
        page.wait_for_selector("#scanner[data-roster=ready]")
        page.wait_for_function("""async () => {
            const c = await caches.open('outreach-door-data-v1');
            return (await c.keys()).some((r) => r.url.endsWith('/roster')) && (await c.keys()).some((r) => r.url.endsWith('/scan'));
        }""", timeout=10_000)
        assert _attendances(live_server, door["session_id"]) == []

        # No signal at all, and the scanner reloaded: it opens from what the phone kept, and scans.
        context.set_offline(True)
        page.reload()
        page.wait_for_selector("#scanner[data-roster=ready]", timeout=15_000)
        assert page.evaluate("navigator.onLine") is False
        scanned = []
        for n in (1, 2, 3):
            page.wait_for_selector(f"#scanner[data-queued='{n}']", timeout=(LEAD_IN + BETWEEN + 10) * 1000)
            scanned.append(datetime.now(UTC))
        result = page.locator("[data-role=result]").inner_text()
        assert "QUEUED" in result.upper() and "Dev" in result  # the third pass, named from the kept roster
        queue_panel = page.locator("[data-role=queue]")
        assert queue_panel.get_attribute("data-queue") == "waiting" and "3 check-ins waiting" in queue_panel.inner_text()
        _shots(page, screenshot, "scanner-offline-queue")
        queue = page.evaluate(f"localStorage.getItem('outreach:queue:{door['session_id']}')")
        assert [item["offline"] for item in json.loads(queue)] == [True] * 3

        # The session's list and today's sessions open without signal too, in another tab.
        other = context.new_page()
        other.goto(door["list"])
        other.wait_for_selector("#offline[data-state=roster]", timeout=10_000)
        roster_text = other.locator("[data-role=people]").inner_text()
        assert "Ava" in roster_text and "Medical or allergy note" in roster_text and "Door" not in roster_text
        assert other.locator("text=Queued, not sent yet").count() == 3
        _shots(other, screenshot, "session-list-offline")
        other.goto(f"{live_server.url}/org/door/today")
        assert "Friday Club" in other.locator("main").inner_text()
        assert other.locator("[data-role=offline-bar]").is_visible()
        _shots(other, screenshot, "today-offline")
        other.close()
        assert _attendances(live_server, door["session_id"]) == []

        # Signal back, well after the last scan: each check-in at its own scan time.
        page.wait_for_timeout(6000)
        context.set_offline(False)
        page.wait_for_selector("[data-role=queue][data-queue=sent]", timeout=20_000)
        sent_at = datetime.now(UTC)
        panel = page.locator("[data-role=queue]").inner_text()
        assert panel.startswith("All sent.") and "3 check-ins" in panel and "waiting" not in panel
        page.wait_for_selector("[data-role=result][data-code=all_sent]")
        page.wait_for_function("() => document.querySelector('[data-role=count]').textContent.startsWith('3 /')")
        assert "ALL SENT" in page.locator("[data-role=result]").inner_text().upper()
        _shots(page, screenshot, "scanner-all-sent")
        rows = sorted(_attendances(live_server, door["session_id"]), key=lambda r: r.checked_in_at)
        assert sorted(r.young_person_id for r in rows) == sorted(door["people"][1:4])
        assert {r.method for r in rows} == {"offline_sync"} and all(r.phone_time_refused is None for r in rows)
        for row, seen in zip(rows, scanned):
            assert abs((row.checked_in_at - seen).total_seconds()) <= 2, (row.checked_in_at, seen)
            assert (sent_at - row.checked_in_at).total_seconds() >= 8  # not the time it was sent
        print("scan times kept:", [r.checked_in_at.time().isoformat("seconds") for r in rows],
              "sent at", sent_at.time().isoformat("seconds"))

        # The same queue sent again (a flaky network retrying) adds nothing.
        replay = page.evaluate("""async ([url, token, queue]) => {
            const r = await fetch(url, {method: 'POST', headers: {'Content-Type': 'application/json', 'X-CSRFToken': token},
                                        body: JSON.stringify({checkins: JSON.parse(queue)})});
            return [r.status, await r.json()];
        }""", [f"/api/sessions/{door['session_id']}/checkins/batch", page.get_attribute("#scanner", "data-csrf-token"),
               queue])
        assert replay[0] == 200 and [r["status"] for r in replay[1]["results"]] == ["ok"] * 3
        assert len(_attendances(live_server, door["session_id"])) == 3

        # Sign-out: nothing the door kept is left in the page's storage.
        page.goto(f"{live_server.url}/org/door/today")
        kept = page.evaluate(STORAGE)
        assert kept["caches"] and kept["serviceWorkers"] == 1
        page.click("form[data-sign-out] button")
        page.wait_for_url("**/activities")
        time.sleep(0.5)
        left = page.evaluate(STORAGE)
        print("after sign-out:", left)
        assert left == {"local": {}, "caches": [], "indexedDB": [], "serviceWorkers": 0}
    finally:
        context.close()
        browser.close()


def test_staff_pass_page_says_in_since_first(live_server, door, playwright_instance, browser, screenshot):  # noqa: F811
    from outreach.extensions import db
    from outreach.models import User
    from outreach.services import checkin
    from sqlalchemy import select

    with live_server.app.app_context():
        worker = db.session.execute(select(User).where(User.email == "worker@door.example.org")).scalar_one()
        from outreach.models import ProgrammeSession
        session = db.session.get(ProgrammeSession, door["session_id"])
        result = checkin.check_in_by_pass(door["urls"][0], session, by=worker)
        in_at = result.frozen["checked_in_at"]
    local = datetime.fromisoformat(in_at).astimezone(__import__("zoneinfo").ZoneInfo("Europe/London")).strftime("%H:%M")
    for size, label in ((SMALL, "360x640"), (PHONE, "390x844")):
        context = browser.new_context(viewport=size, is_mobile=True, has_touch=True, locale="en-GB",
                                      timezone_id="Europe/London")
        from tests.conftest import watch
        watch(context)
        try:
            page = context.new_page()
            sign_in(page, live_server.url, "worker@door.example.org", "**/org/door/")
            page.goto(door["urls"][0])
            state = page.locator("[data-state=in]")
            assert state.inner_text().strip() == f"In since {local}"
            box = state.bounding_box()
            assert box["y"] + box["height"] <= size["height"], "the state is below the fold"
            assert page.locator("button:has-text('Check in')").count() == 0
            assert page.locator("a:has-text('Check out Ava')").count() == 1
            screenshot(page, f"issue16-staff-pass-in-since-{label}")
        finally:
            context.close()


def test_what_the_phone_kept_is_deleted_when_check_in_closes(live_server, playwright_instance, tmp_path):
    """A session whose check-in window closes 25 s after the scanner opens: then the scanner stops
    and the phone no longer holds its roster or its page."""
    from datetime import date, timedelta

    from outreach.extensions import db
    from outreach.models import Registration
    from outreach.services import passes
    from tests.factories import make_org, make_programme, make_session, make_user, make_young_person

    app = live_server.app
    app.config["CHECKIN_CLOSES_HOURS_AFTER"] = 0  # check-in closes when the session ends
    with app.app_context():
        worker = make_user("closing@door.example.org")
        org = make_org("Closing Club", slug="closing", worker=worker)
        programme = make_programme(org, "Short Club", min_age=10, max_age=16)
        now = datetime.now(UTC)
        session = make_session(programme, starts_at=now - timedelta(minutes=30), hours=(30 * 60 + 25) / 3600)
        yp = make_young_person("Zed", "Closing", dob=date(2013, 1, 1))
        db.session.add(Registration(young_person_id=yp.id, session_id=session.id, status="confirmed", confirmed_at=now))
        passes.ensure_pass(yp)
        db.session.commit()
        session_id, ends = session.id, session.ends_at
    video = write_video(tmp_path / "blank.y4m", [(None, 60)])
    browser, context = _phone_with_camera(playwright_instance, video)
    kept = """async () => {
        const c = await caches.open('outreach-door-data-v1');
        return (await c.keys()).map((r) => new URL(r.url).pathname);
    }"""
    try:
        page = context.new_page()
        sign_in(page, live_server.url, "closing@door.example.org", "**/org/closing/")
        page.goto(f"{live_server.url}/org/closing/today")
        page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=20_000)
        page.goto(f"{live_server.url}/org/closing/sessions/{session_id}/scan")
        page.wait_for_selector("#scanner[data-roster=ready]")
        page.wait_for_function(f"""async () => (await ({kept})()).includes('/api/sessions/{session_id}/roster')""")
        assert f"/org/closing/sessions/{session_id}/scan" in page.evaluate(kept)
        left = (ends - datetime.now(UTC)).total_seconds()
        assert left > 2, "the machine was too slow to open the scanner before check-in closed"
        page.wait_for_selector("#scanner[data-state=closed]", timeout=(left + 10) * 1000)
        page.wait_for_function(f"""async () => !(await ({kept})()).some((p) => p.includes('/sessions/{session_id}'))""",
                               timeout=5_000)
        assert "NOT NOW" in page.locator("[data-role=result]").inner_text().upper()
        assert page.get_attribute("#scanner", "data-roster") == "closed"
    finally:
        context.close()
        browser.close()
