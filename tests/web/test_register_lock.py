"""A locked register through every way in: the door pages, the JSON API and the offline sync."""
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from outreach.models import Attendance, AuditEvent, Registration
from outreach.services import passes
from outreach.timeutil import UTC
from tests.factories import make_org, make_programme, make_session, make_user, make_young_person


@pytest.fixture()
def locked(db, app, monkeypatch):
    """A session that ended three days ago, its register locked a day after it (REGISTER_LOCK_DAYS=1)."""
    monkeypatch.setitem(app.config, "REGISTER_LOCK_DAYS", 1)
    now = datetime.now(UTC)
    worker = make_user("worker@lock.example.org", "Wes Worker")
    org = make_org("Lock Partner", slug="lock-partner", worker=worker)
    programme = make_programme(org, "Tuesday Climbing", registration_mode="per_session", min_age=8, max_age=18)
    session = make_session(programme, starts_at=now - timedelta(days=3, hours=2), hours=2)
    people = []
    for name in ("Ayo", "Bea", "Cai"):
        yp = make_young_person(name, "Locke", dob=date(2013, 4, 4), may_go_home_alone=False)
        passes.ensure_pass(yp)
        db.session.add(Registration(young_person_id=yp.id, session_id=session.id, status="confirmed",
                                    confirmed_at=session.starts_at - timedelta(days=2)))
        people.append(yp)
    attendances = [Attendance(session_id=session.id, young_person_id=yp.id, method="qr",
                              checked_in_at=session.starts_at + timedelta(minutes=5)) for yp in people[:2]]
    db.session.add_all(attendances)
    db.session.commit()
    return {"worker": worker, "org": org, "session": session, "people": people, "attendances": attendances}


def csrf(client, path):
    import re
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)


def changes(db):
    return db.session.execute(select(AuditEvent).where(AuditEvent.action == "register.changed_after_lock")
                              .order_by(AuditEvent.id)).scalars().all()


def test_the_session_page_says_the_register_is_locked(client, login_as, locked):
    login_as(locked["worker"])
    html = client.get(f"/org/lock-partner/sessions/{locked['session'].id}").get_data(as_text=True)
    assert 'data-code="register_locked"' in html and "Register locked." in html and "give a reason" in html
    assert html.count("Remove from register") == 2 and 'name="reason"' in html


def test_undo_on_the_page_without_a_reason_is_refused_with_the_lock_message(db, client, login_as, locked):
    login_as(locked["worker"])
    page = f"/org/lock-partner/sessions/{locked['session'].id}"
    attendance = locked["attendances"][0]
    refused = client.post(page + "/undo", data={"attendance_id": attendance.id, "reason": ""}, follow_redirects=True)
    html = refused.get_data(as_text=True)
    assert "This register locked on" in html and "give a reason" in html
    assert db.session.get(Attendance, attendance.id) is not None and changes(db) == []
    done = client.post(page + "/undo", data={"attendance_id": attendance.id, "reason": "Scanned her sister's pass"},
                       follow_redirects=True)
    assert "is no longer checked in" in done.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Attendance, attendance.id) is None
    assert [(e.detail["change"], e.detail["reason"], e.actor_id) for e in changes(db)] == \
        [("undo", "Scanned her sister's pass", locked["worker"].id)]


def test_check_out_on_the_page_needs_a_reason_next_to_the_field(db, client, login_as, locked):
    login_as(locked["worker"])
    attendance = locked["attendances"][1]
    path = f"/org/lock-partner/attendances/{attendance.id}/check-out"
    assert "Register locked." in client.get(path).get_data(as_text=True)
    refused = client.post(path, data={"collected_by_other": "Her dad"})
    html = refused.get_data(as_text=True)
    assert "This register locked on" in html and 'id="reason-error"' in html
    db.session.expire_all()
    assert db.session.get(Attendance, attendance.id).checked_out_at is None
    saved = client.post(path, data={"collected_by_other": "Her dad", "reason": "Paper sign-out sheet"})
    assert saved.status_code == 302
    db.session.expire_all()
    assert db.session.get(Attendance, attendance.id).collected_by == "Her dad"
    assert [e.detail["change"] for e in changes(db)] == ["check_out"]


def test_api_undo_without_a_reason_is_409_register_locked(db, client, login_as, locked):
    login_as(locked["worker"])
    token = csrf(client, f"/org/lock-partner/sessions/{locked['session'].id}")
    attendance = locked["attendances"][0]
    refused = client.post(f"/api/checkins/{attendance.id}/undo", headers={"X-CSRFToken": token})
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "register_locked"
    bad = client.post(f"/api/checkins/{attendance.id}/undo", json={"reason": 5}, headers={"X-CSRFToken": token})
    assert bad.status_code == 400 and bad.get_json()["error"]["code"] == "invalid_reason"
    done = client.post(f"/api/checkins/{attendance.id}/undo", json={"reason": "Wrong person scanned"},
                       headers={"X-CSRFToken": token})
    assert done.status_code == 200 and done.get_json()["code"] == "undone"
    assert [e.detail["reason"] for e in changes(db)] == ["Wrong person scanned"]


def test_api_check_in_and_offline_sync_after_the_lock(db, app, client, login_as, locked, monkeypatch):
    # A check-in window wider than the lock, so the lock's own rule is what answers.
    monkeypatch.setitem(app.config, "CHECKIN_CLOSES_HOURS_AFTER", 24 * 30)
    login_as(locked["worker"])
    session = locked["session"]
    token = csrf(client, f"/org/lock-partner/sessions/{session.id}")
    cai = locked["people"][2]
    secret = passes.ensure_pass(cai).secret
    url = f"/api/sessions/{session.id}/checkins"
    red = client.post(url, json={"pass": secret, "client_ref": "late-scan-0001"}, headers={"X-CSRFToken": token})
    assert red.get_json()["code"] == "register_locked" and "young_person" not in red.get_json()
    # The offline queue: refused even with a reason (register_lock.py says why); nothing written.
    batch = client.post(url + "/batch", json={"checkins": [
        {"pass": secret, "client_ref": "offline-0001", "offline": True, "reason": "Phone was offline"}]},
        headers={"X-CSRFToken": token})
    assert [r["code"] for r in batch.get_json()["results"]] == ["register_locked"]
    assert db.session.scalar(select(func.count()).select_from(Attendance).where(
        Attendance.young_person_id == cai.id)) == 0
    green = client.post(url, json={"pass": secret, "client_ref": "late-scan-0002", "reason": "On the paper register"},
                        headers={"X-CSRFToken": token})
    assert green.get_json()["code"] == "checked_in"
    assert [(e.detail["change"], e.detail["reason"]) for e in changes(db)] == [("check_in", "On the paper register")]


def test_before_the_lock_nothing_changes(db, app, client, login_as, locked, monkeypatch):
    monkeypatch.setitem(app.config, "REGISTER_LOCK_DAYS", 30)
    login_as(locked["worker"])
    html = client.get(f"/org/lock-partner/sessions/{locked['session'].id}").get_data(as_text=True)
    assert "Register locked." not in html and 'name="reason"' not in html
    attendance = locked["attendances"][0]
    client.post(f"/org/lock-partner/sessions/{locked['session'].id}/undo", data={"attendance_id": attendance.id})
    db.session.expire_all()
    assert db.session.get(Attendance, attendance.id) is None and changes(db) == []
