"""Issue 16 point 3 on the server's side: an offline queue carries its scan times, the door pages a
phone may keep say until when, the roster holds only what the door needs, the service worker and the
manifest are served from the root, and sign-out tells the browser to forget what the door kept."""
import re
import uuid
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from outreach.models import Attendance, Registration
from outreach.services import checkin, passes
from outreach.timeutil import UTC
from tests.factories import make_org, make_programme, make_session, make_user, make_young_person


@pytest.fixture()
def door(db):
    worker = make_user("w@offline.example.org")
    org = make_org("Offline Club", slug="offline", worker=worker)
    programme = make_programme(org, "Friday Club", min_age=10, max_age=16, capacity=5)
    now = datetime.now(UTC)
    session = make_session(programme, starts_at=now - timedelta(minutes=30), hours=2)
    yp = make_young_person("Ava", "Surname-Nobody-Needs", dob=date(2013, 2, 2), medical_notes="Asthma")
    db.session.add(Registration(young_person_id=yp.id, session_id=session.id, status="confirmed", confirmed_at=now))
    db.session.commit()
    return {"worker": worker, "session": session, "yp": yp, "secret": passes.ensure_pass(yp).secret}


def _batch(client, session, items):
    return client.post(f"/api/sessions/{session.id}/checkins/batch", json={"checkins": items})


def _item(secret, scanned_at, **extra):
    return {"pass": secret, "client_ref": uuid.uuid4().hex, "offline": True, "scanned_at": scanned_at, **extra}


def test_a_queued_check_in_lands_at_its_scan_time(client, db, login_as, door):
    login_as(door["worker"])
    scanned = (datetime.now(UTC) - timedelta(minutes=17)).replace(microsecond=120000)
    answer = _batch(client, door["session"], [_item(door["secret"], scanned.isoformat().replace("+00:00", "Z"))])
    result = answer.get_json()["results"][0]
    assert (result["status"], result["phone_clock_wrong"]) == ("ok", False)
    row = db.session.execute(select(Attendance)).scalar_one()
    assert (row.checked_in_at, row.method, row.phone_time_refused) == (scanned, "offline_sync", None)


def test_a_wrong_phone_clock_is_refused_and_flagged_on_the_list(client, db, login_as, door):
    login_as(door["worker"])
    before = datetime.now(UTC)
    answer = _batch(client, door["session"], [_item(door["secret"], "2031-06-01T10:00:00+02:00")])
    result = answer.get_json()["results"][0]
    assert result["status"] == "ok" and result["phone_clock_wrong"] is True and "clock is wrong" in result["message"]
    row = db.session.execute(select(Attendance)).scalar_one()
    assert before <= row.checked_in_at <= datetime.now(UTC)
    assert row.phone_time_refused == datetime(2031, 6, 1, 8, 0, tzinfo=UTC)
    page = client.get(f"/org/offline/sessions/{door['session'].id}").get_data(as_text=True)
    assert "Time it reached us, not scan time" in page


def test_an_online_scan_ignores_a_time_sent_with_it(client, db, login_as, door):
    login_as(door["worker"])
    before = datetime.now(UTC)
    client.post(f"/api/sessions/{door['session'].id}/checkins",
                json={"pass": door["secret"], "scanned_at": "2001-01-01T00:00:00Z"})
    row = db.session.execute(select(Attendance)).scalar_one()
    assert row.checked_in_at >= before and row.phone_time_refused is None and row.method == "qr"


@pytest.mark.parametrize("value", ["yesterday", "2026-12-05T18:44:07", "2026-02-30T10:00:00Z", 1733420000,
                                   "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-05:00", "2026-12-05T18:44:07Z" * 40,
                                   "2026-12-05T18:44:07\ud800Z", ["2026-12-05T18:44:07Z"]])
def test_a_scan_time_that_is_not_a_time_is_answered_on_its_own(client, db, login_as, door, value):
    login_as(door["worker"])
    answer = _batch(client, door["session"], [_item(door["secret"], value)])
    assert answer.status_code in (200, 400)
    if answer.status_code == 200:
        assert answer.get_json()["results"][0]["code"] == "invalid_scanned_at"
    single = client.post(f"/api/sessions/{door['session'].id}/checkins", json=_item(door["secret"], value))
    assert single.status_code == 400
    assert db.session.execute(select(Attendance)).first() is None


