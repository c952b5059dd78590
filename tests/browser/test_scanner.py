"""Issue 4, end to end in Chromium at 390x844 with a fake camera fed a video of pass QR codes:
green, amber, red, undo; then offline scans queued and sent once when the signal is back."""
import os
from datetime import date, datetime, timedelta

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from sqlalchemy import select

from outreach.extensions import db
from outreach.models import Attendance, Registration
from outreach.services import passes
from outreach.timeutil import UTC
from tests.conftest import CHROMIUM, CHROMIUM_ARGS, DESKTOP, PHONE, sign_in, watch
from tests.factories import make_org, make_programme, make_session, make_user, make_young_person

from .fakecam import Framing, camera_args, write_video

BUDGET_BYTES = 150_000


@pytest.fixture()
def door(live_server):
    """A session happening now with five booked young people, each with a pass, and one replaced pass."""
    app = live_server.app
    with app.app_context():
        worker = make_user("worker@door.example.org", "Dee Worker")
        org = make_org("Door Youth Club", slug="door", worker=worker)
        programme = make_programme(org, "Friday Club", min_age=10, max_age=16, capacity=30)
        now = datetime.now(UTC)
        session = make_session(programme, starts_at=now - timedelta(minutes=10), hours=2)
        people, urls = [], []
        for i, name in enumerate(["Ava", "Ben", "Cara", "Dev", "Eli"]):
            yp = make_young_person(name, "Door", dob=date(2013, 1, 1 + i), medical_notes="Nut allergy" if i == 0 else None)
            db.session.add(Registration(young_person_id=yp.id, session_id=session.id, status="confirmed",
                                        confirmed_at=now - timedelta(days=2)))
            urls.append(passes.pass_url(live_server.url, passes.ensure_pass(yp).secret))
            people.append(yp.id)
        old = passes.live_pass(yp).secret  # Eli's first pass, replaced next
        passes.reissue_pass(yp)
        revoked_url = passes.pass_url(live_server.url, old)
        db.session.commit()
        return {"session_id": session.id, "people": people, "urls": urls, "revoked": revoked_url,
                "scan": f"{live_server.url}/org/door/sessions/{session.id}/scan",
                "list": f"{live_server.url}/org/door/sessions/{session.id}"}


def _attendances(live_server, session_id):
    with live_server.app.app_context():
        db.session.remove()
        return db.session.execute(select(Attendance).where(Attendance.session_id == session_id)
                                  .order_by(Attendance.id)).scalars().all()


def _phone_with_camera(playwright_instance, video, viewport=PHONE):
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS + camera_args(video))
    phone = viewport["width"] < 600
    context = watch(browser.new_context(viewport=viewport, is_mobile=phone, has_touch=phone, locale="en-GB",
                                        timezone_id="Europe/London", permissions=["camera"]))
    return browser, context


def _wait_result(page, status, code=None, timeout=20_000):
    selector = f'[data-role=result][data-status="{status}"]' + (f'[data-code="{code}"]' if code else "")
    page.wait_for_selector(selector, timeout=timeout)
    # Never colour alone: a shape for the result as well as its word.
    assert page.locator(f'[data-role=result] svg[data-icon="{status}"]').count() == 1
    return page.locator("[data-role=result]").inner_text()


def test_scanner_green_amber_red_and_undo(live_server, door, playwright_instance, tmp_path, screenshot):
    video = write_video(tmp_path / "door.y4m", [(door["urls"][0], 2), (None, 3), (door["revoked"], 2), (None, 3)])
    browser, context = _phone_with_camera(playwright_instance, video)
    try:
        page = context.new_page()
        sign_in(page, live_server.url, "worker@door.example.org", "**/org/door/")
        page.goto(door["list"])
        screenshot(page, "issue4-session-phone")
        list_entries = page.evaluate("performance.getEntriesByType('resource').map(e => e.name)")
        assert not [e for e in list_entries if "qr-scanner" in e], "the decoder loads only on the scanner page"

        page.goto(door["scan"])
        green = _wait_result(page, "ok")
        assert "AVA, 12" in green.upper() or "AVA, 13" in green.upper()
        assert "Nut" not in green and "Medical or allergy note" in green
        rows = _attendances(live_server, door["session_id"])
        assert [(r.young_person_id, r.method) for r in rows] == [(door["people"][0], "qr")]
        screenshot(page, "issue4-scanner-green-phone")
        sent = page.evaluate("""() => [performance.getEntriesByType('navigation')[0], ...performance.getEntriesByType('resource')]
                                  .reduce((n, e) => n + Math.max(e.transferSize, e.encodedBodySize), 0)""")
        names = page.evaluate("performance.getEntriesByType('resource').map(e => e.name)")
        assert any("qr-scanner-worker" in n or "qr-scanner.min.js" in n for n in names)
        print(f"scanner first load: {sent} bytes over {len(names) + 1} requests")
        assert sent <= BUDGET_BYTES

        red = _wait_result(page, "error", "revoked_pass")
        assert "replaced" in red
        screenshot(page, "issue4-scanner-red-phone")
        amber = _wait_result(page, "warn", "already_checked_in")
        assert "already checked in at" in amber
        screenshot(page, "issue4-scanner-amber-phone")
        assert len(_attendances(live_server, door["session_id"])) == 1

        page.click("[data-role=pause]")
        page.wait_for_selector("#scanner[data-state=paused]")
        page.click("[data-role=undo]")
        _wait_result(page, "idle")
        assert "UNDONE" in page.locator("[data-role=result]").inner_text().upper()
        assert _attendances(live_server, door["session_id"]) == []
    finally:
        context.close()
        browser.close()


