"""Issue 17, point 4: change in the served group beside change in the comparison group, and
the difference of the two with Welch's interval, worked out by hand on a small programme.

"Street Safe" (an enrol course) has four served young people (confirmed, came to the first
session) and three on its waiting list, put in its comparison group. "I trust the police in
my area" (1-5), start -> end:

    served      1->3  2->3  3->4  3->3     changes +2 +1 +1  0   mean 1
    comparison  2->3  3->3  4->3           changes +1  0 -1      mean 0

Difference 1. Its 95% interval by hand (as in tests/metrics/test_change.py): spreads 2/3 and 1,
standard error² = (2/3)/4 + 1/3 = 1/2, Welch's ν = 27/7, t(0.975, 27/7) = 2.8174737, so
1 ± 2.8174737 × √(1/2) = -0.99225 to +2.99225.
"""
from datetime import date, timedelta

import pytest

from outreach import instruments
from outreach.extensions import db
from outreach.metrics import MetricQuery, Scope, Settings, compute
from outreach.metrics.base import Filters
from outreach.models import FeedbackResponse, Registration
from outreach.services import comparison, surveys
from tests.comparison_course import END, START, seed_groups
from tests.factories import make_org, make_programme, make_young_person

SERVED = [(1, 3), (2, 3), (3, 4), (3, 3)]
WAITING = [(2, 3), (3, 3), (4, 3)]
HALF_WIDTH = 2.8174737532 * (1 / 2) ** 0.5


@pytest.fixture()
def street_safe(db):
    org = make_org("Northside Police Community Team")
    programme = make_programme(org, title="Street Safe", registration_mode="enrol", min_age=14, max_age=19)
    start, end, served, waiting = seed_groups(programme, SERVED, WAITING)
    return {"org": org, "programme": programme, "start": start, "end": end, "served": served, "waiting": waiting}


def query(programme, min_pairs=3, **filters):
    return MetricQuery(scope=Scope(programme_id=programme.id), filters=Filters(**filters),
                       settings=Settings(min_pairs=min_pairs), as_of=END + timedelta(days=1))


def test_answers_of_the_comparison_group_are_marked_and_the_served_groups_are_not(street_safe):
    marked = {r.young_person_id: r.comparison for r in db.session.query(FeedbackResponse)}
    assert all(marked[yp.id] is True for yp in street_safe["waiting"])
    assert all(marked[yp.id] is False for yp in street_safe["served"])


def test_served_beside_comparison_and_the_difference_worked_by_hand(street_safe):
    got = compute("comparison", query(street_safe["programme"]))
    [programme] = got["programmes"]
    assert (programme["members"], programme["by_source"]) == (3, {"waiting_list": 3})
    [row] = programme["rows"]
    st = row["stats"]
    assert (row["kind"], row["code"]) == ("question", "trust_police")
    # Served: changes +2 +1 +1 0 over 4 pairs, mean 1 (from 2.25 to 3.25).
    assert (st.served.pairs, st.served.mean_before, st.served.mean_after, st.served.mean_change) == (4, 2.25, 3.25, 1)
    # Comparison: +1 0 -1 over 3 pairs, mean 0 (from 3 to 3).
    assert (st.comparison.pairs, st.comparison.mean_before, st.comparison.mean_change) == (3, 3, 0)
    assert st.enough
    assert st.difference == pytest.approx(1.0)
    assert st.df == pytest.approx(27 / 7)
    assert (st.ci_low, st.ci_high) == (pytest.approx(1 - HALF_WIDTH, abs=1e-9), pytest.approx(1 + HALF_WIDTH, abs=1e-9))


def test_the_served_groups_figures_leave_the_comparison_group_out(street_safe):
    got = compute("feedback", query(street_safe["programme"]))
    by_kind = {s["kind"]: s for s in got["surveys"]}
    # 4 served answered each survey; the 3 in the comparison group are not responses here.
    assert by_kind["start"]["responses"] == by_kind["end"]["responses"] == 4
    [trust] = [q for q in by_kind["start"]["questions"] if q["code"] == "trust_police"]
    assert trust["counts"] == [1, 1, 2, 0, 0]  # starts 1 2 3 3 only
    [change] = [c for c in got["change"] if c["code"] == "trust_police"]
    assert (change["pairs"], change["change"]) == (4, 1.0)


def test_too_few_pairs_in_one_group_is_no_finding(street_safe):
    st = compute("comparison", query(street_safe["programme"], min_pairs=4))["programmes"][0]["rows"][0]["stats"]
    # Served has its 4 pairs; the comparison group's 3 are one short.
    assert st.served.enough and not st.comparison.enough and not st.enough


