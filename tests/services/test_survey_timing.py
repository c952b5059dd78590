"""When the start and end surveys fall due (issue 17, point 2), on the hand-built course in
tests/survey_course.py: one rule per test, for young people taking part and for a
comparison group member."""
from datetime import timedelta

from outreach.extensions import db
from outreach.models import Registration
from outreach.services import checkin, passes, survey_timing, surveys
from tests.survey_course import BEFORE, came, during, survey_course  # noqa: F401 (fixture)


def kinds(due):
    return [d.kind for d in due]


def at_session(course, name, n):
    """What the green check-in screen is told when `name` is checked in at session n."""
    came(course, name, n)
    return survey_timing.due_at_session(course["people"][name].id, course["s"][n], now=during(course, n))


def on_pass_page(course, name, when):
    return survey_timing.due_now(course["people"][name].id, when)


def answer(course, name, kind, when):
    survey = course[kind]
    surveys.submit(survey, {survey.questions[0].id: 4}, young_person_id=course["people"][name].id, now=when)


# ---------------------------------------------------------------- start survey

def test_start_is_due_at_the_first_session(survey_course):
    due = at_session(survey_course, "Ada", 1)
    assert [(d.kind, d.reason) for d in due] == [("start", "first session")]


def test_start_is_still_due_at_the_second_session(survey_course):
    came(survey_course, "Ada", 1)
    assert [(d.kind, d.reason) for d in at_session(survey_course, "Ada", 2)] == [("start", "second session")]


def test_start_is_not_due_at_the_third_session_or_after(survey_course):
    came(survey_course, "Ada", 1)
    came(survey_course, "Ada", 2)
    assert at_session(survey_course, "Ada", 3) == []
    assert on_pass_page(survey_course, "Ada", during(survey_course, 4)) == []


def test_start_counts_the_young_persons_own_sessions_not_the_programmes(survey_course):
    # Ben first came at S3, the programme's third session: it is his first.
    assert [(d.kind, d.reason) for d in at_session(survey_course, "Ben", 3)] == [("start", "first session")]
    assert kinds(at_session(survey_course, "Ben", 4)) == ["start"]


def test_the_pass_page_offers_the_start_survey_between_the_first_and_third_session(survey_course):
    ada = survey_course["people"]["Ada"]
    assert on_pass_page(survey_course, "Ada", during(survey_course, 1)) == []  # not come yet: nothing due
    came(survey_course, "Ada", 1)
    assert kinds(on_pass_page(survey_course, "Ada", during(survey_course, 1) + timedelta(days=2))) == ["start"]
    came(survey_course, "Ada", 2)
    offered = surveys.open_for(ada.id, during(survey_course, 2) + timedelta(days=2))
    assert [s.kind for s, _, _ in offered] == ["start"]
    came(survey_course, "Ada", 3)
    assert surveys.open_for(ada.id, during(survey_course, 3)) == []


def test_start_is_not_due_once_answered(survey_course):
    came(survey_course, "Ada", 1)
    answer(survey_course, "Ada", "start", during(survey_course, 1))
    assert at_session(survey_course, "Ada", 2) == []
    assert on_pass_page(survey_course, "Ada", during(survey_course, 2)) == []


# ---------------------------------------------------------------- end survey

def test_end_is_due_at_the_last_session(survey_course):
    for n in (1, 2, 3):
        came(survey_course, "Ada", n)
    assert [(d.kind, d.reason) for d in at_session(survey_course, "Ada", 6)] == [("end", "last session")]


def test_end_is_not_due_at_the_last_session_when_it_is_their_first(survey_course):
    assert [(d.kind, d.reason) for d in at_session(survey_course, "Ada", 6)] == [("start", "first session")]
    assert kinds(on_pass_page(survey_course, "Ada", during(survey_course, 6))) == ["start"]


def test_end_is_not_due_before_the_last_session_without_a_number_of_weeks(survey_course):
    came(survey_course, "Ben", 3)
    assert kinds(at_session(survey_course, "Ben", 4)) == ["start"]
    assert kinds(on_pass_page(survey_course, "Ben", during(survey_course, 5))) == ["start"]


def test_the_pass_page_offers_the_end_survey_from_the_start_of_the_last_session(survey_course):
    for n in (1, 2, 3):
        came(survey_course, "Ada", n)
    last = survey_course["s"][6]
    assert on_pass_page(survey_course, "Ada", last.starts_at - timedelta(minutes=1)) == []
    assert kinds(on_pass_page(survey_course, "Ada", last.starts_at)) == ["end"]
    # And it stays open afterwards until answered (she did not come to the last session).
    assert kinds(on_pass_page(survey_course, "Ada", last.starts_at + timedelta(days=10))) == ["end"]


def test_end_is_due_the_set_number_of_weeks_after_the_first_session(survey_course):
    survey_course["programme"].end_survey_weeks = 3
    for n in (1, 2, 3):
        came(survey_course, "Ada", n)
    s1 = survey_course["s"][1]
    assert on_pass_page(survey_course, "Ada", s1.starts_at + timedelta(weeks=3) - timedelta(minutes=1)) == []
    due = on_pass_page(survey_course, "Ada", s1.starts_at + timedelta(weeks=3))
    assert [(d.kind, d.reason) for d in due] == [("end", "3 weeks since the first session")]


