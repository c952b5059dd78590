"""Issue 17, point 5: a programme's share answering Good or Excellent to the CSEW rating, at
start and at end, beside the national figure and the lead's force-area figure.

Four served young people (17) answer "how good a job do you think the police in this area
are doing?" (Very poor 1 ... Excellent 5): at the start 5 4 3 2, so 2 of 4 say Good or
Excellent (50%); at the end 5 5 4 3, so 3 of 4 (75%). Two in the comparison group answer
5 5 and 4 5: not the programme's figure."""
from datetime import timedelta

import pytest

from outreach.metrics import MetricQuery, Scope, Settings, compute
from outreach.services import benchmarks as benchmark_service
from outreach.services import surveys
from outreach.services.benchmarks import AreaFigure
from tests.comparison_course import END, START, seed_groups
from tests.factories import make_org, make_programme, make_user


@pytest.fixture()
def rated(db):
    org = make_org()
    programme = make_programme(org, title="Street Safe", registration_mode="enrol", min_age=16, max_age=19)
    for kind in ("start", "end"):
        survey = surveys.ensure_survey(programme, kind, now=START - timedelta(days=7))
        surveys.add_instrument(programme, survey, "csew_police")
        db.session.refresh(survey)
    seed_groups(programme, [(5, 5), (4, 5), (3, 4), (2, 3)], [(5, 5), (4, 5)], code="csew_police_1")
    return {"org": org, "programme": programme}


def query(scope):
    return MetricQuery(scope=scope, settings=Settings(), as_of=END + timedelta(days=1))


def test_the_programmes_share_at_start_and_end_beside_the_national_figure(rated):
    [row] = compute("benchmark", query(Scope(programme_id=rated["programme"].id)))["rows"]
    assert row["question"] == "csew_police_1"
    assert row["start"] == {"counted": 2, "answers": 4, "share": 0.5}
    assert row["end"] == {"counted": 3, "answers": 4, "share": 0.75}
    assert (row["national"].percent, row["national"].year) == (49.0, "Year ending March 2025")
    assert row["area"] is None


def test_the_leads_force_area_figure_is_beside_it(rated):
    benchmark_service.set_area_figure(rated["programme"], "csew_police_1", AreaFigure(
        area="Greater Manchester Police", percent=46.0, year="Year ending March 2025",
        source="ONS, Police force area data tables"), by=make_user())
    [row] = compute("benchmark", query(Scope(programme_id=rated["programme"].id)))["rows"]
    assert row["area"] == {"area": "Greater Manchester Police", "percent": 46.0, "year": "Year ending March 2025",
                           "source": "ONS, Police force area data tables"}


def test_a_programme_that_did_not_ask_the_question_has_no_row(rated):
    other = make_programme(rated["org"])
    surveys.ensure_survey(other, "start")
    rows = compute("benchmark", query(Scope(organisation_id=rated["org"].id)))["rows"]
    assert [r["programme_id"] for r in rows] == [rated["programme"].id]
