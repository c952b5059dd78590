"""Check-in rules, one per test, each asserting the outcome's code and colour."""
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from outreach.errors import DomainError
from outreach.models import Attendance, Registration, YoungPerson
from outreach.services import checkin, passes, registration
from outreach.timeutil import UTC
from tests.factories import make_org, make_programme, make_session, make_user, make_young_person

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


# ---------------------------------------------------------------- the check-in window

def test_a_session_a_year_ahead_takes_no_check_in_and_says_when_it_opens(door, db):
    programme, _, yp, secret = door
    next_year = make_session(programme, starts_at=START + timedelta(days=365))  # Sat 27 Nov 2027, 18:00
    book(yp, programme, next_year)
    result = checkin.check_in_by_pass(secret, next_year, now=AT_DOOR)
    assert (result.status, result.code, result.attendance) == ("error", "outside_checkin_window", None)
    assert "opens at 17:00 on Sat 27 Nov 2027" in result.message
    assert result.young_person is None and "young_person" not in result.as_dict()
    assert db.session.scalar(select(func.count()).select_from(Attendance)) == 0


@pytest.mark.parametrize("minutes_before,status", [(61, "error"), (59, "ok")])
def test_check_in_opens_an_hour_before_the_start(door, minutes_before, status):
    programme, session, yp, secret = door
    book(yp, programme, session)
    result = checkin.check_in_by_pass(secret, session, now=START - timedelta(minutes=minutes_before))
    assert result.status == status


@pytest.mark.parametrize("minutes_after_end,status", [(179, "ok"), (181, "error")])
def test_check_in_closes_three_hours_after_the_end(door, minutes_after_end, status):
    programme, session, yp, secret = door
    book(yp, programme, session)
    result = checkin.check_in_by_pass(secret, session, now=session.ends_at + timedelta(minutes=minutes_after_end))
    assert result.status == status
    if status == "error":
        assert result.code == "outside_checkin_window"
        assert "closed at 23:00 on Fri 27 Nov, 3 hours after it ended" in result.message


def test_the_window_comes_from_the_settings(door):
    programme, session, yp, secret = door
    book(yp, programme, session)
    window = checkin.CheckinWindow.from_settings({"CHECKIN_OPENS_MINUTES_BEFORE": 15,
                                                  "CHECKIN_CLOSES_HOURS_AFTER": 0.5})
    early = checkin.check_in_by_pass(secret, session, now=START - timedelta(minutes=20), window=window)
    assert early.code == "outside_checkin_window" and "15 minutes before it starts" in early.message
    late = checkin.check_in_by_pass(secret, session, now=session.ends_at + timedelta(minutes=31), window=window)
    assert late.code == "outside_checkin_window" and "30 minutes after it ended" in late.message
    assert checkin.check_in_by_pass(secret, session, now=START - timedelta(minutes=10), window=window).status == "ok"


def test_a_walk_in_outside_the_window_is_refused_and_nothing_is_written(door, db):
    programme, session, _, _ = door
    worker = make_user()
    before = db.session.scalar(select(func.count()).select_from(YoungPerson))
    with pytest.raises(DomainError) as err:
        checkin.walk_in(programme.organisation, worker, session, first_name="Dara", last_name="New",
                        date_of_birth=date(2013, 6, 1), guardian_name="Mo", guardian_phone="07700 900777",
                        now=START - timedelta(days=2))
    assert err.value.code == "outside_checkin_window" and "opens at 17:00 on Fri 27 Nov" in err.value.message
    assert db.session.scalar(select(func.count()).select_from(YoungPerson)) == before
    assert db.session.scalar(select(func.count()).select_from(Attendance)) == 0


def test_check_out_and_undo_still_work_after_the_window_closes(door, db):
    programme, session, yp, secret = door
    book(yp, programme, session)
    att = checkin.check_in_by_pass(secret, session, now=AT_DOOR).attendance
    next_day = session.ends_at + timedelta(hours=20)
    checkin.check_out(att, collected_by="Mum", now=next_day)
    assert att.checked_out_at == next_day
    assert checkin.undo_check_in(att, now=next_day) is True


