"""A survey answered twice at once (a double tap on a slow phone) is stored once."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from outreach.extensions import db
from outreach.models import Attendance, FeedbackResponse
from outreach.services import passes, surveys
from outreach.timeutil import utcnow
from tests.concurrency.helpers import post_all_at_once, session_cookie
from tests.factories import make_org, make_programme, make_session, make_user, make_young_person

pytestmark = pytest.mark.concurrency


def test_a_double_tapped_survey_is_stored_once(live_server):
    app = live_server.app
    with app.app_context():
        programme = make_programme(make_org(), registration_mode="enrol")
        requests = []
        for n in range(5):
            session = make_session(programme, starts_at=utcnow() - timedelta(hours=3 + n))
            guardian = make_user(f"tap{n}@survey.example.org")
            yp = make_young_person(f"Tap{n}", guardian=guardian)
            db.session.add(Attendance(session_id=session.id, young_person_id=yp.id, checked_in_at=session.starts_at,
                                      method="qr"))
            secret = passes.ensure_pass(yp, commit=False).secret
            survey = surveys.ensure_survey(programme, "session")
            first = survey.questions[0].id
            path = f"/p/{secret}/feedback/{survey.id}?session={session.id}"
            requests += [(path, {f"q{first}": "4"}, session_cookie(app, guardian))] * 3
        db.session.commit()
        survey_id = survey.id

    statuses = post_all_at_once(live_server.url, requests)

    assert all(s in (200, 302) for s in statuses), statuses
    with app.app_context():
        per_person = db.session.execute(select(FeedbackResponse.young_person_id, func.count())
                                        .where(FeedbackResponse.survey_id == survey_id)
                                        .group_by(FeedbackResponse.young_person_id)).all()
        assert sorted(n for _, n in per_person) == [1] * 5