def test_scanner_queues_offline_and_sends_once(live_server, door, playwright_instance, tmp_path, screenshot):
    urls = door["urls"]
    video = write_video(tmp_path / "offline.y4m", [(None, 4), (urls[1], 2), (None, 2.5), (urls[2], 2), (None, 2.5),
                                                   (urls[3], 2), (None, 8)])
    browser, context = _phone_with_camera(playwright_instance, video)
    try:
        page = context.new_page()
        sign_in(page, live_server.url, "worker@door.example.org", "**/org/door/")
        page.goto(door["scan"])
        page.wait_for_selector("#scanner[data-roster=ready]")
        context.set_offline(True)
        page.wait_for_selector("#scanner[data-queued='3']", timeout=30_000)
        assert "QUEUED" in page.locator("[data-role=result]").inner_text().upper()
        assert _attendances(live_server, door["session_id"]) == []
        screenshot(page, "issue4-scanner-queued-phone")
        queue = page.evaluate(f"localStorage.getItem('outreach:queue:{door['session_id']}')")

        context.set_offline(False)
        page.wait_for_selector("#scanner[data-queued='0']", timeout=15_000)
        rows = _attendances(live_server, door["session_id"])
        assert sorted(r.young_person_id for r in rows) == sorted(door["people"][1:4])
        assert {r.method for r in rows} == {"offline_sync"}

        # The same queue sent again (a flaky network retrying) adds nothing.
        replay = page.evaluate("""async ([url, token, queue]) => {
            const r = await fetch(url, {method: 'POST', headers: {'Content-Type': 'application/json', 'X-CSRFToken': token},
                                        body: JSON.stringify({checkins: JSON.parse(queue)})});
            return [r.status, await r.json()];
        }""", [f"/api/sessions/{door['session_id']}/checkins/batch",
               page.get_attribute("#scanner", "data-csrf-token"), queue])
        assert replay[0] == 200 and len(replay[1]["results"]) == 3
        assert len(_attendances(live_server, door["session_id"])) == 3
    finally:
        context.close()
        browser.close()


# Issue 16, point 1: every pass reads, however it is held. The page is timed from outside (an init
# script, not the scanner's own code): from the first camera frame that shows the pass (the video
# opens on two seconds of dark background, so the scanner is running by then) to the result panel
# turning green. A frame shows the pass when its thumbnail has a few bright (card-white) pixels.
TIMING = """(() => {
  const t = window.__scanTiming = {passSeen: null, green: null};
  const thumb = document.createElement("canvas");
  thumb.width = 32; thumb.height = 32;
  const ctx = thumb.getContext("2d", {willReadFrequently: true});
  const watch = (video) => video.requestVideoFrameCallback((now) => {
    if (t.passSeen !== null) return;
    ctx.drawImage(video, 0, 0, 32, 32);
    const px = ctx.getImageData(0, 0, 32, 32).data;
    let bright = 0;
    for (let i = 0; i < px.length; i += 4) if (px[i] + px[i + 1] + px[i + 2] > 450) bright++;
    if (bright >= 10) t.passSeen = now; else watch(video);
  });
  document.addEventListener("playing", (event) => { if (t.passSeen === null) watch(event.target); }, true);
  new MutationObserver(() => {
    const panel = document.querySelector("[data-role=result]");
    if (t.green === null && panel && panel.dataset.status === "ok") t.green = performance.now();
  }).observe(document, {subtree: true, attributes: true, attributeFilter: ["data-status"]});
})();"""
GREEN_WITHIN_MS = 1500

HELD = {
    "filling-the-frame": Framing(share=1.0),
    "half-width": Framing(share=0.5),
    "quarter-width": Framing(share=0.25),
    "turned-15-degrees": Framing(share=0.75, angle=15),
}


