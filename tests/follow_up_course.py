"""A small hand-built programme for the follow-up tests, worked out by hand.

Nine weekly sessions in the past (k = 0..8), the fifth (k = 4) cancelled; everyone had their place
before the first. The rule with the defaults: regular = at least 3 (75% of 4, rounded up) of the
first 4 sessions offered; on the list after missing 3 in a row (K=3). Counted sessions: 0 1 2 3 5
6 7 8 (4 is cancelled and never counts).

| young person | came to              | at NOW (after 8)            | just after 7 ended        |
| ------------ | -------------------- | --------------------------- | ------------------------- |
| Amara        | 0 1 2 3 5            | missed 6 7 8: ON, seen at 5 | missed 6 7: off            |
| Bilal        | 0 1 2 3 5 6          | missed 7 8 (two): off       | missed 7: off              |
| Chloe        | 0 1 2 3 8            | came back at 8: off         | missed 5 6 7: ON, seen at 3 |
| Dev          | 0                    | 1 of his first 4: not a regular, never on it |           |
| Eve          | every one            | off                          | off                        |
"""
from datetime import date, datetime, timedelta

from outreach.extensions import db
from outreach.models import Attendance, Registration
from outreach.timeutil import UTC
from tests.factories import add_member, make_org, make_programme, make_session, make_user, make_young_person

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
FIRST = datetime(2026, 10, 9, 17, 0, tzinfo=UTC)  # a Friday, 18:00 in London (BST)


def build(*, mode="enrol", first=FIRST, slug="course-partner"):
    lead, worker = make_user("lead@course.example.org", "Lena Lead"), make_user("worker@course.example.org", "Wes Worker")
    org = make_org("Course Partner", slug=slug, lead=lead)
    add_member(org, worker, "worker")
    programme = make_programme(org, "Friday Boxing", registration_mode=mode, min_age=10, max_age=18)
    sessions = [make_session(programme, first + timedelta(days=7 * k), hours=2,
                             status="cancelled" if k == 4 else "scheduled") for k in range(9)]
    came = {"Amara": [0, 1, 2, 3, 5], "Bilal": [0, 1, 2, 3, 5, 6], "Chloe": [0, 1, 2, 3, 8], "Dev": [0],
            "Eve": [0, 1, 2, 3, 5, 6, 7, 8]}
    people = {}
    for name, ks in came.items():
        yp = make_young_person(name, "Follow", dob=date(2012, 6, 1))
        people[name] = yp
        if mode == "enrol":
            db.session.add(Registration(young_person_id=yp.id, programme_id=programme.id, status="confirmed",
                                        created_at=first - timedelta(days=3), confirmed_at=first - timedelta(days=3)))
        else:
            for s in sessions:
                if s.status == "scheduled":
                    db.session.add(Registration(young_person_id=yp.id, session_id=s.id, status="confirmed",
                                                created_at=s.starts_at - timedelta(days=3),
                                                confirmed_at=s.starts_at - timedelta(days=3)))
        for k in ks:
            db.session.add(Attendance(session_id=sessions[k].id, young_person_id=yp.id, method="qr",
                                      checked_in_at=sessions[k].starts_at + timedelta(minutes=5)))
    db.session.commit()
    return {"org": org, "lead": lead, "worker": worker, "programme": programme, "sessions": sessions,
            "people": people}
