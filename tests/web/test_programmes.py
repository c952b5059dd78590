"""A lead's programme pages: create, weekly sessions with preview, edit, cancel with emails."""
from datetime import date, datetime, timedelta

from sqlalchemy import select

from outreach.models import Programme, ProgrammeSession
from outreach.services import registration
from outreach.timeutil import UTC, to_local
from tests.factories import make_org, make_programme, make_session, make_user, make_young_person

FORM = dict(title="Friday Night Football", description="Five-a-side.", category="sport",
            venue_name="Longsight Sports Centre", venue_address="1 Stockport Rd, Manchester",
            postcode_district="m13", min_age="11", max_age="16", capacity="20", registration_mode="per_session")


def test_lead_creates_a_programme_and_weekly_sessions(client, db, login_as):
    lead = make_user()
    org = make_org(lead=lead, safeguarding_lead=lead)
    db.session.commit()
    login_as(lead)
    resp = client.post(f"/org/{org.slug}/programmes/new", data=FORM)
    programme = db.session.execute(select(Programme).where(Programme.organisation_id == org.id)).scalar_one()
    assert resp.headers["Location"].endswith(f"/programmes/{programme.id}/sessions/generate")
    assert programme.postcode_district == "M13" and programme.is_published is False

    first = date(date.today().year + 1, 1, 5)
    fridays = [first + timedelta(days=d) for d in range(55) if (first + timedelta(days=d)).weekday() == 4]
    rule = dict(weekday="4", start="18:00", end="20:00", first_date=first.isoformat(),
                last_date=fridays[-1].isoformat(), skip_dates=fridays[1].strftime("%d/%m/%Y"))
    expected = len(fridays) - 1
    preview = client.post(f"/org/{org.slug}/programmes/{programme.id}/sessions/generate",
                          data={**rule, "action": "preview"}).get_data(as_text=True)
    assert f"{expected} sessions to add" in preview and "skipped" in preview
    assert db.session.execute(select(ProgrammeSession)).first() is None  # a preview makes nothing
    client.post(f"/org/{org.slug}/programmes/{programme.id}/sessions/generate", data={**rule, "action": "create"})
    sessions = db.session.execute(select(ProgrammeSession).order_by(ProgrammeSession.starts_at)).scalars().all()
    assert len(sessions) == expected
    assert all(to_local(s.starts_at, "Europe/London").strftime("%a %H:%M") == "Fri 18:00" for s in sessions)

    client.post(f"/org/{org.slug}/programmes/{programme.id}/publish")
    db.session.refresh(programme)
    assert programme.is_published
    page = client.get(f"/org/{org.slug}/").get_data(as_text=True)
    assert "Friday Night Football" in page and "Published" in page


def test_invalid_programme_form_shows_errors_next_to_fields(client, db, login_as):
    lead = make_user()
    org = make_org(lead=lead)
    db.session.commit()
    login_as(lead)
    resp = client.post(f"/org/{org.slug}/programmes/new", data={**FORM, "min_age": "16", "max_age": "11",
                                                                "postcode_district": "not a postcode"})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "oldest age must not be below" in page and "first part of the postcode" in page


def test_workers_see_programmes_but_cannot_change_them(client, db, login_as):
    lead, worker = make_user(), make_user()
    org = make_org(lead=lead, worker=worker)
    programme = make_programme(org)
    db.session.commit()
    login_as(worker)
    assert client.get(f"/org/{org.slug}/programmes/{programme.id}").status_code == 200
    assert client.get(f"/org/{org.slug}/programmes/new").status_code == 403
    assert client.post(f"/org/{org.slug}/programmes/{programme.id}/unpublish").status_code == 403


def test_edit_a_single_session(client, db, login_as):
    lead = make_user()
    org = make_org(lead=lead)
    programme = make_programme(org)
    s = make_session(programme)
    db.session.commit()
    login_as(lead)
    url = f"/org/{org.slug}/programmes/{programme.id}/sessions/{s.id}/edit"
    form = client.get(url).get_data(as_text=True)
    assert to_local(s.starts_at, "Europe/London").strftime("%H:%M") in form
    day = (datetime.now(UTC) + timedelta(days=20)).date()
    client.post(url, data={"day": day.isoformat(), "start": "10:00", "end": "12:30", "venue_name": "The Annexe",
                           "venue_address": "", "capacity": "8"})
    db.session.refresh(s)
    local = to_local(s.starts_at, "Europe/London")
    assert (local.date(), local.hour, s.capacity, s.effective_venue_name) == (day, 10, 8, "The Annexe")