@pytest.mark.parametrize("held", list(HELD))
def test_every_pass_reads_within_a_moment(live_server, door, playwright_instance, tmp_path, held):
    video = write_video(tmp_path / f"{held}.y4m", [(None, 2), (door["urls"][1], 4), (None, 2)], framing=HELD[held])
    browser, context = _phone_with_camera(playwright_instance, video)
    try:
        page = context.new_page()
        sign_in(page, live_server.url, "worker@door.example.org", "**/org/door/")
        page.add_init_script(TIMING)
        page.goto(door["scan"])
        try:
            _wait_result(page, "ok", timeout=20_000)  # the video loops: the pass comes round again
        except PlaywrightTimeout:
            pytest.fail(f"{held}: the pass was never read (4 s in view each time round, 20 s in all)")
        timing = page.evaluate("window.__scanTiming")
        assert timing["passSeen"] is not None, "the video never showed the pass"
        elapsed = timing["green"] - timing["passSeen"]
        # The speed aim is measured by `make bench-scanner` (SCANNER_BENCH=1) on a quiet machine; in
        # the suite, with both databases' passes and browsers at once, only reading at all is checked.
        print(f"scanner_green_ms[{held}]={elapsed:.0f}")
        if os.environ.get("SCANNER_BENCH"):
            assert elapsed <= GREEN_WITHIN_MS, f"{held}: green only {elapsed:.0f} ms after the first frame showing the pass"
        assert [r.young_person_id for r in _attendances(live_server, door["session_id"])] == [door["people"][1]]
    finally:
        context.close()
        browser.close()


# Issue 16, point 2: the scanner is full screen. No site header; the camera, the whole result (its
# icon, word, name, message and flags) and Undo inside the screen without scrolling, and the way
# back to the session always one tap away.
SCREENS = {"360x640": {"width": 360, "height": 640}, "390x844": PHONE, "1280x800": DESKTOP}


def _box(page, selector):
    return page.locator(selector).bounding_box()


def _assert_in_view(page, screen, selectors):
    size = SCREENS[screen]
    for selector in selectors:
        for i in range(page.locator(selector).count()):
            box = page.locator(selector).nth(i).bounding_box()
            assert box is not None, f"{screen}: {selector} is not shown"
            assert box["x"] >= 0 and box["y"] >= 0 and box["x"] + box["width"] <= size["width"] + 0.5 \
                and box["y"] + box["height"] <= size["height"] + 0.5, f"{screen}: {selector} #{i} is outside the screen: {box}"
    assert page.evaluate("document.scrollingElement.scrollHeight <= innerHeight"), f"{screen}: the scanner scrolls"


@pytest.mark.parametrize("screen", list(SCREENS))
def test_scanner_is_full_screen_with_the_whole_result_in_view(live_server, door, playwright_instance, tmp_path,
                                                              screenshot, screen):
    # Ava has a medical note: green with the flag, then red (a replaced pass), then amber (Ava again).
    # Long blanks between passes: each result stays on screen while its boxes are measured, even on a
    # busy machine (3 s was too short with the suite running on both databases at once).
    video = write_video(tmp_path / "fit.y4m", [(door["urls"][0], 2), (None, 8), (door["revoked"], 2), (None, 8)])
    browser, context = _phone_with_camera(playwright_instance, video, SCREENS[screen])
    try:
        page = context.new_page()
        sign_in(page, live_server.url, "worker@door.example.org", "**/org/door/")
        loaded = "performance.getEntriesByType('resource').map(e => e.name).filter(n => n.includes('qr-scanner'))"
        assert page.evaluate(loaded) == [], "the decoder loads only on the scanner page"
        page.goto(door["scan"])
        assert page.locator(".site-header, .site-footer").count() == 0
        back = page.locator("[data-role=back]")
        assert back.inner_text().strip() == "Back to session"
        assert back.get_attribute("href").endswith(f"/org/door/sessions/{door['session_id']}")
        box = back.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44, f"the back link is too small to tap: {box}"

        result = [".result-panel__icon", ".result-panel__word", ".result-panel__name", ".result-panel__message",
                  ".result-panel__flags li", "[data-role=back]", "[data-role=count]", "[data-role=pause]"]
        _wait_result(page, "ok")
        page.wait_for_selector("[data-role=undo]:not([hidden])")
        assert "Medical or allergy note" in page.locator(".result-panel__flags").inner_text()
        _assert_in_view(page, screen, result + ["[data-role=undo]"])
        for selector in ("[data-role=back]", ".scanner__title", "[data-role=pause]", ".result-panel__message",
                         ".result-panel__flags li", "[data-role=undo]"):
            size = page.eval_on_selector(selector, "e => parseFloat(getComputedStyle(e).fontSize)")
            assert size >= 16, f"{screen}: {selector} is {size}px, under the 16px a phone needs"
        camera = _box(page, "[data-role=video]")
        assert camera["height"] >= 100, f"{screen}: the camera is only {camera['height']}px high"
        assert any(n.endswith("/qr-scanner.min.js") for n in page.evaluate(loaded))
        screenshot(page, f"issue16-scanner-green-{screen}")

        _wait_result(page, "error", "revoked_pass")
        _assert_in_view(page, screen, [".result-panel__icon", ".result-panel__word", ".result-panel__message",
                                       "[data-role=back]", "[data-role=undo]"])
        screenshot(page, f"issue16-scanner-red-{screen}")

        amber = _wait_result(page, "warn", "already_checked_in")
        assert "already checked in at" in amber and "Medical or allergy note" in amber
        _assert_in_view(page, screen, result + ["[data-role=undo]"])
        screenshot(page, f"issue16-scanner-amber-{screen}")
    finally:
        context.close()
        browser.close()
