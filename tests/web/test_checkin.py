"""The door pages and the check-in API: today, the list, manual and walk-in check-in,
undo, check-out, the on-site register, JSON errors, and other partners kept out."""
import uuid
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from outreach.models import Attendance, AuditEvent, AuthorisedCollector, Registration, YoungPerson
from outreach.services import passes
from outreach.timeutil import UTC, to_local
from tests.conftest import deliver
from tests.factories import make_org, make_programme, make_session, make_user, make_young_person


@pytest.fixture()
def door(db):
    worker, lead = make_user("w@door.example.org"), make_user("l@door.example.org")
    org = make_org("Door Club", slug="door", lead=lead, worker=worker)
    programme = make_programme(org, "Friday Club", min_age=10, max_age=16, capacity=3)
    now = datetime.now(UTC)
    session = make_session(programme, starts_at=now - timedelta(minutes=15), hours=2)
    booked = []
    for name in ("Ava", "Ben"):
        yp = make_young_person(name, "Door", dob=date(2013, 2, 2), medical_notes="Asthma" if name == "Ava" else None)
        db.session.add(Registration(young_person_id=yp.id, session_id=session.id, status="confirmed",
                                    confirmed_at=now))
        booked.append(yp)
    db.session.add(AuthorisedCollector(young_person_id=booked[0].id, name="Gran Door", relationship_label="Gran"))
    stranger = make_young_person("Cal", "Elsewhere", dob=date(2013, 2, 2))
    db.session.commit()
    return {"worker": worker, "lead": lead, "org": org, "session": session, "booked": booked, "stranger": stranger,
            "base": f"/org/door/sessions/{session.id}"}


def test_today_lists_todays_sessions_with_headcount(client, login_as, door):
    login_as(door["worker"])
    page = client.get("/org/door/today").get_data(as_text=True)
    assert "Friday Club" in page and "0" in page


def test_list_search_and_manual_check_in_then_undo(client, db, login_as, door):
    login_as(door["worker"])
    page = client.get(door["base"] + "?q=av").get_data(as_text=True)
    assert "Ava" in page and "Ben" not in page
    resp = client.post(door["base"] + "/check-in", data={"young_person_id": door["booked"][0].id})
    assert resp.status_code == 302 and "last=" in resp.headers["Location"]
    row = db.session.execute(select(Attendance)).scalar_one()
    assert row.method == "manual"
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Undo last check-in" in page
    client.post(door["base"] + "/undo", data={"attendance_id": row.id})
    assert db.session.execute(select(Attendance)).first() is None
    assert "attendance.undone" in set(db.session.execute(select(AuditEvent.action)).scalars())


def test_walk_in_creates_person_booking_and_attendance_in_one_step(client, db, login_as, door):
    login_as(door["worker"])
    resp = client.post(door["base"] + "/walk-in", data={
        "first_name": "Dara", "last_name": "New", "date_of_birth": "2012-06-01", "guardian_name": "Mo New",
        "guardian_phone": "07700 900777", "consent_by_phone": "y"})
    assert resp.status_code == 302
    yp = db.session.execute(select(YoungPerson).where(YoungPerson.first_name == "Dara")).scalar_one()
    reg = db.session.execute(select(Registration).where(Registration.young_person_id == yp.id)).scalar_one()
    att = db.session.execute(select(Attendance).where(Attendance.young_person_id == yp.id)).scalar_one()
    assert (reg.status, reg.source, att.method) == ("confirmed", "walk_in", "walk_in")
    assert passes.live_pass(yp) is not None


def test_walk_in_under_13_needs_consent_by_phone(client, db, login_as, door):
    login_as(door["worker"])
    dob = date(date.today().year - 11, 1, 1).isoformat()
    page = client.post(door["base"] + "/walk-in", data={
        "first_name": "Tiny", "last_name": "New", "date_of_birth": dob, "guardian_name": "Mo",
        "guardian_phone": "07700 900777"}).get_data(as_text=True)
    assert "consent" in page and 'class="field__error"' in page
    assert db.session.execute(select(YoungPerson).where(YoungPerson.first_name == "Tiny")).first() is None


