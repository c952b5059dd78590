"""Survey rules for validated questionnaires: which may be added, who is asked them,
and answers held to each question's own scale."""
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select

from outreach.errors import ConflictError, NotFoundError, ValidationError
from outreach.models import FeedbackAnswer
from outreach.services import surveys
from tests.factories import make_org, make_programme, make_young_person

NOW = datetime(2026, 11, 20, 18, 0, tzinfo=timezone.utc)


def start_survey(db, min_age=11, max_age=17):
    programme = make_programme(make_org(), min_age=min_age, max_age=max_age, registration_mode="enrol")
    return programme, surveys.ensure_survey(programme, "start", now=NOW)


def test_an_instrument_is_added_whole_word_for_word_after_the_core_questions(db):
    programme, survey = start_survey(db, 12, 18)
    added = surveys.add_instrument(programme, survey, "swemwbs")
    db.session.refresh(survey)
    assert [q.code for q in survey.questions][:4] == [code for code, _ in surveys.CORE_QUESTIONS]
    assert [(q.code, q.instrument, q.item_number, q.min_value, q.max_value) for q in added] == [
        (f"swemwbs_{n}", "swemwbs", n, 1, 5) for n in range(1, 8)]
    assert added[0].text == "I’ve been feeling optimistic about the future"
    assert [q.position for q in survey.questions] == list(range(1, 12))
    # ONS4 on its 0–10 scale, after SWEMWBS.
    ons = surveys.add_instrument(programme, survey, "ons4")
    assert [(q.position, q.min_value, q.max_value) for q in ons][0] == (12, 0, 10)
    # A lead's own question still comes after, on 1–5.
    own = surveys.add_question(survey, "I know where to get help")
    assert (own.position, own.min_value, own.max_value, own.instrument) == (16, 1, 5, None)


def test_an_instrument_cannot_be_added_twice(db):
    programme, survey = start_survey(db, 12, 18)
    surveys.add_instrument(programme, survey, "swemwbs")
    with pytest.raises(ConflictError) as err:
        surveys.add_instrument(programme, survey, "swemwbs")
    assert err.value.code == "already_added"


def test_an_instrument_for_other_ages_is_refused(db):
    programme, survey = start_survey(db, 8, 12)
    with pytest.raises(ValidationError) as err:
        surveys.add_instrument(programme, survey, "ons4")
    assert err.value.code == "wrong_ages" and "16+" in err.value.message
    assert [i.code for i in surveys.instruments_offered(programme, survey)] == ["stirling"]


def test_no_instrument_on_an_after_session_survey_and_no_unknown_one(db):
    programme, survey = start_survey(db)
    after = surveys.ensure_survey(programme, "session", now=NOW)
    with pytest.raises(ValidationError) as err:
        surveys.add_instrument(programme, after, "swemwbs")
    assert err.value.code == "wrong_survey"
    assert surveys.instruments_offered(programme, after) == []
    with pytest.raises(NotFoundError) as err:
        surveys.add_instrument(programme, survey, "'; DROP TABLE surveys; --")
    assert err.value.code == "unknown_instrument"


def test_instrument_items_are_asked_only_of_young_people_of_their_ages(db):
    programme, survey = start_survey(db, 11, 17)
    surveys.add_instrument(programme, survey, "swemwbs")   # 13+
    surveys.add_instrument(programme, survey, "stirling")  # 8–15
    twelve = make_young_person("Twelve", dob=date(2014, 6, 1))
    fourteen = make_young_person("Fourteen", dob=date(2012, 6, 1))
    sixteen = make_young_person("Sixteen", dob=date(2010, 6, 1))
    unknown = make_young_person("Unknown", dob=None)

    def asked(yp):
        return sorted({q.instrument for q in surveys.questions_for(survey, yp, now=NOW) if q.instrument})

    assert asked(twelve) == ["stirling"]
    assert asked(fourteen) == ["stirling", "swemwbs"]
    assert asked(sixteen) == ["swemwbs"]
    assert asked(unknown) == [] and asked(None) == []
    # The core questions are asked of everyone.
    assert len(surveys.questions_for(survey, unknown, now=NOW)) == len(surveys.CORE_QUESTIONS)


def test_answers_are_held_to_their_own_questions_scale(db):
    programme, survey = start_survey(db, 16, 25)
    surveys.add_instrument(programme, survey, "ons4")
    yp = make_young_person("Adult", dob=date(2008, 1, 1))
    core, ons = survey.questions[0], [q for q in survey.questions if q.instrument == "ons4"]
    for bad in ({core.id: 0}, {core.id: 6}, {ons[0].id: 11}, {ons[0].id: -1}, {ons[0].id: True}):
        with pytest.raises(ValidationError) as err:
            surveys.submit(survey, bad, young_person_id=yp.id, now=NOW)
        assert err.value.code == "out_of_range"
    surveys.submit(survey, {core.id: 5, ons[0].id: 0, ons[3].id: 10}, young_person_id=yp.id, now=NOW)
    stored = db.session.execute(select(FeedbackAnswer.question_id, FeedbackAnswer.value)).all()
    assert sorted(stored) == sorted([(core.id, 5), (ons[0].id, 0), (ons[3].id, 10)])


def test_answers_to_items_someone_is_not_asked_are_not_stored(db):
    programme, survey = start_survey(db, 11, 17)
    surveys.add_instrument(programme, survey, "swemwbs")
    twelve = make_young_person("Twelve", dob=date(2014, 6, 1))
    item = next(q for q in survey.questions if q.instrument == "swemwbs")
    with pytest.raises(ValidationError) as err:  # the only answer was to a question not theirs
        surveys.submit(survey, {item.id: 3}, young_person_id=twelve.id, now=NOW)
    assert err.value.code == "empty"
    surveys.submit(survey, {item.id: 3, survey.questions[0].id: 4}, young_person_id=twelve.id, now=NOW)
    assert db.session.execute(select(FeedbackAnswer.question_id)).scalars().all() == [survey.questions[0].id]


def test_a_leads_own_questions_are_limited_but_instruments_come_on_top(db):
    programme, survey = start_survey(db, 12, 18)
    surveys.add_instrument(programme, survey, "swemwbs")
    for n in range(surveys.MAX_QUESTIONS - len(surveys.CORE_QUESTIONS)):
        surveys.add_question(survey, f"Own question {n}")
    with pytest.raises(ValidationError) as err:
        surveys.add_question(survey, "One too many")
    assert err.value.code == "too_many"