def test_someone_given_a_place_after_answering_leaves_the_comparison(street_safe):
    # The first on the waiting list (2 -> 3) gets a place after both surveys.
    promoted = street_safe["waiting"][0]
    reg = db.session.query(Registration).filter_by(young_person_id=promoted.id).one()
    reg.status, reg.confirmed_at = "confirmed", END + timedelta(hours=1)
    db.session.flush()
    st = compute("comparison", query(street_safe["programme"]))["programmes"][0]["rows"][0]["stats"]
    # Comparison is now 3->3, 4->3: changes 0 and -1.
    assert (st.comparison.pairs, st.comparison.mean_change) == (2, -0.5)
    # Nor do their answers join the served group's: they were given as comparison.
    assert st.served.pairs == 4


def test_a_member_given_a_place_between_the_surveys_is_in_neither_group(db):
    org = make_org()
    programme = make_programme(org, registration_mode="enrol", min_age=14, max_age=19)
    start, end, _, _ = seed_groups(programme, [], [])
    yp = make_young_person("Sam", dob=date(2009, 3, 1))
    reg = Registration(young_person_id=yp.id, programme_id=programme.id, status="waitlisted",
                       waitlisted_at=START - timedelta(days=3))
    db.session.add(reg)
    db.session.flush()
    comparison.include_waiting_list(programme, by=None, now=START - timedelta(days=2))
    trust = {q.code: q.id for q in start.questions}["trust_police"]
    first = surveys.submit(start, {trust: 2}, young_person_id=yp.id, now=START)
    reg.status, reg.confirmed_at = "confirmed", START + timedelta(days=1)  # a place came up
    db.session.flush()
    trust_end = {q.code: q.id for q in end.questions}["trust_police"]
    last = surveys.submit(end, {trust_end: 4}, young_person_id=yp.id, now=END)
    # The start answer was given waiting (comparison), the end answer taking part (served).
    assert (first.comparison, last.comparison) == (True, False)
    # So no pair in either group: a start without the programme and an end with it.
    assert compute("comparison", query(programme))["programmes"][0]["rows"] == []
    assert [c for c in compute("feedback", query(programme))["change"] if c["code"] == "trust_police"] == []


def test_a_programme_without_a_comparison_group_has_no_row(street_safe):
    other = make_programme(street_safe["org"], title="Other")
    got = compute("comparison", MetricQuery(scope=Scope(organisation_id=street_safe["org"].id),
                                            settings=Settings(min_pairs=3), as_of=END + timedelta(days=1)))
    assert [p["programme_id"] for p in got["programmes"]] == [street_safe["programme"].id]
    assert other.id not in {p["programme_id"] for p in got["programmes"]}


def test_the_date_range_applies_to_both_groups(street_safe):
    # From the day after the start survey: nobody has a start answer in the range.
    got = compute("comparison", query(street_safe["programme"], start=START + timedelta(days=1)))
    assert got["programmes"][0]["rows"] == []


def test_instrument_scores_side_by_side(db):
    """Stirling Children's Wellbeing Scale, ages 8-15: every item answered 3 at the start.
    Served end every item 4, comparison end every item 3. The score is the sum of the
    twelve scored items (instruments/stirling.py): 36 at the start, 48 for the served at
    the end, 36 for the comparison: changes +12 and 0, difference +12."""
    org = make_org()
    programme = make_programme(org, registration_mode="enrol", min_age=10, max_age=14)
    start = surveys.ensure_survey(programme, "start", now=START - timedelta(days=8))
    end = surveys.ensure_survey(programme, "end", now=START - timedelta(days=8))
    for survey in (start, end):
        surveys.add_instrument(programme, survey, "stirling")
        db.session.refresh(survey)
    stirling = instruments.get("stirling")

    def items(survey, young_person, kind):
        value = 3 if kind == "start" or young_person.first_name.startswith("Waiting") else 4
        return {q.id: value for q in survey.questions if q.instrument == "stirling"}

    seed_groups(programme, [(3, 3)] * 3, [(3, 3)] * 3, extra=items, dob=date(2014, 1, 1))
    rows = compute("comparison", query(programme))["programmes"][0]["rows"]
    [score] = [r for r in rows if r["kind"] == "score"]
    assert score["code"] == "stirling"
    assert stirling.score({i.number: 3 for i in stirling.items}) == 36
    st = score["stats"]
    assert (st.served.mean_before, st.served.mean_after, st.comparison.mean_after) == (36, 48, 36)
    assert st.difference == 12 and st.ci_low is None  # everyone changed alike: no spread
