"""Delivery and cost worked out by hand on a small fixture (issue 17, point 6).

Friday Club, sessions 18:00-20:00 (London):
  S1 4 Nov   held       A (checked out 19:30: 1.5 h), B (no check-out: 2 h)
  S2 11 Nov  held       A (2 h), C (2 h)
  S3 18 Nov  cancelled
  S4 25 Nov  held, nobody came (no register)
  S5 16 Dec  still to come (as of 10 Dec)
Time: S1 Sam (staff) 2.5 h, Vee (volunteer) 2 h; S2 Sam 2 h; S3 Sam 1 h (came before it was
called off); S5 Sam 2 h (planned ahead, not counted yet).
Cost: Autumn 2026, 1 Sep to 30 Nov (30 + 31 + 30 = 91 days), £910.00; Spring 2027 (all future).
"""
from dataclasses import replace
from datetime import date, datetime

import pytest

from outreach.metrics import MetricQuery, Scope, compute
from outreach.metrics.base import Filters
from outreach.models import Attendance
from outreach.services import delivery
from outreach.timeutil import UTC, local_to_utc
from tests.factories import make_org, make_programme, make_user, make_young_person, session_on
from datetime import time

AS_OF = datetime(2026, 12, 10, 12, 0, tzinfo=UTC)


def at(day, hh, mm=0):
    return local_to_utc(day, time(hh, mm), "Europe/London")


@pytest.fixture()
def club(db):
    org = make_org()
    programme = make_programme(org, title="Friday Club")
    days = [date(2026, 11, 4), date(2026, 11, 11), date(2026, 11, 18), date(2026, 11, 25), date(2026, 12, 16)]
    s = {i: session_on(programme, d) for i, d in enumerate(days, start=1)}
    s[3].status = "cancelled"
    a, b, c = (make_young_person(n) for n in "ABC")

    def came(yp, n, out=None):
        db.session.add(Attendance(session_id=s[n].id, young_person_id=yp.id, method="qr",
                                  checked_in_at=at(days[n - 1], 18), checked_out_at=out))
    came(a, 1, out=at(days[0], 19, 30))
    came(b, 1)
    came(a, 2)
    came(c, 2)
    db.session.commit()
    lead = make_user()
    for n, name, role, hours in [(1, "Sam Lead", "staff", "2.5"), (1, "Vee Volunteer", "volunteer", "2"),
                                 (2, "Sam Lead", "staff", "2"), (3, "Sam Lead", "staff", "1"),
                                 (5, "Sam Lead", "staff", "2")]:
        delivery.record_staff_time(s[n], name=name, role=role, minutes=delivery.parse_hours(hours), by=lead)
    delivery.add_programme_cost(programme, delivery.TermCost("Autumn 2026", date(2026, 9, 1), date(2026, 11, 30),
                                                             delivery.parse_pounds("£910.00")), by=lead)
    delivery.add_programme_cost(programme, delivery.TermCost("Spring 2027", date(2027, 1, 1), date(2027, 3, 31),
                                                             delivery.parse_pounds("1,000")), by=lead)
    return {"org": org, "programme": programme, "s": s}


def q_for(club, **filters):
    return MetricQuery(scope=Scope(programme_id=club["programme"].id), filters=Filters(**filters), as_of=AS_OF)


def test_sessions_planned_and_delivered(club):
    d = compute("delivery", q_for(club))
    # Planned: S1-S4 (ended by 10 Dec) = 4 = delivered 2 (S1, S2) + cancelled 1 (S3) + no register 1 (S4).
    assert (d["planned"], d["delivered"], d["cancelled"], d["no_register"], d["upcoming"]) == (4, 2, 1, 1, 1)


def test_staff_and_volunteer_hours(club):
    d = compute("delivery", q_for(club))
    # Staff: S1 2.5 h + S2 2 h + S3 1 h = 5.5 h (S5's 2 h not yet due); volunteers: 2 h.
    assert d["staff_minutes"] == 150 + 120 + 60 == 330 and d["staff_hours"] == 5.5
    assert d["volunteer_hours"] == 2.0
    # Per delivered session: (5.5 + 2) / 2 = 3.75 h.
    assert d["hours_per_delivered_session"] == 3.75
    assert d["sessions_with_time"] == 3 and d["person_sessions"] == 4


def test_cost_per_participant_and_per_contact_hour_all_so_far(club):
    cost = compute("delivery", q_for(club))["cost"]
    # Autumn counted whole (ended 30 Nov): £910.00 = 91,000 p. Spring is all in the future: 0 days, left out.
    assert cost["pence"] == 91_000 and [t["term"] for t in cost["terms"]] == ["Autumn 2026"]
    # Participants A, B, C = 3: 91,000 / 3 = 30,333.33 p -> £303.33.
    assert cost["participants"] == 3 and cost["per_participant_pence"] == 30_333
    # Contact hours: A 1.5 + B 2 (scheduled) + A 2 + C 2 = 7.5 h: 91,000 / 7.5 = 12,133.33 p -> £121.33.
    assert cost["contact_hours"] == pytest.approx(7.5)
    assert cost["per_contact_hour_pence"] == 12_133
    assert delivery.pounds_text(cost["per_participant_pence"]) == "£303.33"


def test_cost_spread_over_the_terms_days(club):
    # November only: 30 of Autumn's 91 days: 91,000 x 30 / 91 = 30,000 p = £300.00.
    cost = compute("delivery", q_for(club, start=at(date(2026, 11, 1), 0), end=at(date(2026, 12, 1), 0)))["cost"]
    assert cost["terms"][0]["days_counted"] == 30 and cost["terms"][0]["days"] == 91
    assert cost["pence"] == 30_000
    # 3 participants: £100.00 each; 7.5 contact hours: £40.00 an hour.
    assert (cost["per_participant_pence"], cost["per_contact_hour_pence"]) == (10_000, 4_000)


def test_no_cost_in_a_range_no_term_covers_and_none_with_people_filters(club):
    december = compute("delivery", q_for(club, start=at(date(2026, 12, 1), 0), end=at(date(2027, 1, 1), 0)))
    assert december["planned"] == 0 and december["upcoming"] == 1
    assert not december["cost"]["available"] and december["cost"]["per_participant_pence"] is None
    girls = compute("delivery", q_for(club, gender="girl"))["cost"]
    assert not girls["available"] and "filters" in girls["reason"]


def test_organisation_scope_adds_programmes_and_leaves_uncosted_ones_out(club, db):
    other = make_programme(club["org"], title="No Cost Club")
    s = session_on(other, date(2026, 11, 5))
    db.session.add(Attendance(session_id=s.id, young_person_id=make_young_person("D").id, method="qr",
                              checked_in_at=at(date(2026, 11, 5), 18)))
    db.session.commit()
    d = compute("delivery", MetricQuery(scope=Scope(organisation_id=club["org"].id), as_of=AS_OF))
    assert d["planned"] == 5 and d["delivered"] == 3
    # D's programme has no cost: left out, so still 91,000 / 3 participants.
    assert d["cost"]["uncosted_programmes"] == [other.id]
    assert d["cost"]["participants"] == 3 and d["cost"]["per_participant_pence"] == 30_333