def test_check_out_with_collector_and_home_alone_only_with_consent(client, db, login_as, door):
    login_as(door["worker"])
    ava, ben = door["booked"]
    for yp in (ava, ben):
        client.post(door["base"] + "/check-in", data={"young_person_id": yp.id})
    a_att, b_att = db.session.execute(select(Attendance).order_by(Attendance.young_person_id)).scalars().all()
    form = client.get(f"/org/door/attendances/{a_att.id}/check-out").get_data(as_text=True)
    assert "Gran Door (Gran)" in form and "Must be collected" in form and "Check out</button>" in form
    refused = client.post(f"/org/door/attendances/{b_att.id}/check-out", data={"went_home_alone": "y"})
    assert "have consent to go home alone" in refused.get_data(as_text=True)
    db.session.refresh(b_att)
    assert b_att.checked_out_at is None
    client.post(f"/org/door/attendances/{a_att.id}/check-out", data={"collector": "Gran Door"})
    db.session.refresh(a_att)
    assert a_att.collected_by == "Gran Door" and a_att.checked_out_at is not None
    # Opened again (or sent again from a second phone): who collected them, and no form.
    again = client.post(f"/org/door/attendances/{a_att.id}/check-out", data={"collected_by_other": "Someone"})
    page = again.get_data(as_text=True)
    assert "Already checked out" in page and "collected by Gran Door" in page and "Check out</button>" not in page
    db.session.refresh(a_att)
    assert a_att.collected_by == "Gran Door"
    ben.may_go_home_alone = True
    db.session.commit()
    client.post(f"/org/door/attendances/{b_att.id}/check-out", data={"went_home_alone": "y"})
    db.session.refresh(b_att)
    assert b_att.went_home_alone is True


def test_on_site_register_shows_who_is_in_with_contacts_and_is_audited(client, db, login_as, door):
    login_as(door["worker"])
    client.post(door["base"] + "/check-in", data={"young_person_id": door["booked"][0].id})
    page = client.get(door["base"] + "/on-site").get_data(as_text=True)
    assert "Ava" in page and "Asthma" in page and "07700 900123" in page and "Ben Door" not in page
    assert "medical_notes.viewed" in set(db.session.execute(select(AuditEvent.action)).scalars())


# ------------------------------------------------------------------ API

def _api(client, session, body, **kw):
    return client.post(f"/api/sessions/{session.id}/checkins", json=body, **kw)


def test_api_outcomes_green_amber_red(client, db, login_as, door):
    login_as(door["worker"])
    s = door["session"]
    url = passes.pass_url("http://localhost", passes.ensure_pass(door["booked"][0]).secret)
    first = _api(client, s, {"pass": url, "client_ref": uuid.uuid4().hex}).get_json()
    assert (first["status"], first["code"], first["young_person"]["first_name"]) == ("ok", "checked_in", "Ava")
    assert "Medical or allergy note" in first["flags"]
    again = _api(client, s, {"pass": url, "client_ref": uuid.uuid4().hex}).get_json()
    assert (again["status"], again["code"]) == ("warn", "already_checked_in")
    stranger = passes.ensure_pass(door["stranger"]).secret
    walk = _api(client, s, {"pass": stranger}).get_json()
    assert (walk["status"], walk["code"], walk["can_walk_in"]) == ("warn", "not_booked", True)
    done = _api(client, s, {"pass": stranger, "walk_in": True}).get_json()
    assert done["status"] == "ok"
    unknown = _api(client, s, {"pass": "http://localhost/p/nonsense"}).get_json()
    assert (unknown["status"], unknown["code"]) == ("error", "unknown_pass")


def test_api_is_idempotent_by_client_ref(client, db, login_as, door):
    login_as(door["worker"])
    ref = uuid.uuid4().hex
    secret = passes.ensure_pass(door["booked"][1]).secret
    for _ in range(3):
        assert _api(client, door["session"], {"pass": secret, "client_ref": ref}).get_json()["status"] == "ok"
    assert db.session.scalar(select(func.count()).select_from(Attendance)) == 1


def test_api_errors_are_json_with_code_and_message(client, db, login_as, door):
    s = door["session"]
    anonymous = _api(client, s, {"pass": "x"})
    assert anonymous.status_code == 401 and anonymous.get_json()["error"]["code"] == "not_signed_in"
    login_as(door["worker"])
    bad = client.post(f"/api/sessions/{s.id}/checkins", data="not json", content_type="application/json")
    assert bad.status_code == 400 and bad.get_json()["error"]["code"] == "invalid_json"
    missing = _api(client, s, {"client_ref": "short"})
    assert missing.status_code == 400 and set(missing.get_json()["error"]) == {"code", "message"}
    assert client.get("/api/sessions/999999/roster").get_json()["error"]["code"] == "not_found"


def test_roster_carries_pass_hashes_not_secrets(client, db, login_as, door):
    login_as(door["worker"])
    secret = passes.ensure_pass(door["booked"][0]).secret
    data = client.get(f"/api/sessions/{door['session'].id}/roster").get_json()
    assert secret not in str(data)
    assert data["headcount"]["booked"] == 2 and len(data["people"]) == 2


