"""Booking pages for families: several children in one step, greyed children with the reason,
and "Add a child" from a booking page coming back to that booking with the child chosen."""
from datetime import date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from outreach.models import Registration, YoungPerson
from outreach.timeutil import UTC
from tests.factories import make_org, make_programme, make_session, make_user, make_young_person
from tests.web.test_family import CHILD


@pytest.fixture()
def guardian(db, login_as):
    user = make_user("paula@example.org", "Paula Holt")
    db.session.commit()
    login_as(user)
    return user


def _years_ago(n):
    today = date.today()
    return today.replace(year=today.year - n, day=min(today.day, 28))


@pytest.fixture()
def activity(db):
    programme = make_programme(make_org(), "Street Dance", registration_mode="per_session", capacity=1,
                               min_age=10, max_age=14)
    session = make_session(programme, starts_at=datetime.now(UTC) + timedelta(days=3))
    db.session.commit()
    return programme, session


def _registrations(db):
    return db.session.execute(select(Registration).order_by(Registration.id)).scalars().all()


def test_add_a_child_from_a_booking_page_comes_back_to_it_with_the_child_chosen(client, db, guardian, activity):
    programme, session = activity
    page = client.get(f"/activities/{programme.id}/book?session={session.id}", follow_redirects=True)
    html = page.get_data(as_text=True)
    assert "Add a child first" in html
    add_url = f"/family/children/new?next=/activities/{programme.id}/book?session%3D{session.id}"
    assert f'href="{add_url}"' in html.replace("&amp;", "&")
    response = client.post(add_url, data=CHILD)
    child = db.session.execute(select(YoungPerson)).scalar_one()
    where = urlsplit(response.headers["Location"])
    assert where.path == f"/activities/{programme.id}/book"
    assert parse_qs(where.query) == {"session": [str(session.id)], "child": [str(child.id)]}
    booking = client.get(response.headers["Location"], follow_redirects=True).get_data(as_text=True)
    assert f'id="young_person_id-{child.id}" value="{child.id}"\n               checked' in booking


@pytest.mark.parametrize("hostile", ["//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:x"])
def test_add_a_child_never_returns_to_another_site(client, db, guardian, hostile):
    response = client.post("/family/children/new?next=" + hostile, data=CHILD)
    assert response.status_code == 302 and response.headers["Location"] == "/family"


def test_two_children_booked_in_one_step_with_a_result_for_each(client, db, guardian, activity):
    programme, session = activity
    ada = make_young_person("Ada", dob=_years_ago(12), guardian=guardian)
    ben = make_young_person("Ben", dob=_years_ago(13), guardian=guardian)
    db.session.commit()
    response = client.post(f"/activities/{programme.id}/book",
                           data={"young_person_id": [ada.id, ben.id], "session_id": session.id})
    assert response.status_code == 302 and response.headers["Location"] == "/family"
    assert [(r.young_person_id, r.status) for r in _registrations(db)] == [(ada.id, "confirmed"), (ben.id, "waitlisted")]
    family = client.get("/family").get_data(as_text=True)
    assert "Ada has a place." in family and "Ben is on the waiting list at number 1" in family
    assert "Ada has a place." not in client.get("/family").get_data(as_text=True)  # said once


def test_a_child_outside_the_age_range_is_greyed_with_the_reason(client, db, guardian, activity):
    programme, session = activity
    ada = make_young_person("Ada", dob=_years_ago(12), guardian=guardian)
    cal = make_young_person("Cal", dob=_years_ago(17), guardian=guardian)
    db.session.commit()
    html = client.get(f"/activities/{programme.id}/book", follow_redirects=True).get_data(as_text=True)
    cal_box = html[html.index(f'id="young_person_id-{cal.id}"'):][:200]
    ada_box = html[html.index(f'id="young_person_id-{ada.id}"'):][:200]
    assert "disabled" in cal_box and "disabled" not in ada_box
    assert "Can't be booked: This programme is for ages 10 to 14; Cal will be 17" in html


def test_a_greyed_child_sent_anyway_is_refused_with_the_reason_and_the_other_booked(client, db, guardian, activity):
    programme, session = activity
    ada = make_young_person("Ada", dob=_years_ago(12), guardian=guardian)
    cal = make_young_person("Cal", dob=_years_ago(17), guardian=guardian)
    db.session.commit()
    client.post(f"/activities/{programme.id}/book",
                data={"young_person_id": [cal.id, ada.id], "session_id": session.id})
    assert [r.young_person_id for r in _registrations(db)] == [ada.id]
    family = client.get("/family").get_data(as_text=True)
    assert "Cal is not booked. This programme is for ages 10 to 14" in family


def test_another_familys_child_is_not_a_choice(client, db, guardian, activity):
    programme, session = activity
    ada = make_young_person("Ada", dob=_years_ago(12), guardian=guardian)
    stranger = make_young_person("Zed", dob=_years_ago(12), guardian=make_user())
    db.session.commit()
    response = client.post(f"/activities/{programme.id}/book",
                           data={"young_person_id": [ada.id, stranger.id], "session_id": session.id})
    assert response.status_code == 200 and "Zed" not in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 0


def test_the_error_summary_reads_naturally(client, db, guardian, activity):
    programme, session = activity
    make_young_person("Ada", dob=_years_ago(12), guardian=guardian)
    db.session.commit()
    html = client.post(f"/activities/{programme.id}/book", data={"session_id": session.id}).get_data(as_text=True)
    summary = html[html.index('class="error-summary"'):html.index("</ul>", html.index('class="error-summary"'))]
    assert "Choose who to book." in summary
    assert "?:" not in summary and "Who is this booking for?" not in summary


def test_the_same_booking_form_sent_twice_books_once(client, db, guardian, activity):
    programme, session = activity
    ada = make_young_person("Ada", dob=_years_ago(12), guardian=guardian)
    db.session.commit()
    form = {"young_person_id": ada.id, "session_id": session.id, "form_token": "t" * 24}
    assert client.post(f"/activities/{programme.id}/book", data=form).status_code == 302
    again = client.post(f"/activities/{programme.id}/book", data=form, follow_redirects=True)
    assert "This was already saved." in again.get_data(as_text=True)
    assert len(_registrations(db)) == 1


def test_my_family_shows_each_childs_attendance_per_programme(client, db, guardian):
    from outreach.models import Attendance

    programme = make_programme(make_org(), "Street Dance", registration_mode="per_session", min_age=8, max_age=18)
    ada = make_young_person("Ada", dob=_years_ago(12), guardian=guardian)
    held = [make_session(programme, starts_at=datetime.now(UTC) - timedelta(days=7 * n)) for n in (1, 2, 3)]
    for s in held:
        db.session.add(Registration(young_person_id=ada.id, session_id=s.id, status="confirmed",
                                    confirmed_at=s.starts_at - timedelta(days=1)))
    db.session.add(Attendance(session_id=held[0].id, young_person_id=ada.id, method="qr",
                              checked_in_at=held[0].starts_at))
    other = make_young_person("Zed", guardian=make_user())
    db.session.add(Attendance(session_id=held[1].id, young_person_id=other.id, method="qr",
                              checked_in_at=held[1].starts_at))
    db.session.commit()
    html = client.get("/family").get_data(as_text=True)
    card = html[html.index('id="child-%d"' % ada.id):]
    assert "Attendance" in card and "Street Dance" in card
    assert "Came to 1" in card and "Missed 2" in card
    assert card.count("✓ Came") == 1 and card.count("✗ Missed") == 2
    assert "Zed" not in html
