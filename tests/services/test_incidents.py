"""Accidents and incidents at a session (issue #18 point 2): recorded by any member, the guardian
of each injured young person told by email through the outbox the same day in plain words, a
lead's review list by month in the organisation's time zone, kept for the claims period."""
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from outreach.errors import ValidationError
from outreach.models import GuardianLink, Incident, Registration
from outreach.services import family, incidents, retention
from outreach.timeutil import UTC, local_to_utc
from tests.factories import make_org, make_programme, make_session, make_user, make_young_person

WHEN = local_to_utc(date(2026, 12, 4), time(18, 42), "Europe/London")


@pytest.fixture()
def door(db):
    lead, worker = make_user("lead@northside.example.org"), make_user("worker@northside.example.org", "Tom Brennan")
    org = make_org("Northside Police Community Team", slug="northside", lead=lead, worker=worker,
                   contact_email="hello@northside.example.org")
    programme = make_programme(org, "Friday Football")
    session = make_session(programme, starts_at=WHEN - timedelta(minutes=42))
    mum, dad = make_user("mum@example.org"), make_user("dad@example.org")
    hurt = make_young_person("Ava", "Okafor", dob=date(2012, 6, 1), guardian=mum)
    db.session.add(GuardianLink(guardian_id=dad.id, young_person_id=hurt.id))
    there = make_young_person("Ben", "Ash", dob=date(2011, 1, 1), guardian=make_user("bens.parent@example.org"))
    for yp in (hurt, there):
        db.session.add(Registration(young_person_id=yp.id, session_id=session.id, status="confirmed"))
    db.session.commit()
    return {"org": org, "lead": lead, "worker": worker, "session": session, "hurt": hurt, "there": there}


def _details(door, **kw):
    values = dict(occurred_at=WHEN, what_happened="Ava tripped over a cone and grazed her knee.",
                  location="Sports hall", first_aid="Cleaned the graze and put a plaster on it.",
                  follow_up="Replace the cones with flat markers.",
                  young_person_ids=[door["there"].id], injured_ids=[door["hurt"].id],
                  staff_user_ids=[door["worker"].id])
    values.update(kw)
    return incidents.IncidentDetails(**values)


def _record(door, **kw):
    return incidents.record_incident(door["org"], door["session"], door["worker"], _details(door, **kw), now=WHEN)


def test_the_injured_young_persons_guardians_are_emailed_in_plain_words(door, db, smtp_server):
    incident = _record(door)
    messages = smtp_server.messages
    assert sorted(m["To"] for m in messages) == ["dad@example.org", "mum@example.org"]  # not Ben's parent
    body = messages[0].get_body(("plain",)).get_content()
    assert messages[0]["Subject"] == "Ava was hurt at Friday Football"
    assert "Ava was hurt at Friday Football on Friday 4 December at 18:42, at Sports hall." in body
    assert "Ava tripped over a cone and grazed her knee." in body
    assert "Cleaned the graze and put a plaster on it." in body
    assert "contact Northside Police Community Team: hello@northside.example.org" in body
    assert "None" not in body and "Ben" not in body
    assert [p.guardians_told_at for p in incident.injured] == [WHEN]
    assert incidents.not_told(incident) == []


def test_an_injured_walk_in_without_a_guardian_email_is_shown_to_phone(door, db, outbox):
    walk_in = make_young_person("Cal", "Dee", created_by_organisation_id=door["org"].id)
    incident = _record(door, injured_ids=[walk_in.id], young_person_ids=[])
    assert [p.young_person_id for p in incidents.not_told(incident)] == [walk_in.id]
    assert outbox() == []


def test_only_young_people_the_organisation_knows_and_its_own_staff(door, db):
    stranger = make_young_person("Xanthippe", "Unmetson")
    other_org_worker = make_user()
    make_org(worker=other_org_worker)
    for kw, code in [({"injured_ids": [stranger.id]}, "unknown_young_person"),
                     ({"young_person_ids": [stranger.id]}, "unknown_young_person"),
                     ({"staff_user_ids": [other_org_worker.id]}, "unknown_staff"),
                     ({"what_happened": "  "}, "what_required"),
                     ({"occurred_at": WHEN + timedelta(hours=1)}, "occurred_in_future")]:
        with pytest.raises(ValidationError) as err:
            _record(door, **kw)
        assert err.value.code == code
        db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Incident)) == 0


def test_the_review_list_goes_by_calendar_month_in_the_organisations_time_zone(door, db):
    # 00:30 on 1 July in London is 23:30 on 30 June in UTC: a July incident.
    july = local_to_utc(date(2026, 7, 1), time(0, 30), "Europe/London")
    june = local_to_utc(date(2026, 6, 30), time(23, 0), "Europe/London")
    first = _record(door, occurred_at=july)
    second = _record(door, occurred_at=june)
    assert [i.id for i in incidents.for_month(door["org"], date(2026, 7, 1))] == [first.id]
    assert [i.id for i in incidents.for_month(door["org"], date(2026, 6, 1))] == [second.id]
    assert incidents.months_with_incidents(door["org"]) == [date(2026, 7, 1), date(2026, 6, 1)]


def test_kept_to_the_21st_birthday_of_a_child_in_it_then_removed(door, db, runner):
    incident = _record(door, young_person_ids=[])  # only Ava, born 1 June 2012: 21 on 1 June 2033
    schedule = retention.Schedule(medical_notes_days=10_000, anonymise_days=10_000)
    assert incidents.keep_until(incident, 3) == date(2033, 6, 1)
    assert retention.purge_expired(schedule, now=datetime(2033, 6, 1, tzinfo=UTC)).incidents_removed == 0
    dry = retention.purge_expired(schedule, now=datetime(2033, 6, 2, tzinfo=UTC), dry_run=True)
    assert dry.incidents_removed == 1 and db.session.get(Incident, incident.id) is not None
    assert retention.purge_expired(schedule, now=datetime(2033, 6, 2, tzinfo=UTC)).incidents_removed == 1
    assert db.session.get(Incident, incident.id) is None


def test_erasing_a_child_keeps_the_incident_without_their_name(door, db):
    incident = _record(door)
    mum = door["hurt"].guardian_links[0].guardian
    family.erase_child(mum, door["hurt"], now=WHEN + timedelta(days=2))
    db.session.expire_all()
    kept = db.session.get(Incident, incident.id)
    assert kept.what_happened == "A. tripped over a cone and grazed her knee."
    assert incidents.person_name(kept.injured[0]) == "A.O., born 1 Jun 2012 (record erased)"


def test_the_familys_download_lists_the_incidents(door, db):
    _record(door)
    mum = door["hurt"].guardian_links[0].guardian
    data = family.export_child(mum, door["hurt"], now=WHEN)
    assert data["incidents"][0]["what_happened"].startswith("Ava tripped") and data["incidents"][0]["injured"]