def test_cancelling_a_session_asks_first_and_emails_everyone_booked(client, db, login_as, outbox):
    lead = make_user()
    org = make_org(lead=lead)
    programme = make_programme(org, "Street Dance")
    s = make_session(programme)
    guardians = [make_user(f"parent{i}@example.org") for i in range(2)]
    for g in guardians:
        registration.book_place(make_young_person(dob=date(2012, 1, 1), guardian=g), programme, s)
    db.session.commit()
    login_as(lead)
    url = f"/org/{org.slug}/programmes/{programme.id}/sessions/{s.id}/cancel"
    confirm = client.get(url).get_data(as_text=True)
    assert "2 people are booked" in confirm
    before = len(outbox())
    assert "Give a reason" in client.post(url, data={"reason": ""}).get_data(as_text=True)
    client.post(url, data={"reason": "The hall is closed for repairs."})
    db.session.refresh(s)
    assert s.status == "cancelled"
    cancelled = [m for m in outbox()[: len(outbox()) - before] if m["subject"].startswith("Cancelled")]
    assert sorted(m["to"] for m in cancelled) == ["parent0@example.org", "parent1@example.org"]
    assert all("closed for repairs" in m["text"] for m in cancelled)


def test_bad_session_and_rule_input_gets_a_message_next_to_the_field(client, db, login_as):
    lead = make_user()
    org = make_org(lead=lead)
    programme = make_programme(org)
    db.session.commit()
    login_as(lead)
    base = f"/org/{org.slug}/programmes/{programme.id}/sessions"
    day = (datetime.now(UTC) + timedelta(days=9)).date().isoformat()
    cases = [
        (base + "/new", {"day": day, "start": "20:00", "end": "18:00"}, "end after it starts"),
        (base + "/new", {"day": day, "start": "18:00", "end": "20:00", "capacity": "-1"}, "from 0 to 10,000"),
        (base + "/new", {"day": "2020-01-01", "start": "18:00", "end": "20:00"}, "in the future"),
        (base + "/new", {"day": "31/02/2027", "start": "18:00", "end": "20:00"}, "Not a valid date"),
        (base + "/generate", {"weekday": "2", "start": "18:00", "end": "17:00", "first_date": day,
                              "last_date": day}, "end after it starts"),
        (base + "/generate", {"weekday": "2", "start": "18:00", "end": "19:00", "first_date": "2027-03-01",
                              "last_date": "2027-01-01"}, "on or after the first"),
        (f"/org/{org.slug}/programmes/new", {**FORM, "capacity": "-5"}, "from 1 to 10,000"),
        (f"/org/{org.slug}/programmes/new", {**FORM, "title": ""}, "Give the programme a title"),
        (f"/org/{org.slug}/programmes/new", {**FORM, "title": "x" * 500}, "longer than 120"),
    ]
    for url, data, message in cases:
        resp = client.post(url, data=data)
        page = resp.get_data(as_text=True)
        assert resp.status_code == 200, (url, data)
        assert 'class="field__error"' in page and message in page, (url, data, message)
    assert db.session.execute(select(ProgrammeSession)).first() is None


def test_a_lead_sets_the_sessions_that_make_a_regular_attendee_or_leaves_the_default(client, db, login_as):
    lead = make_user()
    org = make_org(lead=lead)
    db.session.commit()
    login_as(lead)
    form = client.get(f"/org/{org.slug}/programmes/new").get_data(as_text=True)
    assert "Sessions that make a regular attendee" in form and "at least 75% of the sessions offered" in form
    client.post(f"/org/{org.slug}/programmes/new", data=FORM)
    programme = db.session.execute(select(Programme).where(Programme.organisation_id == org.id)).scalar_one()
    assert programme.regular_sessions is None  # left blank: the default rule
    for bad in ("0", "-3", "1201", "eight", "9" * 30):
        page = client.post(f"/org/{org.slug}/programmes/{programme.id}/edit", data={**FORM, "regular_sessions": bad})
        assert page.status_code == 200, bad
        html = page.get_data(as_text=True)
        assert "field__error" in html and "regular_sessions-error" in html, bad
        db.session.refresh(programme)
        assert programme.regular_sessions is None
    client.post(f"/org/{org.slug}/programmes/{programme.id}/edit", data={**FORM, "regular_sessions": "8"})
    db.session.refresh(programme)
    assert programme.regular_sessions == 8
    edit = client.get(f"/org/{org.slug}/programmes/{programme.id}/edit").get_data(as_text=True)
    assert 'name="regular_sessions"' in edit and 'value="8"' in edit
    client.post(f"/org/{org.slug}/programmes/{programme.id}/edit", data={**FORM, "regular_sessions": ""})
    db.session.refresh(programme)
    assert programme.regular_sessions is None
