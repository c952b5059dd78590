"""Start and end answers for N young people on one programme, SWEMWBS included, for the
change tests and screenshots."""
import random
from datetime import date, datetime, timedelta, timezone

from outreach.extensions import db
from outreach.models import FeedbackAnswer, FeedbackResponse
from outreach.services import surveys
from tests.factories import make_young_person

START = datetime(2026, 9, 4, 19, 0, tzinfo=timezone.utc)


def seed_pairs(programme, pairs, *, seed=17, instrument="swemwbs"):
    """`pairs` young people aged 14 answer the start survey, and the end survey twelve
    weeks later a little more positively on average. Returns the two surveys."""
    rng = random.Random(seed)
    start, end = (surveys.ensure_survey(programme, kind, now=START) for kind in ("start", "end"))
    for survey in (start, end):
        surveys.add_instrument(programme, survey, instrument)
        db.session.refresh(survey)
    for n in range(pairs):
        yp = make_young_person(f"Pair{n}", dob=date(2012, 3, 1))
        before = {q.id: rng.randint(max(q.min_value, 2), min(q.max_value, 4)) for q in start.questions}
        for survey, when, shift in ((start, START, 0), (end, START + timedelta(weeks=12), None)):
            response = FeedbackResponse(survey_id=survey.id, young_person_id=yp.id, submitted_at=when)
            values = []
            for q_start, q in zip(start.questions, survey.questions):
                v = before[q_start.id]
                if shift is None:
                    v = min(q.max_value, max(q.min_value, v + rng.choice((-1, 0, 0, 1, 1, 1))))
                values.append(FeedbackAnswer(question_id=q.id, value=v))
            response.answers = values
            db.session.add(response)
    db.session.flush()
    return start, end
