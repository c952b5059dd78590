"""The small hand-built course used by the metric and export tests (see tests/metrics/test_metrics.py
for the picture of who came when)."""
from datetime import date, datetime, time, timedelta

import pytest

from outreach.models import Attendance, Registration
from outreach.timeutil import UTC, local_to_utc
from tests.factories import make_org, make_programme, make_young_person, session_on

AS_OF = datetime(2026, 12, 10, 12, 0, tzinfo=UTC)
DAYS = [date(2026, 11, 4) + timedelta(weeks=i) for i in range(7)]


def at(day, hh, mm=0):
    return local_to_utc(day, time(hh, mm), "Europe/London")


@pytest.fixture()
def course(db):
    org = make_org()
    programme = make_programme(org, title="Friday Football", registration_mode="enrol", category="sport")
    s = {}
    for i, day in enumerate(DAYS, start=1):
        s[i] = session_on(programme, day)
    s[3].status = "cancelled"
    people = {
        "A": make_young_person("Ada", dob=date(2012, 6, 1), gender="girl", postcode_district="M13"),
        **{k: make_young_person(k, dob=date(2014, 1, 1), gender="boy", postcode_district="M14") for k in "BDCWE"},
    }
    before = at(DAYS[0], 9) - timedelta(days=7)

    def enrol(key, when, **kw):
        db.session.add(Registration(young_person_id=people[key].id, programme_id=kw.pop("programme_id", programme.id),
                                    status="confirmed", created_at=when, confirmed_at=when, **kw))

    for key in "ABD":
        enrol(key, before)
    enrol("C", at(DAYS[2], 12))  # after S2, before S4
    db.session.add(Registration(young_person_id=people["E"].id, session_id=s[5].id, status="cancelled",
                                created_at=before, confirmed_at=before, cancelled_at=at(DAYS[4], 9) - timedelta(days=2)))

    def came(key, n, out=None):
        day = DAYS[n - 1]
        db.session.add(Attendance(session_id=s[n].id, young_person_id=people[key].id, checked_in_at=at(day, 18),
                                  method="qr", checked_out_at=out))

    came("A", 1, out=at(DAYS[0], 19, 30))
    for n in (2, 4, 5):
        came("A", n)
    came("B", 1)
    came("C", 4)
    came("W", 2)
    db.session.flush()
    return {"programme": programme, "org": org, "s": s, "people": people}
