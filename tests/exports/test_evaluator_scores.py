"""The evaluator dataset carries each participant's questionnaire scores at the start and the
end (issue 17, point 9), read back as CSV and as XLSX, checked against the publisher's
SWEMWBS conversion table kept in tests/fixtures/instruments/swemwbs.json (not the code's)."""
import json
from datetime import datetime
from pathlib import Path

from outreach.models import FeedbackAnswer, FeedbackResponse
from outreach.services import surveys
from tests.course import AS_OF, course  # noqa: F401  (fixture)
from tests.exports.test_exports import body, run

PUBLISHED = json.loads((Path(__file__).parents[1] / "fixtures/instruments/swemwbs.json")
                       .read_text(encoding="utf-8"))["conversion_table"]
START_HEADER, END_HEADER = "start score: SWEMWBS metric score", "end score: SWEMWBS metric score"


def with_swemwbs(course, db):
    """A's seven answers at start (1,2,3,4,5,1,2: raw 18) and end (all 4: raw 28); B answered
    six of the seven at start (no score); D answered all seven as a comparison group member."""
    programme, people = course["programme"], course["people"]
    start, end = (surveys.ensure_survey(programme, kind, now=AS_OF) for kind in ("start", "end"))
    for survey in (start, end):
        surveys.add_instrument(programme, survey, "swemwbs")
        db.session.refresh(survey)

    def answer(survey, key, values, comparison=False):
        items = [q for q in survey.questions if q.instrument == "swemwbs"]
        db.session.add(FeedbackResponse(survey_id=survey.id, young_person_id=people[key].id, comparison=comparison,
                                        submitted_at=AS_OF,
                                        answers=[FeedbackAnswer(question_id=q.id, value=v)
                                                 for q, v in zip(items, values)]))

    answer(start, "A", [1, 2, 3, 4, 5, 1, 2])
    answer(end, "A", [4] * 7)
    answer(start, "B", [3, 3, 3, 3, 3, 3])
    answer(start, "D", [5] * 7, comparison=True)
    db.session.flush()


def test_each_participant_has_their_swemwbs_score_at_start_and_end_from_the_conversion_table(course, db):
    with_swemwbs(course, db)
    rows = run(course, "evaluator_dataset")
    header, data = rows[0], body(rows)
    start, end = header.index(START_HEADER), header.index(END_HEADER)
    assert start < end < header.index("Session date")  # the participant's cells, before the session's
    by_code = {}
    for r in data:
        by_code.setdefault(r[0], set()).add((r[start], r[end]))
    ada = next(r[0] for r in data if r[3] == "M13")
    # Every one of a participant's rows carries the same scores.
    assert all(len(v) == 1 for v in by_code.values())
    assert by_code.pop(ada) == {(str(PUBLISHED["18"]), str(PUBLISHED["28"]))} == {("17.43", "25.03")}
    # B: six of seven items, so no score; D's answers were a comparison member's; C and W answered none.
    assert set().union(*by_code.values()) == {("", "")}


def test_the_xlsx_holds_the_scores_as_numbers(course, db):
    with_swemwbs(course, db)
    sheet = run(course, "evaluator_dataset", "xlsx")
    header = [c.value for c in sheet[1]]
    start, end = header.index(START_HEADER), header.index(END_HEADER)
    scores = {(row[start].value, row[end].value) for row in sheet.iter_rows(min_row=2)}
    assert scores == {(PUBLISHED["18"], PUBLISHED["28"]), (None, None)}
    assert all(isinstance(v, float) for v in (PUBLISHED["18"], PUBLISHED["28"]))


def test_the_scores_carry_no_names_birth_dates_or_equality_data(course, db):
    with_swemwbs(course, db)
    for key, person in course["people"].items():
        person.first_name, person.last_name = f"Firstname{key}zq", f"Surname{key}zq"
    db.session.flush()
    rows = run(course, "evaluator_dataset")
    text = "\n".join(",".join(r) for r in rows)
    for person in course["people"].values():
        for value in (person.first_name, person.last_name, person.date_of_birth.isoformat()):
            assert value not in text
    assert START_HEADER in rows[0] and END_HEADER in rows[0]  # the scores are there, and nothing else new
    lowered = [h.lower() for h in rows[0]]
    assert not any(word in h for h in lowered for word in ("name", "birth", "ethnic", "disab", "special educational"))
    assert rows[0][:5] == ["Participant code", "Age band", "Gender", "Postcode district", "Programme"]
    sheet = run(course, "evaluator_dataset", "xlsx")
    cells = {c.value for row in sheet.iter_rows() for c in row}
    assert not any(isinstance(v, str) and "zq" in v for v in cells)
    assert not any(isinstance(v, datetime) and v.year < 2020 for v in cells)  # no birth dates
