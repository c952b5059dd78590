"""Programmes and sessions: weekly rules across clock changes, skips, cancelling."""
from datetime import date, datetime, time, timedelta

import pytest

from outreach.errors import ConflictError, PermissionDeniedError, ValidationError
from outreach.models import ProgrammeSession
from outreach.services import programmes, registration
from outreach.services.programmes import SessionTimes, WeeklyRule
from outreach.timeutil import UTC, to_local
from tests.factories import make_org, make_programme, make_session, make_user, make_young_person

NOW = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)


@pytest.fixture()
def programme(db):
    org = make_org(lead=make_user())
    return make_programme(org, is_published=False, capacity=10)


def test_weekly_rule_keeps_local_time_across_the_october_clock_change(programme):
    rule = WeeklyRule(weekday=2, start=time(18, 0), end=time(19, 30), first_date=date(2026, 10, 1),
                      last_date=date(2026, 11, 15))
    made = programmes.generate(programme, rule, by=None, now=NOW)
    local = [to_local(s.starts_at, "Europe/London") for s in made]
    assert all(d.weekday() == 2 for d in local)
    assert {(d.hour, d.minute) for d in local} == {(18, 0)}
    # 18:00 BST is 17:00 UTC; 18:00 GMT is 18:00 UTC.
    assert made[0].starts_at.hour == 17 and made[-1].starts_at.hour == 18
    assert [d.date() for d in local][0] == date(2026, 10, 7)
    assert len(made) == 6


def test_skip_dates_and_rerunning_add_nothing_twice(programme):
    skips = programmes.parse_skip_dates("2026-10-28\n04/11/2026")
    rule = WeeklyRule(2, time(18), time(20), date(2026, 10, 1), date(2026, 11, 15), skips)
    plan = programmes.plan(programme, rule, now=NOW)
    assert [p.day for p in plan if p.skipped] == [date(2026, 10, 28), date(2026, 11, 4)]
    made = programmes.generate(programme, rule, by=None, now=NOW)
    assert len(made) == 4
    with pytest.raises(ValidationError) as err:
        programmes.generate(programme, rule, by=None, now=NOW)
    assert err.value.code == "nothing_to_add"
    assert all(p.exists or p.skipped for p in programmes.plan(programme, rule, now=NOW))


def test_rule_refuses_nonsense(programme):
    with pytest.raises(ValidationError):
        programmes.plan(programme, WeeklyRule(0, time(20), time(18), date(2026, 10, 1), date(2026, 10, 30)), now=NOW)
    with pytest.raises(ValidationError):
        programmes.plan(programme, WeeklyRule(0, time(18), time(20), date(2026, 10, 30), date(2026, 10, 1)), now=NOW)
    with pytest.raises(ValidationError) as err:
        programmes.plan(programme, WeeklyRule(0, time(18), time(20), date(2026, 10, 1), date(2029, 10, 1)), now=NOW)
    assert err.value.code == "too_many_sessions"
    with pytest.raises(ValidationError):
        programmes.parse_skip_dates("half term")


def test_sessions_are_stored_in_utc_and_shown_in_the_org_zone(programme, db):
    programme.organisation.timezone = "America/New_York"
    s = programmes.add_session(programme, SessionTimes(date(2026, 12, 3), time(17), time(19)), by=None, now=NOW)
    assert s.starts_at == datetime(2026, 12, 3, 22, 0, tzinfo=UTC)
    db.session.expire_all()
    again = db.session.get(ProgrammeSession, s.id)
    assert again.starts_at.tzinfo is not None and again.starts_at.hour == 22


def test_publish_needs_approval_and_an_upcoming_session(db):
    lead = make_user()
    pending = make_org(status="pending", lead=lead)
    p = make_programme(pending, is_published=False)
    make_session(p)
    with pytest.raises(PermissionDeniedError):
        programmes.publish(p, by=lead)
    approved = make_org(lead=lead, safeguarding_lead=lead)
    empty = make_programme(approved, is_published=False)
    with pytest.raises(ConflictError) as err:
        programmes.publish(empty, by=lead)
    assert err.value.code == "no_upcoming_sessions"


def test_capacity_cannot_drop_below_bookings(programme, db):
    programme.registration_mode, programme.is_published = "enrol", True
    make_session(programme)
    for _ in range(3):
        registration.book_place(make_young_person(dob=date(2012, 1, 1)), programme)
    details = programmes.ProgrammeDetails(
        title="T", category="sport", venue_name="V", venue_address="A", postcode_district="M1",
        min_age=10, max_age=16, capacity=2, registration_mode="enrol")
    with pytest.raises(ConflictError) as err:
        programmes.update(programme, details, by=None)
    assert err.value.code == "capacity_below_bookings"


def test_cancelling_a_session_cancels_its_bookings_and_keeps_enrolments(db):
    org = make_org(lead=make_user())
    per = make_programme(org, registration_mode="per_session")
    s = make_session(per)
    reg = registration.book_place(make_young_person(dob=date(2012, 1, 1)), per, s)
    told = programmes.cancel_session(s, reason="Hall flooded", by=make_user())
    assert [r.id for r in told] == [reg.id] and reg.status == "cancelled"
    assert s.status == "cancelled" and s.cancel_reason == "Hall flooded"

    course = make_programme(org, registration_mode="enrol")
    s1, _ = make_session(course), make_session(course, starts_at=datetime.now(UTC) + timedelta(days=14))
    enrolment = registration.book_place(make_young_person(dob=date(2012, 1, 1)), course)
    told = programmes.cancel_session(s1, reason="Staff training", by=make_user())
    assert [r.id for r in told] == [enrolment.id] and enrolment.status == "confirmed"
    with pytest.raises(ConflictError):
        programmes.cancel_session(s1, reason="again", by=make_user())


@pytest.mark.parametrize("sessions", [0, -1, 1201])
def test_regular_sessions_must_be_a_sensible_number_or_none(programme, sessions):
    details = programmes.ProgrammeDetails(
        title="T", category="sport", venue_name="V", venue_address="A", postcode_district="M1",
        min_age=10, max_age=16, capacity=10, registration_mode="per_session", regular_sessions=sessions)
    with pytest.raises(ValidationError) as err:
        programmes.update(programme, details, by=None)
    assert (err.value.code, err.value.field) == ("invalid_regular_sessions", "regular_sessions")
    assert programme.regular_sessions is None
