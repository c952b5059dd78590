"""A programme with a served group and a comparison group (its waiting list), each answering
the start and end surveys through the survey service, for the comparison tests and
screenshots (issue 17, point 4)."""
import random
from datetime import date, datetime, timedelta, timezone

from outreach.extensions import db
from outreach.models import Attendance, Registration
from outreach.services import comparison, surveys
from tests.factories import make_session, make_young_person

START = datetime(2026, 9, 4, 19, 0, tzinfo=timezone.utc)
END = START + timedelta(weeks=10)


def seed_groups(programme, served, waiting, *, lead=None, code="trust_police", dob=date(2009, 3, 1),
                extra=None):
    """`served` and `waiting` are lists of (start answer, end answer) to question `code`.
    Each served young person is confirmed on the programme and came to its first session;
    each waiting one is on its waiting list and is put in the comparison group by
    "include the waiting list". Everyone answers the start survey at START and the end
    survey at END, through surveys.submit (which marks the comparison group's answers).
    `extra(survey, young_person, kind)` may add answers to other questions (question id ->
    value). Returns (start survey, end survey, served people, waiting people)."""
    start, end = (surveys.ensure_survey(programme, kind, now=START - timedelta(days=7)) for kind in ("start", "end"))
    first = make_session(programme, starts_at=START - timedelta(hours=1))
    make_session(programme, starts_at=END - timedelta(days=1))
    served_people, waiting_people = [], []
    for n, _ in enumerate(served):
        yp = make_young_person(f"Served{n}", dob=dob)
        db.session.add(Registration(young_person_id=yp.id, programme_id=programme.id, status="confirmed",
                                    confirmed_at=START - timedelta(days=10), created_at=START - timedelta(days=10)))
        db.session.add(Attendance(session_id=first.id, young_person_id=yp.id, checked_in_at=first.starts_at,
                                  method="qr"))
        served_people.append(yp)
    for n, _ in enumerate(waiting):
        yp = make_young_person(f"Waiting{n}", dob=dob)
        db.session.add(Registration(young_person_id=yp.id, programme_id=programme.id, status="waitlisted",
                                    waitlisted_at=START - timedelta(days=9), created_at=START - timedelta(days=9)))
        waiting_people.append(yp)
    db.session.flush()
    comparison.include_waiting_list(programme, by=lead, now=START - timedelta(days=8))
    for people, answers in ((served_people, served), (waiting_people, waiting)):
        for yp, (before, after) in zip(people, answers):
            for survey, value, when in ((start, before, START), (end, after, END)):
                values = {_question(survey, code): value}
                if extra:
                    values |= extra(survey, yp, survey.kind)
                surveys.submit(survey, values, young_person_id=yp.id, now=when)
    return start, end, served_people, waiting_people


def _question(survey, code):
    return next(q.id for q in survey.questions if q.code == code)


def random_answers(n, *, rise, seed):
    """n (start, end) answers on the 1-5 scale: the end answer rises by `rise` on average."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        before = rng.randint(2, 4)
        shift = rng.choice((-1, 0, 1)) + (1 if rng.random() < rise else 0)
        out.append((before, max(1, min(5, before + shift))))
    return out