def test_the_roster_holds_only_what_the_door_needs_and_says_until_when(client, db, login_as, door):
    login_as(door["worker"])
    response = client.get(f"/api/sessions/{door['session'].id}/roster")
    data = response.get_json()
    assert set(data["people"][0]) == {"first_name", "age", "flags", "pass_hash", "booking", "checked_in_at"}
    assert "Surname" not in response.get_data(as_text=True) and door["secret"] not in response.get_data(as_text=True)
    closes = checkin.DEFAULT_WINDOW.closes_at(door["session"])
    assert response.headers["X-Door-Keep-Until"] == closes.isoformat().replace("+00:00", "Z")
    assert data["session"]["checkin_closes_at"] == closes.isoformat()
    assert "no-store" in response.headers["Cache-Control"]


def test_the_scanner_and_today_may_be_kept_the_list_may_not(client, db, login_as, door):
    login_as(door["worker"])
    s = door["session"]
    assert client.get(f"/org/offline/sessions/{s.id}/scan").headers["X-Door-Keep-Until"]
    assert client.get("/org/offline/today").headers["X-Door-Keep-Until"]
    # The list names people in full with their medical notes: never kept (the offline page draws the roster).
    assert "X-Door-Keep-Until" not in client.get(f"/org/offline/sessions/{s.id}").headers
    assert "X-Door-Keep-Until" not in client.get(f"/org/offline/sessions/{s.id}/on-site").headers


def test_a_scanner_outside_the_window_is_not_kept(client, db, login_as, door):
    later = make_session(door["session"].programme, starts_at=datetime.now(UTC) + timedelta(days=30))
    db.session.commit()
    login_as(door["worker"])
    assert "X-Door-Keep-Until" not in client.get(f"/org/offline/sessions/{later.id}/scan").headers


def test_the_service_worker_is_served_from_the_root_with_a_versioned_cache(client, db):
    response = client.get("/sw.js")
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    version = re.search(r'const VERSION = "([0-9a-f]{12})";', body).group(1)
    assert f"outreach-door-app-${{VERSION}}" in body and version
    for kept in ("/static/css/app.css", "/static/js/scanner.js", "/static/js/door-store.js", "/door/offline"):
        assert f'"{kept}"' in body
    # A signed-out visitor's pages are never kept: only responses the server marked for staff.
    assert "X-Door-Keep-Until" in body and "opaqueredirect" in body


def test_the_version_changes_with_the_files(client, db, app, tmp_path, monkeypatch):
    from pathlib import Path

    from outreach.web.checkin import offline

    def version():
        return re.search(r'const VERSION = "(\w+)"', client.get("/sw.js").get_data(as_text=True)).group(1)

    before = version()
    folder = tmp_path / "static"
    for name in offline.APP_FILES:
        source, target = Path(app.static_folder) / name, folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes((source.read_bytes() if source.exists() else b"") + b"/* a release later */")
    monkeypatch.setattr(app, "static_folder", str(folder))
    assert version() != before


def test_the_manifest_opens_the_door_from_the_home_screen(client, db, login_as, door):
    manifest = client.get("/manifest.webmanifest")
    assert manifest.mimetype == "application/manifest+json"
    data = manifest.get_json(force=True)
    assert data["start_url"] == "/door" and data["display"] == "standalone" and data["scope"] == "/"
    assert {i["sizes"] for i in data["icons"]} == {"192x192", "512x512"}
    for icon in data["icons"]:
        image = client.get(icon["src"])
        assert image.status_code == 200 and image.mimetype == "image/png"
        image.close()
    assert client.get("/door").headers["Location"].startswith("/login")
    login_as(door["worker"])
    assert client.get("/door").headers["Location"] == "/org/offline/today"
    page = client.get("/org/offline/today").get_data(as_text=True)
    assert 'rel="manifest"' in page and 'data-door="staff"' in page and 'data-service-worker="/sw.js"' in page


def test_a_family_page_carries_no_manifest_and_asks_the_phone_to_forget_the_door(client, db):
    page = client.get("/activities").get_data(as_text=True)
    assert 'rel="manifest"' not in page and 'data-door="not-staff"' in page


def test_the_offline_page_names_no_one(client, db, login_as, door):
    login_as(door["worker"])
    page = client.get("/door/offline").get_data(as_text=True)
    assert "No signal" in page and 'data-door="offline"' in page
    for private in ("Ava", "Offline Club", "Friday Club", "w@offline.example.org"):
        assert private not in page


def test_sign_out_clears_what_the_door_kept(client, db, login_as, door):
    login_as(door["worker"])
    response = client.post("/logout")
    assert response.status_code == 302 and response.headers["Clear-Site-Data"] == '"cache", "storage"'
