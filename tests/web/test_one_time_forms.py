"""Forms that create people or bookings carry a one-time token: sent twice, they create once.

During a database restart staff saw a 500 for bookings that had been saved, and the natural retry
created the young person again. Each form here is fetched as a person would, its token read from
the page, and posted twice: one young person, and the second answer leads to the first result.
"""
import re
from datetime import date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from outreach.models import Attendance, FormToken, Registration, YoungPerson
from outreach.services import family, one_time, retention
from outreach.services.family import ChildDetails
from outreach.timeutil import UTC
from tests.factories import add_member, make_org, make_programme, make_session, make_user


def _count(db, model, **where):
    stmt = select(func.count()).select_from(model)
    for key, value in where.items():
        stmt = stmt.where(getattr(model, key) == value)
    return db.session.execute(stmt).scalar_one()


def _open(client, url):
    """The form's page as a browser gets it: sent on to its address with a token, then shown."""
    first = client.get(url)
    assert first.status_code == 302 and "once=" in first.headers["Location"]
    page = client.get(first.headers["Location"])
    assert page.status_code == 200
    return first.headers["Location"], page


def _token(page) -> str:
    found = re.search(r'name="form_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="form_token"',
                      page.get_data(as_text=True))
    assert found, "the form carries no one-time token"
    return found.group(1) or found.group(2)


@pytest.fixture()
def door(db):
    """An organisation with a worker, a session happening now and a guardian, all committed."""
    lead, worker = make_user("lead@once.example.org"), make_user("worker@once.example.org")
    org = make_org("Once Club", lead=lead, worker=worker)
    programme = make_programme(org, registration_mode="per_session", min_age=8, max_age=18, capacity=10)
    session = make_session(programme, starts_at=datetime.now(UTC) - timedelta(minutes=10), hours=3)
    later = make_session(programme, starts_at=datetime.now(UTC) + timedelta(days=5))
    guardian = make_user("guardian@once.example.org")
    db.session.commit()
    return {"org": org, "lead": lead, "worker": worker, "programme": programme, "session": session,
            "later": later, "guardian": guardian}


PERSON = {"first_name": "Kai", "last_name": "Mensah", "date_of_birth": "2012-03-04", "guardian_name": "Ama Mensah",
          "guardian_phone": "07700 900456", "consent_by_phone": "y"}
CHILD = {"first_name": "Noor", "last_name": "Haddad", "date_of_birth": "2014-06-07", "emergency_contact_name": "Sami",
         "emergency_contact_phone": "07700 900789", "consent": "y"}


def _forms(door):
    slug, p = door["org"].slug, door["programme"]
    return {
        "walk_in": ("worker", f"/org/{slug}/sessions/{door['session'].id}/walk-in", PERSON),
        "book_on_behalf": ("worker", f"/org/{slug}/programmes/{p.id}/registrations/new?session={door['later'].id}",
                           {**PERSON, "session_id": door["later"].id}),
        "add_child": ("guardian", "/family/children/new", CHILD),
    }


@pytest.mark.parametrize("action", ["walk_in", "book_on_behalf", "add_child"])
def test_the_same_form_sent_twice_creates_one_young_person(client, db, login_as, door, action):
    who, url, data = _forms(door)[action]
    login_as(door[who])
    url, page = _open(client, url)
    token = _token(page)

    first = client.post(url, data={**data, "form_token": token})
    assert first.status_code == 302, first.get_data(as_text=True)[:500]
    second = client.post(url, data={**data, "form_token": token})

    assert _count(db, YoungPerson, first_name=data["first_name"]) == 1
    assert second.status_code == 302
    assert second.headers["Location"] == first.headers["Location"]  # leads to the first result
    page = client.get(second.headers["Location"])
    assert "This was already saved" in page.get_data(as_text=True)
    if action == "walk_in":
        assert _count(db, Attendance, session_id=door["session"].id) == 1
        attendance = db.session.execute(select(Attendance)).scalar_one()
        assert f"last={attendance.id}" in second.headers["Location"]
    if action == "book_on_behalf":
        assert _count(db, Registration, session_id=door["later"].id) == 1
    saved = db.session.execute(select(FormToken)).scalar_one()
    assert (saved.user_id, saved.action, saved.token) == (door[who].id, action, token)


@pytest.mark.parametrize("action", ["walk_in", "book_on_behalf", "add_child"])
def test_a_fresh_page_gives_a_fresh_token_so_a_second_person_can_be_added(client, db, login_as, door, action):
    who, url, data = _forms(door)[action]
    login_as(door[who])
    one, two = _token(_open(client, url)[1]), _token(_open(client, url)[1])
    assert one != two
    assert client.post(url, data={**data, "form_token": one}).status_code == 302
    # A second young person of the same name really exists sometimes (twins' cousins): a new form adds them.
    assert client.post(url, data={**data, "form_token": two}).status_code == 302
    assert _count(db, YoungPerson, first_name=data["first_name"]) == 2


@pytest.mark.parametrize("action", ["walk_in", "book_on_behalf", "add_child"])
def test_going_back_to_the_page_and_sending_it_again_is_a_repeat(client, db, login_as, door, action):
    """The retry after an error page: back to the form (its address holds the token), fill it in
    again, send. The page shows the same token, so nobody is added twice."""
    who, url, data = _forms(door)[action]
    login_as(door[who])
    address, page = _open(client, url)
    first = client.post(address, data={**data, "form_token": _token(page)})
    assert first.status_code == 302
    again = client.get(address)  # "Back": the same address, so the same token
    assert again.status_code == 200
    second = client.post(address, data={**data, "form_token": _token(again)})
    assert second.headers["Location"] == first.headers["Location"]
    assert _count(db, YoungPerson, first_name=data["first_name"]) == 1


