"""Booking rules, one per test."""
from datetime import date, datetime, timedelta

import pytest

from outreach.errors import DomainError
from outreach.services import registration
from outreach.timeutil import UTC
from tests.factories import make_org, make_programme, make_session, make_young_person

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
NEXT_WEEK = datetime(2026, 11, 27, 18, 0, tzinfo=UTC)


@pytest.fixture()
def org(db):
    return make_org()


def young(age_on_next_week=14, **kw):
    return make_young_person(dob=date(2026 - age_on_next_week, 1, 1), **kw)


def per_session(org, capacity=2, **kw):
    programme = make_programme(org, registration_mode="per_session", capacity=capacity, **kw)
    return programme, make_session(programme, starts_at=NEXT_WEEK)


def code_of(call):
    with pytest.raises(DomainError) as err:
        call()
    return err.value.code


def test_confirmed_while_places_last_then_waitlisted_in_order(org):
    programme, session = per_session(org, capacity=2)
    regs = [registration.book_place(young(), programme, session, now=NOW) for _ in range(4)]
    assert [r.status for r in regs] == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    assert [registration.waitlist_position(r) for r in regs[2:]] == [1, 2]


def test_enrol_books_the_programme_not_a_session(org):
    programme = make_programme(org, registration_mode="enrol", capacity=1)
    make_session(programme, starts_at=NEXT_WEEK)
    reg = registration.book_place(young(), programme, now=NOW)
    assert reg.programme_id == programme.id and reg.session_id is None and reg.status == "confirmed"


def test_drop_in_needs_no_booking(org):
    programme = make_programme(org, registration_mode="drop_in")
    make_session(programme, starts_at=NEXT_WEEK)
    assert code_of(lambda: registration.book_place(young(), programme, now=NOW)) == "no_booking_needed"


def test_outside_age_range_is_refused_with_the_range(org):
    programme, session = per_session(org, min_age=11, max_age=13)
    with pytest.raises(DomainError) as err:
        registration.book_place(young(16), programme, session, now=NOW)
    assert err.value.code == "outside_age_range" and "11 to 13" in err.value.message


def test_age_is_checked_on_the_session_date(org):
    programme, session = per_session(org, min_age=11, max_age=13)
    # Turns 11 on the day before the session: eligible then, though 10 today.
    yp = make_young_person(dob=date(2015, 11, 26))
    assert registration.book_place(yp, programme, session, now=NOW).status == "confirmed"


def test_cannot_book_twice(org):
    programme, session = per_session(org)
    yp = young()
    registration.book_place(yp, programme, session, now=NOW)
    assert code_of(lambda: registration.book_place(yp, programme, session, now=NOW)) == "already_booked"


def test_cancelled_session_is_refused(org):
    programme, session = per_session(org)
    session.status = "cancelled"
    assert code_of(lambda: registration.book_place(young(), programme, session, now=NOW)) == "session_cancelled"


def test_past_session_is_refused(org):
    programme, session = per_session(org)
    later = NEXT_WEEK + timedelta(hours=1)
    assert code_of(lambda: registration.book_place(young(), programme, session, now=later)) == "session_past"


def test_unpublished_programme_is_not_bookable(org):
    programme, session = per_session(org, is_published=False)
    assert code_of(lambda: registration.book_place(young(), programme, session, now=NOW)) == "not_bookable"


def test_cancellation_promotes_exactly_the_first_waiting(org):
    programme, session = per_session(org, capacity=1)
    first, second, third = (registration.book_place(young(), programme, session, now=NOW + timedelta(seconds=i))
                            for i in range(3))
    promoted = registration.cancel_booking(first, now=NOW)
    assert [r.id for r in promoted] == [second.id]
    assert (second.status, third.status) == ("confirmed", "waitlisted")
    assert registration.waitlist_position(third) == 1


def test_cancelling_a_waitlisted_booking_promotes_nobody(org):
    programme, session = per_session(org, capacity=1)
    registration.book_place(young(), programme, session, now=NOW)
    waiting = registration.book_place(young(), programme, session, now=NOW)
    assert registration.cancel_booking(waiting, now=NOW) == []


def test_cancel_twice_is_refused(org):
    programme, session = per_session(org)
    reg = registration.book_place(young(), programme, session, now=NOW)
    registration.cancel_booking(reg, now=NOW)
    assert code_of(lambda: registration.cancel_booking(reg, now=NOW)) == "already_cancelled"