def test_another_partner_gets_nothing_from_the_api_or_pages(client, db, login_as, door):
    outsider = make_user()
    make_org("Other Club", slug="other", lead=outsider)
    db.session.commit()
    login_as(outsider)
    s = door["session"]
    secret = passes.ensure_pass(door["booked"][0]).secret
    assert _api(client, s, {"pass": secret}).status_code == 404
    assert client.get(f"/api/sessions/{s.id}/roster").status_code == 404
    assert client.post(f"/api/sessions/{s.id}/checkins/batch", json={"checkins": []}).status_code == 404
    for path in ("", "/scan", "/on-site", "/walk-in"):
        assert client.get(f"/org/door/sessions/{s.id}{path}").status_code == 404
        assert client.get(f"/org/other/sessions/{s.id}{path}").status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Attendance)) == 0


# ------------------------------------------------------------------ who can be checked in by name

def _rows(db, model=Attendance):
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("walk_in", ["1", "", "true"])
def test_manual_check_in_of_a_young_person_the_organisation_never_met_is_not_found(client, db, login_as, door,
                                                                                    walk_in):
    login_as(door["worker"])
    resp = client.post(door["base"] + "/check-in", data={"young_person_id": door["stranger"].id, "walk_in": walk_in})
    assert resp.status_code == 404
    assert _rows(db) == 0
    # Nor do the door pages show them afterwards (their medical note, contacts, collectors).
    for path in ("", "/on-site"):
        assert "Elsewhere" not in client.get(door["base"] + path).get_data(as_text=True)


def test_manual_check_in_of_another_partners_young_person_is_not_found(client, db, login_as, door):
    other = make_org("Other Club", slug="other-club")
    theirs = make_young_person("Ola", "Theirs", dob=date(2013, 2, 2), medical_notes="Epilepsy")
    their_session = make_session(make_programme(other, min_age=10, max_age=16), starts_at=door["session"].starts_at)
    db.session.add(Registration(young_person_id=theirs.id, session_id=their_session.id, status="confirmed"))
    db.session.commit()
    login_as(door["worker"])
    for bad in (theirs.id, 10 ** 30, "٣", "-1", "x"):
        resp = client.post(door["base"] + "/check-in", data={"young_person_id": bad, "walk_in": "1"})
        assert resp.status_code in (400, 404), bad
    assert _rows(db) == 0
    assert "Ola" not in client.get(door["base"] + "?q=ola").get_data(as_text=True)


def test_someone_who_came_before_is_found_by_name_and_checked_in_as_a_walk_in(client, db, login_as, door):
    regular = door["stranger"]
    last_week = make_session(door["session"].programme, starts_at=door["session"].starts_at - timedelta(days=7))
    db.session.add(Attendance(session_id=last_week.id, young_person_id=regular.id, method="qr",
                              checked_in_at=last_week.starts_at))
    db.session.commit()
    login_as(door["worker"])
    page = client.get(door["base"] + "?q=cal").get_data(as_text=True)
    assert "Not booked on this session" in page and "Cal Elsewhere" in page and "Check in as walk-in" in page
    resp = client.post(door["base"] + "/check-in", data={"young_person_id": regular.id, "walk_in": "1"})
    assert resp.status_code == 302
    att = db.session.execute(select(Attendance).where(Attendance.session_id == door["session"].id)).scalar_one()
    assert (att.young_person_id, att.method) == (regular.id, "walk_in")


def test_the_undo_bar_is_only_for_a_check_in_of_this_session(client, db, login_as, door):
    other = make_session(door["session"].programme, starts_at=door["session"].starts_at - timedelta(days=7))
    att = Attendance(session_id=other.id, young_person_id=door["stranger"].id, method="qr",
                     checked_in_at=other.starts_at)
    db.session.add(att)
    db.session.commit()
    login_as(door["worker"])
    assert "Undo last check-in" not in client.get(door["base"] + f"?last={att.id}").get_data(as_text=True)


# ------------------------------------------------------------------ the check-in window

@pytest.fixture()
def next_year(db, door):
    session = make_session(door["session"].programme, starts_at=door["session"].starts_at + timedelta(days=365))
    for yp in door["booked"]:
        db.session.add(Registration(young_person_id=yp.id, session_id=session.id, status="confirmed",
                                    confirmed_at=datetime.now(UTC)))
    db.session.commit()
    return session


