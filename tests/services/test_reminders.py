from datetime import datetime, timedelta

from outreach.services import registration, reminders
from outreach.timeutil import UTC
from tests.factories import make_org, make_programme, make_session, make_user, make_young_person

NOW = datetime(2026, 11, 26, 17, 0, tzinfo=UTC)


def _booked(capacity=5, starts_in=timedelta(hours=25)):
    programme = make_programme(make_org(), capacity=capacity, min_age=8, max_age=18)
    session = make_session(programme, starts_at=NOW + starts_in)
    child = make_young_person(guardian=make_user())
    registration.book_place(child, programme, session, now=NOW - timedelta(days=3))
    return session, child


def test_tomorrows_booked_get_one_reminder_even_when_run_twice(app, db, outbox):
    _booked()
    assert reminders.send_due_reminders(_listener(), now=NOW) == 1
    assert reminders.send_due_reminders(_listener(), now=NOW + timedelta(hours=1)) == 0
    assert [m["subject"] for m in outbox() if m["subject"].startswith("Tomorrow")] != []


def test_sessions_next_week_are_not_reminded_yet(db):
    _booked(starts_in=timedelta(days=6))
    assert reminders.due_reminders(NOW) == []


def test_waitlisted_are_not_reminded(db):
    session, _ = _booked(capacity=1)
    extra = make_young_person(guardian=make_user())
    registration.book_place(extra, session.programme, session, now=NOW - timedelta(days=2))
    assert len(reminders.due_reminders(NOW)) == 1


def test_enrolled_young_people_are_reminded_of_each_session(db):
    programme = make_programme(make_org(), registration_mode="enrol", min_age=8, max_age=18)
    make_session(programme, starts_at=NOW + timedelta(hours=25))
    child = make_young_person(guardian=make_user())
    registration.book_place(child, programme, now=NOW)
    assert [d.young_person_id for d in reminders.due_reminders(NOW)] == [child.id]


def _listener():
    from outreach.listeners import send_reminder
    return send_reminder
