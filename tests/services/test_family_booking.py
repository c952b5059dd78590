"""A family books several young people at once (registration.book_places): one rule per test."""
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from outreach.extensions import db as _db
from outreach.models import OutgoingMessage, Registration
from outreach.services import registration
from outreach.services.one_time import AlreadySavedError
from tests.factories import make_org, make_programme, make_session, make_user, make_young_person
from tests.services.test_registration import NEXT_WEEK, NOW, code_of

TOKEN = "a" * 24


@pytest.fixture()
def family(db):
    guardian = make_user("amara@example.org")
    kids = {name: make_young_person(name, dob=date(2026 - age, 1, 1), guardian=guardian)
            for name, age in (("Ada", 12), ("Ben", 13), ("Cal", 17))}
    db.session.commit()
    return guardian, kids


def _per_session(capacity, **kw):
    programme = make_programme(make_org(), registration_mode="per_session", capacity=capacity, min_age=10,
                               max_age=14, **kw)
    session = make_session(programme, starts_at=NEXT_WEEK)
    _db.session.commit()
    return programme, session


def _count(db, **where):
    return db.session.scalar(select(func.count()).select_from(Registration).filter_by(**where))


def test_one_placed_one_waiting_one_outside_the_age_range(db, family):
    guardian, kids = family
    programme, session = _per_session(capacity=1)
    results = registration.book_places([kids["Ada"], kids["Ben"], kids["Cal"]], programme, session,
                                       booked_by=guardian, now=NOW)
    assert [(r.young_person.first_name, r.status, r.code) for r in results] == [
        ("Ada", "confirmed", None), ("Ben", "waitlisted", None), ("Cal", "refused", "outside_age_range")]
    assert results[1].waitlist_position == 1
    assert "ages 10 to 14" in results[2].message and "Cal will be 17" in results[2].message
    assert _count(db, session_id=session.id) == 2
    assert all(r.created_by_id == guardian.id for r in db.session.scalars(select(Registration)))


def test_places_go_in_the_order_given_and_capacity_holds(db, family):
    guardian, kids = family
    programme, session = _per_session(capacity=1)
    results = registration.book_places([kids["Ben"], kids["Ada"]], programme, session, booked_by=guardian, now=NOW)
    assert [(r.young_person.first_name, r.status) for r in results] == [("Ben", "confirmed"), ("Ada", "waitlisted")]
    assert _count(db, session_id=session.id, status="confirmed") == 1


def test_a_child_already_booked_is_refused_alone(db, family):
    guardian, kids = family
    programme, session = _per_session(capacity=5)
    registration.book_place(kids["Ada"], programme, session, now=NOW)
    results = registration.book_places([kids["Ada"], kids["Ben"]], programme, session, booked_by=guardian, now=NOW)
    assert [(r.status, r.code) for r in results] == [("refused", "already_booked"), ("confirmed", None)]
    assert _count(db, session_id=session.id) == 2


def test_a_course_books_the_whole_programme_for_each_child(db, family):
    guardian, kids = family
    course = make_programme(make_org(), registration_mode="enrol", capacity=2, min_age=10, max_age=14)
    for week in range(3):
        make_session(course, starts_at=NEXT_WEEK + timedelta(days=7 * week))
    results = registration.book_places([kids["Ada"], kids["Ben"]], course, booked_by=guardian, now=NOW)
    assert [r.status for r in results] == ["confirmed", "confirmed"]
    assert _count(db, programme_id=course.id) == 2


def test_a_cancelled_session_refuses_everyone_and_writes_nothing(db, family):
    guardian, kids = family
    programme, session = _per_session(capacity=5)
    session.status = "cancelled"
    db.session.commit()
    assert code_of(lambda: registration.book_places([kids["Ada"], kids["Ben"]], programme, session,
                                                    booked_by=guardian, once=TOKEN, now=NOW)) == "session_cancelled"
    assert _count(db) == 0


def test_the_same_form_sent_twice_books_once(db, family):
    guardian, kids = family
    programme, session = _per_session(capacity=5)
    registration.book_places([kids["Ada"], kids["Ben"]], programme, session, booked_by=guardian, once=TOKEN, now=NOW)
    with pytest.raises(AlreadySavedError):
        registration.book_places([kids["Ada"], kids["Ben"]], programme, session, booked_by=guardian, once=TOKEN,
                                 now=NOW)
    assert _count(db) == 2


def test_nobody_booked_leaves_the_token_unused_for_the_next_try(db, family):
    guardian, kids = family
    programme, session = _per_session(capacity=5)
    [refused] = registration.book_places([kids["Cal"]], programme, session, booked_by=guardian, once=TOKEN, now=NOW)
    assert refused.code == "outside_age_range" and _count(db) == 0
    [booked] = registration.book_places([kids["Ada"]], programme, session, booked_by=guardian, once=TOKEN, now=NOW)
    assert booked.status == "confirmed"


def test_each_confirmed_child_gets_its_email_in_the_same_transaction(db, family):
    guardian, kids = family
    programme, session = _per_session(capacity=1)
    registration.book_places([kids["Ada"], kids["Ben"]], programme, session, booked_by=guardian, now=NOW)
    messages = db.session.scalars(select(OutgoingMessage)).all()
    assert [(m.kind, m.recipient) for m in messages] == [("booking_confirmed", "amara@example.org")]
    assert "Ada" in messages[0].text


def test_eligibility_says_why_before_anything_is_sent(db, family):
    guardian, kids = family
    programme, session = _per_session(capacity=5)
    registration.book_place(kids["Ben"], programme, session, now=NOW)
    seen = registration.eligibility(list(kids.values()), programme, session, now=NOW)
    assert seen[kids["Ada"].id] is None
    assert seen[kids["Ben"].id] == "Ben is already booked on this."
    assert "ages 10 to 14" in seen[kids["Cal"].id]
