"""Staff hours at a session and a programme's cost per term: validation, who may, and the dashboard."""
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from outreach.models import ProgrammeCost, SessionStaffTime
from outreach.timeutil import UTC
from tests.factories import add_member, make_org, make_programme, make_session, make_user


@pytest.fixture()
def place(db):
    lead, worker = make_user("lead@a.example"), make_user("worker@a.example")
    org = make_org("Partner A", slug="partner-a", lead=lead)
    add_member(org, worker, "worker")
    programme = make_programme(org, "Youth Club")
    session = make_session(programme, starts_at=datetime.now(UTC) - timedelta(hours=3))
    other_lead = make_user("lead@b.example")
    other = make_org("Partner B", slug="partner-b", lead=other_lead)
    db.session.commit()
    return {"org": org, "lead": lead, "worker": worker, "programme": programme, "session": session,
            "other_lead": other_lead, "other": other}


def _staff_url(p, org=None):
    return f"/org/{(org or p['org']).slug}/sessions/{p['session'].id}/staff-time"


def _count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("hours", ["-1", "0", "24.01", "25", "1e9", "NaN", "inf", "-0", "99999999999999999999",
                                   "2.555", "2,5", "\uff12", "\u0662", "", "12:60", "1" * 5000, "0x10"])
def test_hostile_hours_are_refused_with_400_and_nothing_saved(client, login_as, db, place, hours):
    login_as(place["worker"])
    response = client.post(_staff_url(place), data={"name": "Sam", "role": "staff", "hours": hours})
    assert response.status_code == 400
    assert _count(db, SessionStaffTime) == 0


@pytest.mark.parametrize("hours, minutes", [("2.5", 150), ("2:30", 150), ("24", 1440), ("0.25", 15), (".5", 30)])
def test_hours_are_kept_as_whole_minutes(client, login_as, db, place, hours, minutes):
    login_as(place["worker"])
    response = client.post(_staff_url(place), data={"name": "Sam", "role": "volunteer", "hours": hours})
    assert response.status_code == 302
    entry = db.session.execute(select(SessionStaffTime)).scalar_one()
    assert (entry.minutes, entry.role) == (minutes, "volunteer")


def test_the_same_person_again_replaces_their_time(client, login_as, db, place):
    login_as(place["worker"])
    client.post(_staff_url(place), data={"name": "Sam Ali", "role": "staff", "hours": "2"})
    client.post(_staff_url(place), data={"name": "  sam   ALI ", "role": "staff", "hours": "3"})
    assert [e.minutes for e in db.session.execute(select(SessionStaffTime)).scalars()] == [180]
    page = client.get(_staff_url(place)).get_data(as_text=True)
    assert "3 h" in page and "None" not in page


def test_another_partners_lead_gets_404_and_writes_nothing(client, login_as, db, place):
    login_as(place["other_lead"])
    assert client.get(_staff_url(place, place["other"])).status_code == 404
    assert client.post(_staff_url(place, place["other"]), data={"name": "X", "role": "staff", "hours": "2"}
                       ).status_code == 404
    assert client.post(_costs_url(place, place["other"]), data=_cost()).status_code == 404
    assert _count(db, SessionStaffTime) == _count(db, ProgrammeCost) == 0


def _costs_url(p, org=None):
    return f"/org/{(org or p['org']).slug}/programmes/{p['programme'].id}/costs"


def _cost(**kw):
    return {"term": "Autumn 2026", "first_day": "2026-09-01", "last_day": "2026-12-18", "amount": "£1,250.50",
            "note": ""} | kw


def test_cost_is_kept_as_integer_pence(client, login_as, db, place):
    login_as(place["lead"])
    assert client.post(_costs_url(place), data=_cost()).status_code == 302
    row = db.session.execute(select(ProgrammeCost)).scalar_one()
    assert row.amount_pence == 125_050 and isinstance(row.amount_pence, int)
    assert "£1,250.50" in client.get(_costs_url(place)).get_data(as_text=True)


@pytest.mark.parametrize("fields", [{"amount": "-5"}, {"amount": "12.345"}, {"amount": "1e3"}, {"amount": "NaN"},
                                    {"amount": "£10,000,000.01"}, {"amount": "9" * 40},
                                    {"amount": "\uff11\uff10"}, {"amount": "1,25"}, {"first_day": "2026-12-19"}, {"first_day": "0001-01-01"},
                                    {"last_day": "9999-12-31"}, {"last_day": "2028-01-01"}, {"term": ""},
                                    {"term": "x" * 61}])
def test_hostile_costs_are_refused_with_400(client, login_as, db, place, fields):
    login_as(place["lead"])
    assert client.post(_costs_url(place), data=_cost(**fields)).status_code == 400
    assert _count(db, ProgrammeCost) == 0


def test_overlapping_terms_are_refused(client, login_as, db, place):
    login_as(place["lead"])
    client.post(_costs_url(place), data=_cost())
    response = client.post(_costs_url(place), data=_cost(term="Overlap", first_day="2026-12-01",
                                                          last_day="2027-03-31"))
    assert response.status_code == 400 and "overlap" in response.get_data(as_text=True)
    assert _count(db, ProgrammeCost) == 1


def test_workers_cannot_enter_costs(client, login_as, db, place):
    login_as(place["worker"])
    assert client.get(_costs_url(place)).status_code in (403, 404)
    assert client.post(_costs_url(place), data=_cost()).status_code in (403, 404)
    assert _count(db, ProgrammeCost) == 0


def test_dashboard_shows_delivery_and_cost(client, login_as, db, place):
    from outreach.models import Attendance
    from tests.factories import make_young_person

    s = place["session"]
    for name in ("Ann", "Bob"):
        db.session.add(Attendance(session_id=s.id, young_person_id=make_young_person(name).id, method="qr",
                                  checked_in_at=s.starts_at))
    db.session.commit()
    login_as(place["lead"])
    client.post(_staff_url(place), data={"name": "Sam", "role": "staff", "hours": "3"})
    today = date.today()
    client.post(_costs_url(place), data=_cost(first_day=(today - timedelta(days=9)).isoformat(),
                                              last_day=today.isoformat(), amount="100"))
    page = client.get(f"/org/{place['org'].slug}/evaluation/programmes/{place['programme'].id}").get_data(as_text=True)
    assert "Delivery and cost" in page
    # One held session with a register; the whole 10-day term inside: £100 / 2 young people = £50.00,
    # 2 contact hours each (no check-out: the session's 2 h): £100 / 4 h = £25.00.
    assert "1 of 1" in page and "£50.00" in page and "£25.00" in page and "3.0 h" in page
    report = client.get(f"/org/{place['org'].slug}/evaluation/report?programme={place['programme'].id}")
    text = report.get_data(as_text=True)
    # Shared: 2 participants is a small number, so the cost per participant would give it away.
    assert "£50.00" not in text and "&lt;5" in text