def test_a_replayed_queue_after_the_window_closed_answers_as_before(door, db):
    programme, session, yp, secret = door
    book(yp, programme, session)
    first = checkin.check_in_by_pass(secret, session, client_ref="phone-1-scan-1", now=AT_DOOR)
    again = checkin.check_in_by_pass(secret, session, client_ref="phone-1-scan-1", now=START + timedelta(days=2))
    assert (again.code, again.attendance.id) == ("checked_in", first.attendance.id)


def test_sessions_taking_check_ins_follow_the_window(db):
    org = make_org()
    programme = make_programme(org)
    soon = make_session(programme, starts_at=START + timedelta(minutes=45))
    later = make_session(programme, starts_at=START + timedelta(hours=2))
    ended = make_session(programme, starts_at=START - timedelta(hours=6), hours=2)   # closed an hour ago
    open_late = make_session(programme, starts_at=START - timedelta(hours=4), hours=2)  # closes in an hour
    taking = checkin.sessions_taking_checkins([org.id], START)
    assert soon in taking and open_late in taking and later not in taking and ended not in taking


# ---------------------------------------------------------------- by name: only people the organisation knows

def test_by_name_a_young_person_the_organisation_does_not_know_is_not_found(door, db):
    _, session, _, _ = door
    stranger = make_young_person("Zed", dob=date(2013, 1, 1))
    elsewhere = make_programme(make_org(), min_age=10, max_age=16)
    registration.book_place(stranger, elsewhere, make_session(elsewhere, starts_at=START),
                            now=START - timedelta(days=1))  # another partner's booking is not this one's
    with pytest.raises(DomainError) as err:
        checkin.check_in_by_name(stranger, session, method="manual", walk_in=True, now=AT_DOOR)
    assert err.value.code == "not_known"
    assert db.session.scalar(select(func.count()).select_from(Attendance)) == 0


def test_by_name_someone_who_came_before_is_checked_in_as_a_walk_in(door, db):
    programme, session, _, _ = door
    regular = make_young_person("Rae", dob=date(2013, 1, 1))
    last_week = make_session(programme, starts_at=START - timedelta(days=7))
    db.session.add(Attendance(session_id=last_week.id, young_person_id=regular.id, method="qr",
                              checked_in_at=last_week.starts_at))
    amber = checkin.check_in_by_name(regular, session, method="manual", now=AT_DOOR)
    assert (amber.code, amber.can_walk_in) == ("not_booked", True)
    walk = checkin.check_in_by_name(regular, session, method="manual", walk_in=True, now=AT_DOOR)
    assert (walk.code, walk.attendance.method) == ("checked_in", "walk_in")


def test_what_makes_a_young_person_known_to_an_organisation(db):
    from outreach.privacy import is_known, known_young_people

    org, other = make_org(), make_org()
    programme, elsewhere = make_programme(org, registration_mode="enrol"), make_programme(other)
    cancelled, walked_in, attended, stranger, theirs = (make_young_person(n) for n in "CWASO")
    db.session.add(Registration(young_person_id=cancelled.id, programme_id=programme.id, status="cancelled",
                                cancelled_at=START))
    walked_in.created_by_organisation_id = org.id
    s = make_session(make_programme(org), starts_at=START)
    db.session.add(Attendance(session_id=s.id, young_person_id=attended.id, method="qr", checked_in_at=START))
    db.session.add(Registration(young_person_id=theirs.id, session_id=make_session(elsewhere).id, status="confirmed"))
    db.session.flush()
    known = set(db.session.execute(known_young_people(org.id)).scalars())
    assert known == {cancelled.id, walked_in.id, attended.id}
    assert [is_known(org.id, yp.id) for yp in (cancelled, walked_in, attended, stranger, theirs)] == [
        True, True, True, False, False]


