"""Who answered the start and end surveys, per start cohort (issue 17, point 2), on a
hand-built programme whose counts are all in this file, and the same table as it leaves
the organisation, suppressed by the rules in metrics/suppression.py (threshold 5).

    cohort     who (first session)          start  end   paired
    Oct 2026   O1..O7 (7 Oct; O7 14 Oct)    O1-O6  O1-O4, O7   O1-O4  -> 7 started, 6, 5, 4
    Nov 2026   N1..N3 (4 Nov)               N1-N2  N1          N1     -> 3 started, 2, 1, 1
    all                                                                -> 10, 8, 6, 5
    comparison W1..W4 (waiting list)        W1-W3  W1-W2       W1-W2  -> 4 members, 3, 2, 2
"""
from datetime import date, datetime, time

import pytest

from outreach.extensions import db
from outreach.metrics import MetricQuery, Scope, compute
from outreach.models import Attendance, Registration
from outreach.services import comparison, surveys
from outreach.timeutil import UTC, local_to_utc
from outreach.metrics.survey_response import survey_response_view
from tests.factories import make_org, make_programme, make_young_person, session_on

AS_OF = datetime(2026, 12, 10, 12, 0, tzinfo=UTC)
OCT7, OCT14, NOV4, NOV11 = date(2026, 10, 7), date(2026, 10, 14), date(2026, 11, 4), date(2026, 11, 11)


def at(day, hh=12):
    return local_to_utc(day, time(hh), "Europe/London")


@pytest.fixture()
def answered(db):
    programme = make_programme(make_org(), title="Youth Voice", registration_mode="enrol", min_age=11, max_age=17)
    s = {day: session_on(programme, day) for day in (OCT7, OCT14, NOV4, NOV11)}
    start, end = (surveys.ensure_survey(programme, kind, now=at(OCT7, 9)) for kind in ("start", "end"))
    people = {}

    def person(name, first_day, *, waiting=False):
        yp = make_young_person(name, dob=date(2012, 1, 1))
        db.session.add(Registration(young_person_id=yp.id, programme_id=programme.id,
                                    status="waitlisted" if waiting else "confirmed", created_at=at(OCT7, 9),
                                    confirmed_at=None if waiting else at(OCT7, 9),
                                    waitlisted_at=at(OCT7, 9) if waiting else None))
        if not waiting:
            db.session.add(Attendance(session_id=s[first_day].id, young_person_id=yp.id,
                                      checked_in_at=s[first_day].starts_at, method="qr"))
        people[name] = yp

    for n in range(1, 7):
        person(f"O{n}", OCT7)
    person("O7", OCT14)
    for n in range(1, 4):
        person(f"N{n}", NOV4)
    for n in range(1, 5):
        person(f"W{n}", None, waiting=True)
    db.session.flush()
    comparison.include_waiting_list(programme, by=None, now=at(OCT7, 10))

    def answer(survey, names, day):
        for name in names:
            surveys.submit(survey, {survey.questions[0].id: 3}, young_person_id=people[name].id, now=at(day, 21))

    answer(start, ["O1", "O2", "O3", "O4", "O5", "O6"], OCT7)
    answer(end, ["O1", "O2", "O3", "O4", "O7"], NOV11)
    answer(start, ["N1", "N2"], NOV4)
    answer(end, ["N1"], NOV11)
    answer(start, ["W1", "W2", "W3"], OCT7)
    answer(end, ["W1", "W2"], NOV11)
    return programme


def figures(programme):
    return compute("survey_response", MetricQuery(scope=Scope(programme_id=programme.id), as_of=AS_OF))


def test_started_answered_at_start_at_end_and_paired_per_cohort(answered):
    (p,) = figures(answered)["programmes"]
    assert [(c["cohort"], c["started"], c["at_start"], c["at_end"], c["paired"]) for c in p["cohorts"]] == [
        ("2026-10", 7, 6, 5, 4),
        ("2026-11", 3, 2, 1, 1),
    ]
    assert p["all"] == {"started": 10, "at_start": 8, "at_end": 6, "paired": 5}


def test_the_comparison_group_has_its_own_line_and_is_in_no_cohort(answered):
    (p,) = figures(answered)["programmes"]
    assert p["comparison"] == {"members": 4, "at_start": 3, "at_end": 2, "paired": 2}


def test_the_lead_sees_every_count_with_its_share_of_those_who_started(answered):
    view = survey_response_view(figures(answered), shared=False, t=5, titles={})
    rows = view["programmes"][0]["rows"]
    assert [(r["label"], [(c["count"], c["share"]) for c in r["cells"]]) for r in rows] == [
        ("Started Oct 2026", [(7, None), (6, "86%"), (5, "71%"), (4, "57%")]),
        ("Started Nov 2026", [(3, None), (2, "67%"), (1, "33%"), (1, "33%")]),
        ("All cohorts", [(10, None), (8, "80%"), (6, "60%"), (5, "50%")]),
    ]


def test_shared_small_counts_are_hidden_and_cannot_be_worked_out_from_the_total(answered):
    view = survey_response_view(figures(answered), shared=True, t=5, titles={})
    p = view["programmes"][0]
    got = [(r["label"], [(c["count"], c["share"]) for c in r["cells"]]) for r in p["rows"]]
    # Started: 3 is under 5; the total 10 is shown, so 7 is hidden too (10 - 7 = 3).
    # At start: 2 hidden, so 6 too (8 - 6). At end: 1 hidden, so 5 too (6 - 5); and a hidden cell is
    # at least 5, so 6 = (5 or more) + (1 to 4) would still give both away: the total 6 goes as well.
    # Paired: 4 and 1 both under 5; their total 5 leaves 1+4, 2+3, 3+2 or 4+1, so nothing more is hidden.
    assert got == [
        ("Started Oct 2026", [("x", None), ("x", None), ("x", None), ("<5", None)]),
        ("Started Nov 2026", [("<5", None), ("<5", None), ("<5", None), ("<5", None)]),
        ("All cohorts", [(10, None), (8, "80%"), ("x", None), (5, "50%")]),
    ]
    assert [(c["count"], c["share"]) for c in p["comparison"]["cells"]] == [
        ("<5", None), ("<5", None), ("<5", None), ("<5", None)]
    shown = [c["count"] for r in p["rows"] + [p["comparison"]] for c in r["cells"]]
    assert not any(isinstance(n, int) and 1 <= n <= 4 for n in shown)
