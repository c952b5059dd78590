"""Surveys: set up by a lead, answered on a young person's own pass page or on a worker's phone."""
from datetime import timedelta

from sqlalchemy import func, select

from outreach.models import Attendance, FeedbackAnswer, FeedbackResponse
from outreach.services import passes, surveys
from outreach.timeutil import utcnow
from tests.factories import add_member, make_org, make_programme, make_session, make_user, make_young_person


def setup(db):
    org = make_org()
    programme = make_programme(org, title="Boxing Club", registration_mode="enrol")
    session = make_session(programme, starts_at=utcnow() - timedelta(hours=3))
    make_session(programme, starts_at=utcnow() + timedelta(days=2))  # the last one, inside a week
    guardian = make_user()
    yp = make_young_person("Maya", guardian=guardian)
    db.session.add(Attendance(session_id=session.id, young_person_id=yp.id, checked_in_at=session.starts_at,
                              method="qr"))
    db.session.flush()
    return org, programme, session, guardian, yp


def test_lead_sets_up_surveys_with_the_core_questions_and_adds_one(db, login_as):
    org, programme, *_ = setup(db)
    lead = make_user()
    add_member(org, lead, "lead")
    client = login_as(lead)
    url = f"/org/{org.slug}/programmes/{programme.id}/surveys"
    assert client.post(url, data={"kind": "start", "action": "create"}).status_code == 302
    assert client.post(url, data={"kind": "start", "text": "I know where to get help"}).status_code == 302
    survey = surveys.survey_of(programme, "start")
    assert [q.code for q in survey.questions] == ["felt_safe", "trust_police", "trust_youth_services",
                                                 "trusted_adult", None]
    assert survey.questions[-1].text == "I know where to get help"
    worker = make_user()
    add_member(org, worker, "worker")
    assert login_as(worker).get(url).status_code == 403


def test_young_person_answers_from_their_pass_page_once(db, login_as):
    org, programme, session, guardian, yp = setup(db)
    after = surveys.ensure_survey(programme, "session")
    start = surveys.ensure_survey(programme, "start")
    secret = passes.ensure_pass(yp).secret
    client = login_as(guardian)
    page = client.get(f"/p/{secret}").get_data(as_text=True)
    assert "How did it go?" in page and "Boxing Club: after the session" in page
    assert "Boxing Club: start of the programme" in page
    q1, q2 = after.questions[0].id, after.questions[1].id
    got = client.post(f"/p/{secret}/feedback/{after.id}?session={session.id}", data={f"q{q1}": "5", f"q{q2}": "4"})
    assert got.status_code == 302
    response = db.session.execute(select(FeedbackResponse).where(FeedbackResponse.survey_id == after.id)).scalar_one()
    assert (response.young_person_id, response.session_id) == (yp.id, session.id)
    assert sorted(a.value for a in response.answers) == [4, 5]
    # Answered: it leaves the list, and a second try stores nothing.
    assert "after the session" not in client.get(f"/p/{secret}").get_data(as_text=True)
    client.post(f"/p/{secret}/feedback/{after.id}?session={session.id}", data={f"q{q1}": "1"})
    assert db.session.execute(select(func.count()).select_from(FeedbackResponse)).scalar_one() == 1
    # A value outside 1–5 is refused by the form, not stored.
    client.post(f"/p/{secret}/feedback/{start.id}", data={f"q{start.questions[0].id}": "9"})
    assert db.session.execute(select(func.count()).select_from(FeedbackAnswer)
                              .where(FeedbackAnswer.value > 5)).scalar_one() == 0


def test_someone_else_with_the_pass_url_cannot_answer(db, login_as, client):
    org, programme, session, guardian, yp = setup(db)
    after = surveys.ensure_survey(programme, "session")
    secret = passes.ensure_pass(yp).secret
    assert client.get(f"/p/{secret}/feedback/{after.id}?session={session.id}").status_code == 404
    assert login_as(make_user()).get(f"/p/{secret}/feedback/{after.id}?session={session.id}").status_code == 404


def test_worker_hands_the_phone_round_and_answers_are_anonymous(db, login_as):
    org, programme, session, *_ = setup(db)
    after = surveys.ensure_survey(programme, "session")
    worker = make_user()
    add_member(org, worker, "worker")
    client = login_as(worker)
    url = f"/org/{org.slug}/sessions/{session.id}/feedback"
    assert "Hand the phone round" in client.get(url).get_data(as_text=True)
    for value in ("3", "5"):
        assert client.post(url, data={f"q{after.questions[0].id}": value}).status_code == 302
    rows = db.session.execute(select(FeedbackResponse).where(FeedbackResponse.survey_id == after.id)).scalars().all()
    assert len(rows) == 2 and {r.young_person_id for r in rows} == {None}
    # Nothing ticked: a message, nothing stored.
    page = client.post(url, data={})
    assert "Pick at least one answer." in page.get_data(as_text=True)
    other = make_user()
    add_member(make_org(), other, "lead")
    assert login_as(other).get(url).status_code == 404


