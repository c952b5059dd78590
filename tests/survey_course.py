"""A hand-built six-week course for the survey timing tests (issue 17, point 2).

    week:        1     2     3     4     5     6 (last)
    session:     S1    S2    S3    S4    S5    S6      Wednesdays 18:00-20:00, London
    Ada          x     x     x     .     .     x       enrolled before S1
    Ben          .     .     x     x     .     .       enrolled before S1, first came at S3
    Wes (waits)  on the waiting list, put in the comparison group a week before S1

The programme has a start and an end survey (the core questions); `end_survey_weeks` is
left to each test."""
from datetime import date, datetime, time, timedelta

import pytest

from outreach.models import Attendance, Registration
from outreach.services import comparison, surveys
from outreach.timeutil import local_to_utc
from tests.factories import make_org, make_programme, make_user, make_young_person, session_on

DAYS = [date(2026, 10, 7) + timedelta(weeks=i) for i in range(6)]


def at(day, hh, mm=0):
    return local_to_utc(day, time(hh, mm), "Europe/London")


BEFORE = at(DAYS[0], 9) - timedelta(days=7)


@pytest.fixture()
def survey_course(db):
    org = make_org()
    programme = make_programme(org, title="Street Art", registration_mode="enrol", min_age=11, max_age=17)
    s = {i: session_on(programme, day) for i, day in enumerate(DAYS, start=1)}
    start, end = (surveys.ensure_survey(programme, kind, now=BEFORE) for kind in ("start", "end"))
    people = {"Ada": make_young_person("Ada", dob=date(2012, 6, 1), guardian=make_user()),
              "Ben": make_young_person("Ben", dob=date(2012, 6, 1), guardian=make_user()),
              "Wes": make_young_person("Wes", dob=date(2012, 6, 1), guardian=make_user())}
    for name in ("Ada", "Ben"):
        db.session.add(Registration(young_person_id=people[name].id, programme_id=programme.id, status="confirmed",
                                    created_at=BEFORE, confirmed_at=BEFORE))
    db.session.add(Registration(young_person_id=people["Wes"].id, programme_id=programme.id, status="waitlisted",
                                created_at=BEFORE, waitlisted_at=BEFORE))
    db.session.flush()
    comparison.include_waiting_list(programme, by=None, now=BEFORE)
    return {"org": org, "programme": programme, "s": s, "start": start, "end": end, "people": people}


def came(course, name, n):
    """`name` checked in at session n, two minutes after it starts."""
    from outreach.extensions import db

    session = course["s"][n]
    attendance = Attendance(session_id=session.id, young_person_id=course["people"][name].id,
                            checked_in_at=session.starts_at + timedelta(minutes=2), method="qr")
    db.session.add(attendance)
    db.session.flush()
    return attendance


def during(course, n) -> datetime:
    """Half an hour into session n."""
    return course["s"][n].starts_at + timedelta(minutes=30)