# ---------------------------------------------------------------- issue 16 point 3: the time of an offline scan

def _offline(secret, session, scanned_at, arrived):
    return checkin.check_in_by_pass(secret, session, method="offline_sync", scanned_at=scanned_at, now=arrived)


def test_an_offline_scan_is_recorded_at_the_time_it_was_scanned_not_when_it_arrived(door, db):
    programme, session, yp, secret = door
    book(yp, programme, session)
    scanned = START + timedelta(minutes=4, seconds=30)
    result = _offline(secret, session, scanned, arrived=scanned + timedelta(hours=1))
    assert (result.status, result.code) == ("ok", "checked_in")
    db.session.expire_all()
    row = db.session.execute(select(Attendance)).scalar_one()
    assert (row.checked_in_at, row.phone_time_refused, row.method) == (scanned, None, "offline_sync")
    assert "18:04" in result.message and result.as_dict()["phone_clock_wrong"] is False


def test_an_offline_scan_sent_after_the_window_closed_still_lands_at_its_scan_time(door, db):
    programme, session, yp, secret = door
    book(yp, programme, session)
    scanned = START + timedelta(minutes=30)
    result = _offline(secret, session, scanned, arrived=session.ends_at + timedelta(hours=5))  # the next morning
    assert result.code == "checked_in" and result.attendance.checked_in_at == scanned


@pytest.mark.parametrize("phone_says", [
    AT_DOOR + timedelta(hours=1),                 # in the future
    START - timedelta(minutes=61),                # before check-in opened (an hour before the start)
    START + timedelta(hours=2, minutes=181),      # after it closed (three hours after the end)
    datetime(1, 1, 1, tzinfo=UTC),                # a phone that lost its clock
    datetime(9999, 12, 31, 23, 59, tzinfo=UTC),
])
def test_a_phone_time_in_the_future_or_outside_the_window_is_refused_and_the_servers_used(door, db, phone_says):
    programme, session, yp, secret = door
    book(yp, programme, session)
    result = _offline(secret, session, phone_says, arrived=AT_DOOR)
    assert (result.status, result.code) == ("ok", "checked_in")
    assert "clock is wrong" in result.message and result.as_dict()["phone_clock_wrong"] is True
    db.session.expire_all()
    row = db.session.execute(select(Attendance)).scalar_one()
    assert row.checked_in_at == AT_DOOR                    # the server's time on arrival
    assert row.phone_time_refused == phone_says            # and the phone's, kept for the register
    assert row.time_from_server_not_phone


def test_a_phone_a_minute_ahead_is_a_clock_not_a_wrong_one(door, db):
    programme, session, yp, secret = door
    book(yp, programme, session)
    result = _offline(secret, session, AT_DOOR + timedelta(seconds=60), arrived=AT_DOOR)
    assert result.attendance.checked_in_at == AT_DOOR and result.attendance.phone_time_refused is None


def test_a_wrong_phone_time_arriving_after_the_window_closed_is_refused_like_any_late_check_in(door, db):
    programme, session, yp, secret = door
    book(yp, programme, session)
    result = _offline(secret, session, datetime(2001, 1, 1, tzinfo=UTC), arrived=session.ends_at + timedelta(hours=4))
    assert (result.status, result.code) == ("error", "outside_checkin_window")
    assert db.session.execute(select(Attendance)).first() is None


def test_the_session_register_flags_a_time_from_the_server(door, db):
    from outreach.exports import session_register as register

    programme, session, yp, secret = door
    book(yp, programme, session)
    _offline(secret, session, AT_DOOR + timedelta(days=3), arrived=AT_DOOR)
    att = db.session.execute(select(Attendance)).scalar_one()
    assert register._notes(att) == register.WRONG_CLOCK_NOTE
    att.phone_time_refused = None
    assert register._notes(att) is None