def test_the_weeks_count_from_the_young_persons_own_first_session(survey_course):
    survey_course["programme"].end_survey_weeks = 1
    came(survey_course, "Ben", 3)
    # Ada never came; Ben's first session was S3, so his end survey is due from S4, not S2.
    assert kinds(at_session(survey_course, "Ben", 4)) == ["start", "end"]
    assert on_pass_page(survey_course, "Ada", during(survey_course, 4)) == []


def test_end_is_not_due_once_answered(survey_course):
    for n in (1, 2, 3):
        came(survey_course, "Ada", n)
    answer(survey_course, "Ada", "end", during(survey_course, 6) - timedelta(minutes=20))
    assert at_session(survey_course, "Ada", 6) == []


def test_a_programme_without_surveys_has_nothing_due(survey_course):
    db.session.delete(survey_course["start"])
    db.session.delete(survey_course["end"])
    db.session.flush()
    assert at_session(survey_course, "Ada", 1) == []


# ---------------------------------------------------------------- comparison group

def comparison_due(course, when):
    return survey_timing.comparison_due(course["people"]["Wes"].id, when)


def test_a_comparison_member_is_due_the_start_survey_from_joining(survey_course):
    due = comparison_due(survey_course, BEFORE + timedelta(days=1))
    assert [(d.kind, d.reason, d.comparison) for d in due] == [("start", "joined the comparison group", True)]


def test_a_comparison_members_start_survey_closes_at_the_programmes_second_session_after_joining(survey_course):
    # Joining counts as their first session and S1 as their second, so S2 would be their third.
    assert [(d.kind, d.reason) for d in comparison_due(survey_course, during(survey_course, 1))] == [
        ("start", "the programme's second session since joining")]
    assert comparison_due(survey_course, survey_course["s"][2].starts_at) == []


def test_a_comparison_member_is_due_the_end_survey_at_the_last_session(survey_course):
    last = survey_course["s"][6]
    assert comparison_due(survey_course, last.starts_at - timedelta(minutes=1)) == []
    assert [(d.kind, d.reason) for d in comparison_due(survey_course, last.starts_at)] == [("end", "last session")]


def test_a_comparison_member_is_due_the_end_survey_the_set_weeks_after_joining(survey_course):
    survey_course["programme"].end_survey_weeks = 2
    # Two weeks after joining is the morning of S2: the start survey is still due then too.
    assert kinds(comparison_due(survey_course, BEFORE + timedelta(weeks=2) - timedelta(minutes=1))) == ["start"]
    due = comparison_due(survey_course, BEFORE + timedelta(weeks=2))
    assert [(d.kind, d.reason) for d in due] == [("start", "the programme's second session since joining"),
                                                 ("end", "2 weeks since joining")]


def test_a_comparison_member_who_answered_is_not_due_again(survey_course):
    answer(survey_course, "Wes", "start", BEFORE + timedelta(days=1))
    assert comparison_due(survey_course, BEFORE + timedelta(days=2)) == []


def test_a_comparison_member_given_a_place_is_due_nothing_as_comparison(survey_course):
    reg = db.session.query(Registration).filter_by(young_person_id=survey_course["people"]["Wes"].id).one()
    reg.status, reg.confirmed_at = "confirmed", BEFORE + timedelta(days=1)
    db.session.flush()
    assert comparison_due(survey_course, BEFORE + timedelta(days=2)) == []


# ---------------------------------------------------------------- where it is said

def test_the_green_check_in_screen_says_the_start_survey_is_due(survey_course):
    ada, s1 = survey_course["people"]["Ada"], survey_course["s"][1]
    secret = passes.ensure_pass(ada).secret
    result = checkin.check_in_by_pass(secret, s1, now=s1.starts_at + timedelta(minutes=2))
    assert (result.status, result.code) == ("ok", "checked_in")
    assert result.as_dict()["surveys_due"] == [
        "Start survey due (first session): ask Ada to answer it on their pass, today or at home."]


def test_the_green_check_in_screen_says_nothing_at_the_third_session(survey_course):
    ada, s3 = survey_course["people"]["Ada"], survey_course["s"][3]
    came(survey_course, "Ada", 1)
    came(survey_course, "Ada", 2)
    result = checkin.check_in_by_pass(passes.ensure_pass(ada).secret, s3, now=s3.starts_at + timedelta(minutes=2))
    assert result.code == "checked_in" and result.as_dict()["surveys_due"] == []


def test_the_reminder_for_the_first_session_says_the_start_survey_is_due(app, survey_course, outbox):
    from outreach.listeners import send_reminder

    ada = survey_course["people"]["Ada"]
    secret = passes.ensure_pass(ada).secret
    send_reminder(survey_course["s"][1], ada.id)
    db.session.commit()
    body = next(m["text"] for m in outbox() if m["subject"] == "Tomorrow: Street Art")
    assert "Start survey due at this session (first session): a few minutes of questions for Ada" in body
    assert f"/p/{secret}" in body


def test_the_reminder_says_the_end_survey_at_the_last_session_and_nothing_in_between(app, survey_course, outbox):
    from outreach.listeners import send_reminder

    ada = survey_course["people"]["Ada"]
    for n in (1, 2, 3):
        came(survey_course, "Ada", n)
    send_reminder(survey_course["s"][4], ada.id)
    send_reminder(survey_course["s"][6], ada.id)
    db.session.commit()
    bodies = [m["text"] for m in outbox() if m["subject"] == "Tomorrow: Street Art"]
    assert len(bodies) == 2
    assert sum("End survey due at this session (last session)" in b for b in bodies) == 1
    assert sum("survey due" in b for b in bodies) == 1