# ------------------------------------------------------------------ validated questionnaires

def test_lead_adds_a_questionnaire_offered_for_the_programmes_ages(db, login_as):
    org = make_org()
    programme = make_programme(org, min_age=12, max_age=18, registration_mode="enrol")
    lead = make_user()
    add_member(org, lead, "lead")
    client = login_as(lead)
    url = f"/org/{org.slug}/programmes/{programme.id}/surveys"
    client.post(url, data={"kind": "start", "action": "create"})
    page = client.get(url).get_data(as_text=True)
    assert "Short Warwick-Edinburgh Mental Wellbeing Scale (SWEMWBS) (ages 13+, 7 questions)" in page
    assert "Stirling Children&#39;s Wellbeing Scale (ages 8–15" in page  # 12 to 15 overlap
    got = client.post(url, data={"kind": "start", "action": "instrument", "instrument": "swemwbs"},
                      follow_redirects=True).get_data(as_text=True)
    assert "SWEMWBS added, word for word." in got
    assert "© NHS Health Scotland, University of Warwick and University of Edinburgh, 2008" in got
    survey = surveys.survey_of(programme, "start")
    assert [q.instrument for q in survey.questions].count("swemwbs") == 7
    # Twice, or an unknown code: a message, nothing added.
    again = client.post(url, data={"kind": "start", "action": "instrument", "instrument": "swemwbs"},
                        follow_redirects=True).get_data(as_text=True)
    assert "SWEMWBS is on this survey already." in again
    odd = client.post(url, data={"kind": "start", "action": "instrument", "instrument": "<b>x</b>" * 40},
                      follow_redirects=True)
    assert odd.status_code == 200 and "That questionnaire isn&#39;t in the library." in odd.get_data(as_text=True)
    db.session.expire_all()
    assert len(surveys.survey_of(programme, "start").questions) == 4 + 7


def test_questionnaires_of_another_organisations_programme_cannot_be_touched(db, login_as):
    org, other = make_org(), make_org()
    theirs = make_programme(other, min_age=12, max_age=18)
    surveys.ensure_survey(theirs, "start")
    lead = make_user()
    add_member(org, lead, "lead")
    client = login_as(lead)
    for slug, pid in ((org.slug, theirs.id), (other.slug, theirs.id), (org.slug, 999999)):
        got = client.post(f"/org/{slug}/programmes/{pid}/surveys",
                          data={"kind": "start", "action": "instrument", "instrument": "swemwbs"})
        assert got.status_code in (403, 404)
    assert not any(q.instrument for q in surveys.survey_of(theirs, "start").questions)


def test_a_young_person_is_asked_the_questionnaire_only_at_its_ages(db, login_as):
    org, programme, session, guardian, maya = setup(db)  # Maya is 14 (born 1 May 2012)
    programme.min_age, programme.max_age = 11, 17
    start = surveys.ensure_survey(programme, "start")
    surveys.add_instrument(programme, start, "swemwbs")
    client = login_as(guardian)
    secret = passes.ensure_pass(maya).secret
    page = client.get(f"/p/{secret}/feedback/{start.id}").get_data(as_text=True)
    assert "I’ve been feeling optimistic about the future" in page and "All of the time" in page
    assert "Short Warwick Edinburgh Mental Wellbeing Scale (SWEMWBS) © NHS Health Scotland" in page
    item = next(q for q in start.questions if q.instrument == "swemwbs")
    # Off the item's scale: refused, nothing stored.
    client.post(f"/p/{secret}/feedback/{start.id}", data={f"q{item.id}": "7"})
    assert db.session.execute(select(func.count()).select_from(FeedbackAnswer)).scalar_one() == 0
    assert client.post(f"/p/{secret}/feedback/{start.id}", data={f"q{item.id}": "5"}).status_code == 302
    # Her brother, 11, sees the core questions only.
    leo = make_young_person("Leo", dob=utcnow().date().replace(year=utcnow().year - 11), guardian=guardian)
    db.session.add(Attendance(session_id=session.id, young_person_id=leo.id, checked_in_at=session.starts_at,
                              method="qr"))
    db.session.flush()
    page = client.get(f"/p/{passes.ensure_pass(leo).secret}/feedback/{start.id}").get_data(as_text=True)
    assert "I feel safe when I&#39;m out in my area" in page
    assert "optimistic about the future" not in page and "SWEMWBS" not in page
