"""A lead's figure for their force area (services/benchmarks.py): one rule per test."""
import math

import pytest

from outreach.errors import NotFoundError, ValidationError
from outreach.models import AreaBenchmark
from outreach.services import benchmarks
from outreach.services.benchmarks import AreaFigure
from tests.factories import make_org, make_programme, make_user

GOOD = dict(area="Greater Manchester Police", percent=46.0, year="Year ending March 2025", source="ONS tables")


@pytest.fixture()
def programme(db):
    return make_programme(make_org())


def test_a_figure_is_saved_and_a_second_replaces_it(programme, db):
    lead = make_user()
    benchmarks.set_area_figure(programme, "csew_police_1", AreaFigure(**GOOD), by=lead)
    benchmarks.set_area_figure(programme, "csew_police_1", AreaFigure(**GOOD | {"percent": 47.26}), by=lead)
    [row] = db.session.query(AreaBenchmark).filter_by(programme_id=programme.id).all()
    # One row per programme and question; the share kept to one decimal, as typed figures are published.
    assert (row.area, row.percent, row.added_by_id) == ("Greater Manchester Police", 47.3, lead.id)


@pytest.mark.parametrize("percent", [-1, 100.1, math.nan, math.inf, None])
def test_a_share_outside_0_to_100_is_refused(programme, percent):
    with pytest.raises(ValidationError) as err:
        benchmarks.set_area_figure(programme, "csew_police_1", AreaFigure(**GOOD | {"percent": percent}), by=None)
    assert (err.value.code, err.value.field) == ("percent_range", "percent")


@pytest.mark.parametrize("field", ["area", "year", "source"])
def test_area_year_and_source_are_required(programme, field):
    with pytest.raises(ValidationError) as err:
        benchmarks.set_area_figure(programme, "csew_police_1", AreaFigure(**GOOD | {field: "   "}), by=None)
    assert (err.value.code, err.value.field) == ("empty", field)


def test_a_question_without_a_national_figure_is_not_found(programme):
    with pytest.raises(NotFoundError) as err:
        benchmarks.set_area_figure(programme, "swemwbs_1", AreaFigure(**GOOD), by=None)
    assert err.value.code == "unknown_question"


def test_removing_takes_the_figure_off(programme, db):
    benchmarks.set_area_figure(programme, "csew_police_1", AreaFigure(**GOOD), by=None)
    assert benchmarks.remove_area_figure(programme, "csew_police_1", by=None) is True
    assert benchmarks.remove_area_figure(programme, "csew_police_1", by=None) is False
    assert db.session.query(AreaBenchmark).count() == 0
