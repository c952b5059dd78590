"""A family's attendance history, counted by hand on a small fixture."""
from datetime import date, datetime, timedelta

from outreach.models import Attendance, Registration
from outreach.services import attendance_history
from outreach.timeutil import UTC
from tests.factories import make_org, make_programme, make_session, make_young_person

NOW = datetime(2026, 11, 20, 21, 0, tzinfo=UTC)


def _week(n):  # Fridays 18:00 UTC, n weeks before NOW's Friday
    return datetime(2026, 11, 20, 18, 0, tzinfo=UTC) - timedelta(weeks=n)


def test_attended_and_missed_per_programme(db):
    org = make_org()
    ada = make_young_person("Ada", dob=date(2013, 1, 1))
    course = make_programme(org, "Climbing", registration_mode="enrol")
    c = [make_session(course, starts_at=_week(n)) for n in (4, 3, 2, 1, 0)] + [
        make_session(course, starts_at=_week(-1))]  # next week: not held yet
    c[2].status = "cancelled"  # not held
    # Enrolled after the first session: offered weeks 3, 1 and 0 (2 cancelled, -1 to come).
    db.session.add(Registration(young_person_id=ada.id, programme_id=course.id, status="confirmed",
                                confirmed_at=_week(4) + timedelta(hours=3)))
    dance = make_programme(org, "Dance", registration_mode="per_session")
    d = [make_session(dance, starts_at=_week(n) - timedelta(days=1)) for n in (2, 1)]
    for s in d:
        db.session.add(Registration(young_person_id=ada.id, session_id=s.id, status="confirmed", confirmed_at=_week(5)))
    waiting = make_session(dance, starts_at=_week(3) - timedelta(days=1))
    db.session.add(Registration(young_person_id=ada.id, session_id=waiting.id, status="waitlisted",
                                waitlisted_at=_week(5)))  # no place: neither came nor missed
    drop = make_programme(org, "Youth Club", registration_mode="drop_in")
    club = make_session(drop, starts_at=_week(1) + timedelta(days=1, hours=-18))
    for s in (c[1], c[4], d[0], club):
        db.session.add(Attendance(session_id=s.id, young_person_id=ada.id, method="qr", checked_in_at=s.starts_at))
    db.session.commit()

    [history] = attendance_history.history_by_child([ada], now=NOW).values()
    got = {h.title: (h.attended, h.missed) for h in history}
    assert got == {"Climbing": (2, 1), "Dance": (1, 1), "Youth Club": (1, 0)}
    climbing = next(h for h in history if h.title == "Climbing")
    assert [(line.starts_at, line.attended) for line in climbing.sessions] == [
        (_week(0), True), (_week(1), False), (_week(3), True)]
    assert history[0].title == "Climbing"  # latest session first


def test_a_young_person_with_nothing_held_has_no_history(db):
    yp = make_young_person("New")
    programme = make_programme(make_org())
    s = make_session(programme, starts_at=NOW + timedelta(days=2))
    db.session.add(Registration(young_person_id=yp.id, session_id=s.id, status="confirmed", confirmed_at=NOW))
    db.session.commit()
    assert attendance_history.history_by_child([yp], now=NOW) == {yp.id: []}
