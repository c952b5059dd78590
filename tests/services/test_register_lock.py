"""Registers that stay true: after the lock, every change needs a reason and is audited.
One rule per test, asserting the code."""
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from outreach.errors import DomainError
from outreach.models import Attendance, AuditEvent
from outreach.services import checkin, passes, registration
from outreach.services.register_lock import RegisterLock
from outreach.timeutil import UTC
from tests.factories import make_org, make_programme, make_session, make_user, make_young_person

START = datetime(2026, 11, 27, 18, 0, tzinfo=UTC)
LOCK = RegisterLock(after=timedelta(days=2))            # locks at 20:00 on Sun 29 Nov
LATE = START + timedelta(days=3)                          # a day after the lock
# A window wider than the lock, so a check-in after the lock reaches the lock's rule at all (with
# the default settings the window closes 3 hours after the session, long before any lock).
WIDE = checkin.CheckinWindow(closes_after=timedelta(days=10))


@pytest.fixture()
def door(db):
    worker = make_user("worker@lock.example.org")
    programme = make_programme(make_org(worker=worker), registration_mode="per_session", min_age=10, max_age=16)
    session = make_session(programme, starts_at=START)
    yp = make_young_person("Ayo", dob=date(2013, 4, 4), may_go_home_alone=False)
    secret = passes.ensure_pass(yp).secret
    registration.book_place(yp, programme, session, now=START - timedelta(days=2))
    return {"worker": worker, "session": session, "yp": yp, "secret": secret}


def attended(door, at=START + timedelta(minutes=5)):
    return checkin.check_in_by_pass(door["secret"], door["session"], by=door["worker"], now=at).attendance


def changes(db):
    return db.session.execute(select(AuditEvent).where(AuditEvent.action == "register.changed_after_lock")
                              .order_by(AuditEvent.id)).scalars().all()


def test_the_lock_is_a_set_time_after_the_session_ends(door):
    s = door["session"]
    assert LOCK.locks_at(s) == s.ends_at + timedelta(days=2)
    assert not LOCK.is_locked(s, s.ends_at + timedelta(days=2) - timedelta(seconds=1))
    assert LOCK.is_locked(s, s.ends_at + timedelta(days=2))
    assert RegisterLock.from_settings({"REGISTER_LOCK_DAYS": 7}).after == timedelta(days=7)


def test_before_the_lock_no_reason_is_needed(door, db):
    attendance = attended(door)
    checkin.check_out(attendance, by=door["worker"], collected_by="Mum", now=START + timedelta(hours=2), lock=LOCK)
    assert changes(db) == []


def test_check_out_after_the_lock_without_a_reason_is_refused(door, db):
    attendance = attended(door)
    with pytest.raises(DomainError) as err:
        checkin.check_out(attendance, by=door["worker"], collected_by="Mum", now=LATE, lock=LOCK)
    assert (err.value.code, err.value.field) == ("register_locked", "reason")
    assert "locked on Sun 29 Nov 2026 at 20:00" in err.value.message and "give a reason" in err.value.message
    db.session.rollback()
    assert db.session.get(Attendance, attendance.id).checked_out_at is None


def test_check_out_after_the_lock_with_a_reason_is_saved_and_audited(door, db):
    attendance = attended(door)
    checkin.check_out(attendance, by=door["worker"], collected_by="Mum", now=LATE, lock=LOCK,
                      reason="  Forgot to check out at the door; Mum collected at 20:00  ")
    assert db.session.get(Attendance, attendance.id).collected_by == "Mum"
    [event] = changes(db)
    assert (event.actor_id, event.subject_type, event.subject_id) == (door["worker"].id, "ProgrammeSession",
                                                                      door["session"].id)
    assert event.detail == {"change": "check_out", "reason": "Forgot to check out at the door; Mum collected at 20:00",
                            "young_person_id": door["yp"].id, "attendance_id": attendance.id}


def test_undo_after_the_lock_needs_a_reason(door, db):
    attendance = attended(door)
    with pytest.raises(DomainError) as err:
        checkin.undo_check_in(attendance, by=door["worker"], now=LATE, lock=LOCK, reason="   ")
    assert err.value.code == "register_locked"
    db.session.rollback()
    assert db.session.get(Attendance, attendance.id) is not None
    assert checkin.undo_check_in(attendance, by=door["worker"], now=LATE, lock=LOCK, reason="Scanned his brother")
    assert db.session.get(Attendance, attendance.id) is None
    assert [(e.detail["change"], e.detail["reason"]) for e in changes(db)] == [("undo", "Scanned his brother")]
    undone = db.session.execute(select(AuditEvent).where(AuditEvent.action == "attendance.undone")).scalar_one()
    assert undone.detail["reason"] == "Scanned his brother"


def test_a_reason_too_long_is_refused(door, db):
    attendance = attended(door)
    with pytest.raises(DomainError) as err:
        checkin.undo_check_in(attendance, by=door["worker"], now=LATE, lock=LOCK, reason="x" * 501)
    assert err.value.code == "reason_too_long"


def test_check_in_after_the_lock_without_a_reason_is_red_and_names_no_one(door, db):
    result = checkin.check_in_by_pass(door["secret"], door["session"], by=door["worker"], now=LATE, window=WIDE,
                                      lock=LOCK)
    assert (result.status, result.code, result.young_person) == ("error", "register_locked", None)
    assert "give a reason" in result.message
    assert db.session.scalar(select(func.count()).select_from(Attendance)) == 0


def test_check_in_after_the_lock_with_a_reason_is_saved_and_audited(door, db):
    result = checkin.check_in_by_pass(door["secret"], door["session"], by=door["worker"], now=LATE, window=WIDE,
                                      lock=LOCK, reason="Paper register from the night")
    assert (result.status, result.code) == ("ok", "checked_in")
    [event] = changes(db)
    assert (event.detail["change"], event.detail["attendance_id"]) == ("check_in", result.attendance.id)


def test_with_the_default_window_a_check_in_after_the_lock_is_outside_the_window_anyway(door, db):
    result = checkin.check_in_by_pass(door["secret"], door["session"], by=door["worker"], now=LATE, lock=LOCK,
                                      reason="Paper register")
    assert result.code == "outside_checkin_window"
    assert changes(db) == []
