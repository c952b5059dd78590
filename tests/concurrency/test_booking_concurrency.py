"""No overbooking and a gap-free waiting list, with requests that really race.

Runs on whichever database the suite runs on (SQLite by default, PostgreSQL
with TEST_DATABASE_URL), against the app served over HTTP.
"""
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from outreach.extensions import db
from outreach.models import AuditEvent, Registration
from outreach.services import registration
from outreach.timeutil import UTC
from tests.concurrency.helpers import post_all_at_once, session_cookie
from tests.factories import make_org, make_programme, make_session, make_user, make_young_person

pytestmark = pytest.mark.concurrency


def _families(n):
    out = []
    for i in range(n):
        guardian = make_user(f"parent{i}@example.org")
        out.append((guardian, make_young_person(f"Child{i}", dob=date(2013, 1, 1), guardian=guardian)))
    return out


def _bookings(app, programme, session, families):
    """One booking request per family for this session, each from the guardian's own login."""
    path = f"/activities/{programme.id}/book"
    return [(path, {"young_person_id": child.id, "session_id": session.id}, session_cookie(app, guardian))
            for guardian, child in families]


def test_sixty_bookings_at_once_for_ten_places(live_server):
    app = live_server.app
    with app.app_context():
        programme = make_programme(make_org(), capacity=10, min_age=8, max_age=18)
        session = make_session(programme, starts_at=datetime.now(UTC) + timedelta(days=3))
        families = _families(60)
        db.session.commit()
        requests = _bookings(app, programme, session, families)
        session_id = session.id

    statuses = post_all_at_once(live_server.url, requests)

    assert statuses == [302] * 60, f"not every booking got its redirect: {statuses}"
    with app.app_context():
        regs = db.session.execute(select(Registration).where(Registration.session_id == session_id)).scalars().all()
        confirmed = [r for r in regs if r.status == "confirmed"]
        waiting = [r for r in regs if r.status == "waitlisted"]
        assert (len(confirmed), len(waiting)) == (10, 50)
        assert sorted(registration.waitlist_position(r) for r in waiting) == list(range(1, 51))


def test_two_cancellations_at_once_promote_exactly_the_first_two(live_server):
    app = live_server.app
    with app.app_context():
        programme = make_programme(make_org(), capacity=3, min_age=8, max_age=18)
        session = make_session(programme, starts_at=datetime.now(UTC) + timedelta(days=3))
        families = _families(6)
        base = datetime.now(UTC)
        regs = [registration.book_place(child, programme, session, now=base + timedelta(seconds=i))
                for i, (_, child) in enumerate(families)]
        assert [r.status for r in regs] == ["confirmed"] * 3 + ["waitlisted"] * 3
        requests = [(f"/family/bookings/{regs[i].id}/cancel", {"confirm": "y"}, session_cookie(app, families[i][0]))
                    for i in (0, 1)]
        ids = [r.id for r in regs]

    statuses = post_all_at_once(live_server.url, requests)

    assert statuses == [302, 302]
    with app.app_context():
        status = {r.id: r.status for r in db.session.execute(
            select(Registration).where(Registration.id.in_(ids))).scalars()}
        assert [status[i] for i in ids] == ["cancelled", "cancelled", "confirmed", "confirmed", "confirmed",
                                            "waitlisted"]


def test_bookings_racing_a_cancellation_are_refused_or_cancelled_with_it(live_server):
    """Nobody ends up booked on a cancelled session, and everyone booked before it was is told."""
    app = live_server.app
    with app.app_context():
        lead = make_user("lead@race.example.org")
        org = make_org("Race Club", slug="race", lead=lead)
        programme = make_programme(org, capacity=50, min_age=8, max_age=18)
        session = make_session(programme, starts_at=datetime.now(UTC) + timedelta(days=3))
        families = _families(30)
        db.session.commit()
        requests = _bookings(app, programme, session, families)
        cancel = f"/org/race/programmes/{programme.id}/sessions/{session.id}/cancel"
        requests.insert(15, (cancel, {"reason": "Hall flooded"}, session_cookie(app, lead)))
        session_id = session.id

    statuses = post_all_at_once(live_server.url, requests)

    assert statuses[15] == 302, statuses
    assert all(s in (200, 302) for s in statuses), statuses
    with app.app_context():
        live = db.session.execute(select(Registration).where(
            Registration.session_id == session_id, Registration.status != "cancelled")).scalars().all()
        assert live == []
        told = next(e for e in db.session.execute(select(AuditEvent).where(
            AuditEvent.action == "session.cancelled")).scalars())
        cancelled = db.session.scalar(select(func.count()).select_from(Registration).where(
            Registration.session_id == session_id, Registration.status == "cancelled"))
        assert told.detail["told"] == cancelled

