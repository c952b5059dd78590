"""Two guardians each book two children onto the last places at the same moment: exactly the
capacity is confirmed, and the rest wait in a gap-free list (SQLite and PostgreSQL)."""
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from outreach.extensions import db
from outreach.models import Registration
from outreach.services import registration
from outreach.timeutil import UTC
from tests.concurrency.helpers import post_all_at_once, session_cookie
from tests.factories import make_org, make_programme, make_session, make_user, make_young_person

pytestmark = pytest.mark.concurrency
ROUNDS = 6


def test_two_families_booking_the_last_places_at_once_end_with_exactly_the_capacity(live_server):
    app = live_server.app
    with app.app_context():
        programme = make_programme(make_org(), registration_mode="per_session", capacity=5, min_age=8, max_age=18)
        early = make_user("early@example.org")
        earlier = [make_young_person(f"Early{i}", dob=date(2013, 1, 1), guardian=early) for i in range(2)]
        families = []
        for name in ("amara", "bryn"):
            guardian = make_user(f"{name}@example.org")
            families.append((guardian, [make_young_person(f"{name.title()}{i}", dob=date(2013, 1, 1),
                                                          guardian=guardian) for i in range(2)]))
        sessions = [make_session(programme, starts_at=datetime.now(UTC) + timedelta(days=3 + n))
                    for n in range(ROUNDS)]
        db.session.commit()
        for s in sessions:  # 2 of 5 places taken: 3 left for the 4 children asking at once
            for child in earlier:
                registration.book_place(child, programme, s)
        rounds = [[(f"/activities/{programme.id}/book",
                    [("young_person_id", c.id) for c in children] + [("session_id", s.id)],
                    session_cookie(app, guardian)) for guardian, children in families] for s in sessions]
        session_ids = [s.id for s in sessions]

    for requests in rounds:
        assert post_all_at_once(live_server.url, requests) == [302, 302]
    with app.app_context():
        for session_id in session_ids:
            regs = db.session.execute(select(Registration).where(Registration.session_id == session_id)).scalars().all()
            assert len(regs) == 6
            assert sum(r.status == "confirmed" for r in regs) == 5
            [waiting] = [r for r in regs if r.status == "waitlisted"]
            assert registration.waitlist_position(waiting) == 1
