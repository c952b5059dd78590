"""Check-in rules, one per test, each asserting the outcome's code and colour."""
from datetime import date, datetime, timedelta

import pytest

from outreach.errors import DomainError
from outreach.services import checkin, passes, registration
from outreach.timeutil import UTC
from tests.factories import make_org, make_programme, make_session, make_young_person

START = datetime(2026, 11, 27, 18, 0, tzinfo=UTC)
AT_DOOR = START + timedelta(minutes=2)


@pytest.fixture()
def door(db):
    programme = make_programme(make_org(), registration_mode="per_session", min_age=10, max_age=16, capacity=5)
    session = make_session(programme, starts_at=START)
    yp = make_young_person("Ayo", dob=date(2013, 4, 4), medical_notes="Asthma", may_go_home_alone=False)
    secret = passes.ensure_pass(yp).secret
    return programme, session, yp, secret


def book(yp, programme, session):
    return registration.book_place(yp, programme, session, now=START - timedelta(days=2))


def test_booked_pass_is_green_with_flags(door):
    programme, session, yp, secret = door
    book(yp, programme, session)
    result = checkin.check_in_by_pass(f"https://x.example/p/{secret}", session, now=AT_DOOR)
    assert (result.status, result.code) == ("ok", "checked_in")
    assert result.attendance.method == "qr"
    assert "Medical or allergy note" in result.flags and "Must be collected" in result.flags


def test_second_scan_is_amber_with_the_time(door):
    programme, session, yp, secret = door
    book(yp, programme, session)
    checkin.check_in_by_pass(secret, session, now=AT_DOOR)
    result = checkin.check_in_by_pass(secret, session, now=AT_DOOR + timedelta(minutes=5))
    assert (result.status, result.code) == ("warn", "already_checked_in")
    assert "18:02" in result.message  # 18:02 UTC is 18:02 in London in November


def test_same_client_ref_replayed_is_a_no_op(door, db):
    programme, session, yp, secret = door
    book(yp, programme, session)
    first = checkin.check_in_by_pass(secret, session, client_ref="scan-1", now=AT_DOOR)
    again = checkin.check_in_by_pass(secret, session, client_ref="scan-1", now=AT_DOOR)
    assert (again.status, again.attendance.id) == ("ok", first.attendance.id)


def test_unknown_pass_is_red(door):
    _, session, _, _ = door
    assert checkin.check_in_by_pass("nonsense", session, now=AT_DOOR).code == "unknown_pass"


def test_revoked_pass_is_red(door):
    programme, session, yp, secret = door
    book(yp, programme, session)
    passes.reissue_pass(yp)
    result = checkin.check_in_by_pass(secret, session, now=AT_DOOR)
    assert (result.status, result.code) == ("error", "revoked_pass")


def test_cancelled_session_is_red(door):
    programme, session, yp, secret = door
    book(yp, programme, session)
    session.status = "cancelled"
    assert checkin.check_in_by_pass(secret, session, now=AT_DOOR).code == "session_cancelled"


def test_outside_age_range_is_red(door):
    _, session, _, _ = door
    old = make_young_person(dob=date(2005, 1, 1))
    result = checkin.check_in_by_pass(passes.ensure_pass(old).secret, session, now=AT_DOOR)
    assert (result.status, result.code) == ("error", "outside_age_range")


def test_not_booked_is_amber_and_walk_in_checks_them_in(door):
    _, session, _, secret = door
    result = checkin.check_in_by_pass(secret, session, now=AT_DOOR)
    assert (result.status, result.code, result.can_walk_in) == ("warn", "not_booked", True)
    walk = checkin.check_in_by_pass(secret, session, walk_in=True, now=AT_DOOR)
    assert (walk.code, walk.attendance.method) == ("checked_in", "walk_in")


def test_waitlisted_is_amber(door):
    programme, session, yp, secret = door
    session.capacity = 0
    book(yp, programme, session)
    assert checkin.check_in_by_pass(secret, session, now=AT_DOOR).code == "waitlisted"


def test_booked_on_another_session_is_amber(door):
    programme, session, yp, secret = door
    other = make_session(programme, starts_at=START + timedelta(days=7))
    book(yp, programme, other)
    assert checkin.check_in_by_pass(secret, session, now=AT_DOOR).code == "other_session"


def test_drop_in_needs_no_booking(db):
    programme = make_programme(make_org(), registration_mode="drop_in", min_age=10, max_age=16)
    session = make_session(programme, starts_at=START)
    yp = make_young_person(dob=date(2013, 1, 1))
    assert checkin.check_in_by_pass(passes.ensure_pass(yp).secret, session, now=AT_DOOR).status == "ok"


def test_undo_removes_the_attendance(door, db):
    programme, session, yp, secret = door
    book(yp, programme, session)
    result = checkin.check_in_by_pass(secret, session, now=AT_DOOR)
    checkin.undo_check_in(result.attendance)
    assert checkin.check_in_by_pass(secret, session, now=AT_DOOR).code == "checked_in"


def test_going_home_alone_needs_that_consent(door):
    programme, session, yp, secret = door
    book(yp, programme, session)
    att = checkin.check_in_by_pass(secret, session, now=AT_DOOR).attendance
    with pytest.raises(DomainError) as err:
        checkin.check_out(att, went_home_alone=True, now=AT_DOOR + timedelta(hours=2))
    assert err.value.code == "no_home_alone_consent"


def test_check_out_needs_a_collector(door):
    programme, session, yp, secret = door
    book(yp, programme, session)
    att = checkin.check_in_by_pass(secret, session, now=AT_DOOR).attendance
    with pytest.raises(DomainError) as err:
        checkin.check_out(att, collected_by="  ", now=AT_DOOR)
    assert err.value.code == "collector_required"
    checkin.check_out(att, collected_by="Mum (Bisi)", now=AT_DOOR + timedelta(hours=2))
    assert att.collected_by == "Mum (Bisi)" and att.checked_out_at == AT_DOOR + timedelta(hours=2)


def test_scanned_url_or_secret_give_the_same_secret():
    assert checkin.secret_from_scan("https://o.example/p/AbC_-1?x=1") == "AbC_-1"
    assert checkin.secret_from_scan(" AbC_-1 ") == "AbC_-1"


def test_today_keeps_a_late_session_that_runs_past_midnight(db):
    org = make_org()
    programme = make_programme(org)
    late = make_session(programme, starts_at=datetime(2026, 11, 27, 23, 0, tzinfo=UTC), hours=2)   # 23:00-01:00
    evening = make_session(programme, starts_at=datetime(2026, 11, 27, 18, 0, tzinfo=UTC))        # ended at 20:00
    tonight = make_session(programme, starts_at=datetime(2026, 11, 28, 18, 0, tzinfo=UTC))
    tomorrow = make_session(programme, starts_at=datetime(2026, 11, 29, 18, 0, tzinfo=UTC))
    after_midnight = datetime(2026, 11, 28, 0, 30, tzinfo=UTC)  # London is on UTC in November

    listed = checkin.todays_sessions(org, after_midnight, "Europe/London")

    assert [s.id for s in listed] == [late.id, tonight.id]
    assert evening not in listed and tomorrow not in listed
