"""A pass URL opened with a phone's own camera: staff check in with one tap; others see no name."""
from datetime import date, datetime, timedelta

from sqlalchemy import select

from outreach.models import Attendance
from outreach.services import checkin, passes, registration
from outreach.timeutil import UTC, to_local
from tests.factories import make_org, make_programme, make_session, make_user, make_young_person


def _now_session(db):
    worker = make_user("worker@example.org")
    org = make_org(worker=worker)
    programme = make_programme(org, "Friday Club", min_age=8, max_age=18)
    session = make_session(programme, starts_at=datetime.now(UTC) - timedelta(minutes=10))
    yp = make_young_person("Tobi", "Adeyemi", dob=date(2013, 3, 3))
    registration.book_place(yp, programme, make_session(programme), now=datetime.now(UTC) - timedelta(days=1))
    db.session.commit()
    return worker, org, session, yp, passes.ensure_pass(yp).secret


def test_worker_checks_in_from_the_pass_url_with_one_tap(client, db, login_as):
    worker, org, session, yp, secret = _now_session(db)
    login_as(worker)
    page = client.get(f"/p/{secret}").get_data(as_text=True)
    assert "Friday Club" in page and "Tobi" in page
    response = client.post(f"/p/{secret}/check-in", data={"session_id": session.id, "walk_in": "1"})
    assert response.status_code == 200 and "Checked in" in response.get_data(as_text=True)
    att = db.session.execute(select(Attendance)).scalar_one()
    assert (att.session_id, att.young_person_id, att.checked_in_by_id) == (session.id, yp.id, worker.id)


def test_worker_of_another_organisation_cannot_check_in_here(client, db, login_as):
    _, _, session, _, secret = _now_session(db)
    outsider = make_user("outsider@example.org")
    make_org(worker=outsider)
    db.session.commit()
    login_as(outsider)
    assert "Friday Club" not in client.get(f"/p/{secret}").get_data(as_text=True)
    assert client.post(f"/p/{secret}/check-in", data={"session_id": session.id}).status_code == 404


def test_signed_out_visitor_sees_no_name(client, db):
    _, _, _, _, secret = _now_session(db)
    page = client.get(f"/p/{secret}").get_data(as_text=True)
    assert "Tobi" not in page and "Adeyemi" not in page and "This is an Outreach pass" in page


def test_a_worker_with_no_session_taking_check_ins_learns_nothing_from_a_pass(client, db, login_as):
    _, _, _, _, secret = _now_session(db)
    idle = make_user("idle@example.org")
    org = make_org(worker=idle)
    make_session(make_programme(org), starts_at=datetime.now(UTC) + timedelta(days=365))  # a year ahead
    db.session.commit()
    login_as(idle)
    page = client.get(f"/p/{secret}").get_data(as_text=True)
    assert "No session of yours is taking check-ins now" in page
    for private in ("Tobi", "Adeyemi", "Medical", "Must be collected", "No photos", "Check in"):
        assert private not in page, private


def test_a_pass_checks_in_only_to_a_session_taking_check_ins(client, db, login_as):
    worker, org, session, yp, secret = _now_session(db)
    next_year = make_session(session.programme, starts_at=session.starts_at + timedelta(days=365))
    db.session.commit()
    login_as(worker)
    assert f'value="{next_year.id}"' not in client.get(f"/p/{secret}").get_data(as_text=True)
    response = client.post(f"/p/{secret}/check-in", data={"session_id": next_year.id, "walk_in": "1"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "opens at" in page and "Tobi" not in page
    assert db.session.execute(select(Attendance)).first() is None


def test_a_pass_shown_at_another_partners_door_lets_them_check_in_a_walk_in(client, db, login_as):
    _, _, _, yp, secret = _now_session(db)
    other = make_user("other.door@example.org")
    org = make_org(worker=other)
    theirs = make_session(make_programme(org, "Open Gym", min_age=8, max_age=18),
                          starts_at=datetime.now(UTC) - timedelta(minutes=5))
    db.session.commit()
    login_as(other)
    page = client.get(f"/p/{secret}").get_data(as_text=True)
    assert "Open Gym" in page and "Friday Club" not in page and "Check in as walk-in" in page
    assert client.post(f"/p/{secret}/check-in", data={"session_id": theirs.id, "walk_in": "1"}).status_code == 200
    att = db.session.execute(select(Attendance)).scalar_one()
    assert (att.session_id, att.young_person_id, att.method) == (theirs.id, yp.id, "walk_in")


# Issue 16 point 4: a worker opening a pass with the phone's own camera sees the state first.

def test_a_worker_sees_in_since_instead_of_a_check_in_button_for_someone_already_in(client, db, login_as):
    worker, org, session, yp, secret = _now_session(db)
    registration.book_place(yp, session.programme, session, now=datetime.now(UTC) - timedelta(days=1))
    login_as(worker)
    checkin.check_in_by_pass(secret, session, by=worker)
    att = db.session.execute(select(Attendance)).scalar_one()
    page = client.get(f"/p/{secret}").get_data(as_text=True)
    in_at = to_local(att.checked_in_at, org.timezone).strftime("%H:%M")
    assert f"In since {in_at}" in page
    assert "Check in Tobi" not in page and "Check in as walk-in" not in page
    assert page.index(f"In since {in_at}") < page.index("Friday Club")  # the state before the session's name
    assert f"/attendances/{att.id}/check-out" in page

    checkin.check_out(att, by=worker, collected_by="Mum")
    page = client.get(f"/p/{secret}").get_data(as_text=True)
    assert "Left at" in page and "In since" not in page and "check-out" not in page


def test_a_worker_never_sees_another_organisations_register_on_a_pass(client, db, login_as):
    worker, org, session, yp, secret = _now_session(db)
    checkin.check_in_by_pass(secret, session, by=worker, walk_in=True)  # in at the first partner's session
    other = make_user("other.worker@example.org")
    theirs = make_session(make_programme(make_org(worker=other), "Open Gym", min_age=8, max_age=18),
                          starts_at=datetime.now(UTC) - timedelta(minutes=5))
    db.session.commit()
    login_as(other)
    page = client.get(f"/p/{secret}").get_data(as_text=True)
    assert "Open Gym" in page and "Friday Club" not in page
    assert "In since" not in page and "Check in as walk-in" in page
    assert f'name="session_id" value="{theirs.id}"' in page and f'name="session_id" value="{session.id}"' not in page