def test_a_session_a_year_ahead_says_when_check_in_opens_and_offers_no_check_in(client, db, login_as, door,
                                                                                next_year):
    login_as(door["worker"])
    base = f"/org/door/sessions/{next_year.id}"
    page = client.get(base).get_data(as_text=True)
    assert "Not taking check-ins now" in page and "Check-in for this session opens at" in page
    assert "/check-in" not in page and "/scan" not in page and "/walk-in" not in page
    resp = client.post(base + "/check-in", data={"young_person_id": door["booked"][0].id})
    assert "Check-in for this session opens at" in client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Not taking check-ins now" in client.get(base + "/scan").get_data(as_text=True)
    walk = client.post(base + "/walk-in", data={
        "first_name": "Dara", "last_name": "New", "date_of_birth": "2012-06-01", "guardian_name": "Mo New",
        "guardian_phone": "07700 900777", "consent_by_phone": "y"})
    assert walk.status_code == 200 and "opens at" in walk.get_data(as_text=True)
    secret = passes.ensure_pass(door["booked"][0]).secret
    api = _api(client, next_year, {"pass": secret, "client_ref": uuid.uuid4().hex}).get_json()
    assert (api["status"], api["code"]) == ("error", "outside_checkin_window") and "young_person" not in api
    batch = client.post(f"/api/sessions/{next_year.id}/checkins/batch",
                        json={"checkins": [{"pass": secret, "client_ref": uuid.uuid4().hex, "offline": True}]})
    assert batch.get_json()["results"][0]["code"] == "outside_checkin_window"
    assert _rows(db) == 0 and _rows(db, YoungPerson) == 3


def test_today_says_when_a_later_session_opens(client, db, login_as, door):
    now = datetime.now(UTC)
    # Later today, or (late in the evening) already running since before midnight: either way on Today.
    later = make_session(door["session"].programme, starts_at=now + timedelta(hours=2)) \
        if to_local(now + timedelta(hours=2), "Europe/London").date() == to_local(now, "Europe/London").date() \
        else None
    db.session.commit()
    login_as(door["worker"])
    page = client.get("/org/door/today").get_data(as_text=True)
    assert "Friday Club" in page and "Check-in closed" not in page
    if later is not None:
        assert f"Check-in opens {to_local(later.starts_at - timedelta(hours=1), 'Europe/London'):%H:%M}" in page


# ------------------------------------------------------------------ missing contacts, going home alone

def test_fire_register_says_no_emergency_contact_given_in_the_danger_style(client, db, login_as, door):
    alone = make_young_person("Tia", "Alone", dob=date(2011, 2, 2), emergency_contact_name=None,
                              emergency_contact_phone=None)
    db.session.add(Registration(young_person_id=alone.id, session_id=door["session"].id, status="confirmed"))
    db.session.commit()
    login_as(door["worker"])
    client.post(door["base"] + "/check-in", data={"young_person_id": alone.id})
    page = client.get(door["base"] + "/on-site").get_data(as_text=True)
    assert '<strong class="missing">⚠ No emergency contact given</strong>' in page
    assert "None" not in page and 'href="tel:"' not in page and "tel:None" not in page


def test_a_young_person_who_signed_up_alone_may_go_home_alone_at_check_out(client, db, login_as, door):
    young = dict(kind="young_person", full_name="Sol Alone", email="sol@example.org", password="a long passphrase",
                 confirm="a long passphrase", date_of_birth="2012-03-03", emergency_contact_name="Aunt Rae",
                 emergency_contact_phone="07700 900765", may_go_home_alone="y")
    assert client.post("/signup", data=young).status_code == 200
    deliver()  # the worker creates the account
    sol = db.session.execute(select(YoungPerson).where(YoungPerson.first_name == "Sol")).scalar_one()
    db.session.add(Registration(young_person_id=sol.id, session_id=door["session"].id, status="confirmed"))
    db.session.commit()
    login_as(door["worker"])
    client.post(door["base"] + "/check-in", data={"young_person_id": sol.id})
    att = db.session.execute(select(Attendance).where(Attendance.young_person_id == sol.id)).scalar_one()
    form = client.get(f"/org/door/attendances/{att.id}/check-out").get_data(as_text=True)
    assert "Went home alone" in form and "Aunt Rae (emergency contact)" in form
    client.post(f"/org/door/attendances/{att.id}/check-out", data={"went_home_alone": "y"})
    db.session.refresh(att)
    assert att.went_home_alone is True and att.checked_out_at is not None


def test_check_out_with_nobody_on_record_asks_who_collected_them(client, db, login_as, door):
    alone = make_young_person("Tia", "Alone", dob=date(2011, 2, 2), emergency_contact_name=None,
                              emergency_contact_phone=None)
    db.session.add(Attendance(session_id=door["session"].id, young_person_id=alone.id, method="manual",
                              checked_in_at=datetime.now(UTC)))
    db.session.commit()
    att = db.session.execute(select(Attendance).where(Attendance.young_person_id == alone.id)).scalar_one()
    login_as(door["worker"])
    form = client.get(f"/org/door/attendances/{att.id}/check-out").get_data(as_text=True)
    assert "No collectors or emergency contact given" in form and "None" not in form