def test_the_token_redirect_keeps_the_query_and_drops_url_for_options(client, login_as, door):
    login_as(door["worker"])
    slug, p = door["org"].slug, door["programme"]
    answer = client.get(f"/org/{slug}/programmes/{p.id}/registrations/new?session={door['later'].id}"
                        "&_external=1&_scheme=javascript")
    location = answer.headers["Location"]
    assert location.startswith(f"/org/{slug}/programmes/{p.id}/registrations/new?")
    query = parse_qs(urlsplit(location).query)
    assert query["session"] == [str(door["later"].id)] and len(query["once"][0]) >= 16
    assert not [name for name in query if name.startswith("_")]


def test_a_form_sent_back_with_an_error_keeps_its_token_and_the_corrected_one_saves(client, db, login_as, door):
    _, url, data = _forms(door)["walk_in"]
    login_as(door["worker"])
    url, page = _open(client, url)
    token = _token(page)
    wrong = client.post(url, data={**data, "guardian_phone": "none", "form_token": token})
    assert wrong.status_code == 200 and _token(wrong) == token  # nothing was saved, so the token is unused
    assert client.post(url, data={**data, "form_token": token}).status_code == 302
    assert _count(db, YoungPerson, first_name="Kai") == 1


def test_a_refused_booking_leaves_its_token_unused(client, db, login_as, door):
    """The token is written in the transaction of what it guards: a booking refused after the young
    person was made (outside the age range) rolls both back, and the corrected form saves."""
    _, url, data = _forms(door)["book_on_behalf"]
    login_as(door["worker"])
    url, page = _open(client, url)
    token = _token(page)
    refused = client.post(url, data={**data, "date_of_birth": "2001-01-01", "form_token": token})
    assert refused.status_code == 200
    assert _count(db, FormToken) == 0 and _count(db, YoungPerson) == 0
    assert client.post(url, data={**data, "form_token": token}).status_code == 302
    assert _count(db, YoungPerson, first_name="Kai") == 1


def test_someone_elses_token_does_not_lead_to_their_child(client, db, login_as, door):
    other = make_user("other-guardian@once.example.org")
    db.session.commit()
    _, url, data = _forms(door)["add_child"]
    login_as(door["guardian"])
    url, page = _open(client, url)
    token = _token(page)
    first = client.post(url, data={**data, "form_token": token})
    client.get(first.headers["Location"])  # its message read, as a person would

    login_as(other)
    answer = client.post(url, data={**data, "first_name": "Zara", "form_token": token})
    assert answer.status_code == 302
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "This was already saved" not in page
    assert "Zara" in page and "Noor" not in page  # their own child, nothing of the first family's
    assert [c.first_name for c in family.children_of(other)] == ["Zara"]


def test_a_worker_of_another_organisation_with_the_token_gets_nothing_of_the_first(client, db, login_as, door):
    _, url, data = _forms(door)["walk_in"]
    login_as(door["worker"])
    url, page = _open(client, url)
    token = _token(page)
    assert client.post(url, data={**data, "form_token": token}).status_code == 302

    stranger = make_user("stranger@elsewhere.example.org")
    elsewhere = make_org("Elsewhere", lead=make_user())
    add_member(elsewhere, stranger, "worker")
    db.session.commit()
    login_as(stranger)
    # Their own organisation's URL is the only one they can open; the first walk-in stays out of sight.
    assert client.post(url, data={**data, "form_token": token}).status_code in (403, 404)
    assert _count(db, YoungPerson, first_name="Kai") == 1


def test_a_tampered_or_missing_token_still_saves_once(client, db, login_as, door):
    _, url, data = _forms(door)["add_child"]
    login_as(door["guardian"])
    assert client.post(url, data={**data, "form_token": "<script>" * 20}).status_code == 302
    assert client.post(url, data={**data, "first_name": "Lena"}).status_code == 302
    assert _count(db, YoungPerson) == 2
    assert all(one_time.TOKEN.fullmatch(t.token) for t in db.session.execute(select(FormToken)).scalars())


def test_the_service_refuses_a_repeat_and_writes_nothing(db, door):
    details = ChildDetails(first_name="Ines", last_name="Costa", date_of_birth=date(2013, 2, 2),
                           emergency_contact_name="Rui", emergency_contact_phone="07700 900321")
    token = "t" * 32
    child = family.add_child(door["guardian"], details, consent_given=True, once=token)
    with pytest.raises(one_time.AlreadySavedError) as repeat:
        family.add_child(door["guardian"], details, consent_given=True, once=token)
    assert (repeat.value.saved.result_type, repeat.value.saved.result_id) == ("YoungPerson", child.id)
    assert repeat.value.code == "already_saved"
    db.session.rollback()
    assert _count(db, YoungPerson, first_name="Ines") == 1


def test_the_retention_purge_forgets_tokens_after_30_days(db, door, app):
    now = datetime.now(UTC)
    for age_days, token in ((31, "o" * 32), (29, "n" * 32)):
        db.session.add(FormToken(user_id=door["guardian"].id, action="add_child", token=token, result_type="x",
                                 result_id=1, created_at=now - timedelta(days=age_days)))
    db.session.commit()
    report = retention.purge_expired(retention.Schedule.from_config(app.config), now=now)
    assert report.form_tokens_removed == 1
    assert [t.token for t in db.session.execute(select(FormToken)).scalars()] == ["n" * 32]
    assert retention.purge_expired(retention.Schedule.from_config(app.config), now=now,
                                   dry_run=True).form_tokens_removed == 0
