"""Where a due start or end survey is said (issue 17, point 2): the manual check-in's green
message, the staff pass check-in page, the pass page; and the lead's "weeks until the end
survey" on the programme form."""
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from outreach.models import Attendance, Programme, Registration
from outreach.services import passes, surveys
from outreach.timeutil import UTC
from tests.factories import make_org, make_programme, make_session, make_user, make_young_person
from tests.web.test_programmes import FORM


@pytest.fixture()
def club(db):
    worker, lead, guardian = make_user(), make_user(), make_user()
    org = make_org("Due Club", slug="due", lead=lead, worker=worker)
    programme = make_programme(org, "Art Club", registration_mode="enrol", min_age=10, max_age=16)
    now = datetime.now(UTC)
    session = make_session(programme, starts_at=now - timedelta(minutes=15), hours=2)
    make_session(programme, starts_at=now + timedelta(weeks=4))
    for kind in ("start", "end"):
        surveys.ensure_survey(programme, kind, now=now - timedelta(days=10))
    yp = make_young_person("Ava", "Due", dob=date(2013, 2, 2), guardian=guardian)
    db.session.add(Registration(young_person_id=yp.id, programme_id=programme.id, status="confirmed",
                                confirmed_at=now - timedelta(days=10)))
    db.session.commit()
    return {"worker": worker, "lead": lead, "guardian": guardian, "org": org, "programme": programme,
            "session": session, "yp": yp}


def test_manual_check_in_says_the_start_survey_is_due(client, login_as, club):
    login_as(club["worker"])
    base = f"/org/due/sessions/{club['session'].id}"
    resp = client.post(base + "/check-in", data={"young_person_id": club["yp"].id})
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Ava is checked in. Start survey due (first session): ask Ava to answer it on their pass" in page


def test_the_staff_pass_check_in_page_says_the_start_survey_is_due(client, login_as, club):
    secret = passes.ensure_pass(club["yp"]).secret
    login_as(club["worker"])
    page = client.post(f"/p/{secret}/check-in", data={"session_id": club["session"].id}).get_data(as_text=True)
    assert "Checked in" in page and "Start survey due (first session)" in page


def test_the_pass_page_marks_the_start_survey_due_now(client, db, login_as, club):
    db.session.add(Attendance(session_id=club["session"].id, young_person_id=club["yp"].id,
                              checked_in_at=club["session"].starts_at, method="qr"))
    db.session.commit()
    secret = passes.ensure_pass(club["yp"]).secret
    login_as(club["guardian"])
    page = client.get(f"/p/{secret}").get_data(as_text=True)
    assert "Art Club: start of the programme" in page and "Due now (first session)" in page
    assert "end of the programme" not in page  # the last session is four weeks off


def test_a_lead_sets_the_weeks_until_the_end_survey(client, db, login_as, club):
    login_as(club["lead"])
    programme = club["programme"]
    url = f"/org/due/programmes/{programme.id}/edit"
    assert "Weeks until the end survey" in client.get(url).get_data(as_text=True)
    for bad in ("0", "-1", "105", "six", "9" * 30):
        html = client.post(url, data={**FORM, "registration_mode": "enrol", "end_survey_weeks": bad}).get_data(
            as_text=True)
        assert "end_survey_weeks-error" in html, bad
        db.session.refresh(programme)
        assert programme.end_survey_weeks is None
    client.post(url, data={**FORM, "registration_mode": "enrol", "end_survey_weeks": "6"})
    db.session.refresh(programme)
    assert programme.end_survey_weeks == 6
    assert 'value="6"' in client.get(url).get_data(as_text=True)
    client.post(url, data={**FORM, "registration_mode": "enrol", "end_survey_weeks": ""})
    db.session.refresh(programme)
    assert db.session.execute(select(Programme.end_survey_weeks).where(Programme.id == programme.id)).scalar() is None
