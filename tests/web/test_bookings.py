"""Staff side of bookings: registrations, waiting list, booking on behalf, pass cards."""
import base64
import io
import re
from datetime import date, datetime, timedelta

import pytest
import zxingcpp
from PIL import Image
from sqlalchemy import func, select

from outreach.models import Consent, Registration, YoungPerson
from outreach.services import registration
from outreach.timeutil import UTC
from tests.factories import add_member, make_org, make_programme, make_session, make_user, make_young_person


@pytest.fixture()
def setup(db):
    lead, worker = make_user("lead@example.org"), make_user("worker@example.org")
    org = make_org(lead=lead, worker=worker)
    programme = make_programme(org, "Boxing Fit", capacity=2, min_age=10, max_age=16)
    session = make_session(programme, starts_at=datetime.now(UTC) + timedelta(days=4))
    db.session.commit()
    return {"lead": lead, "worker": worker, "org": org, "programme": programme, "session": session}


def _url(s, suffix=""):
    return f"/org/{s['org'].slug}/programmes/{s['programme'].id}/registrations{suffix}?session={s['session'].id}"


def _book(s, n):
    out = []
    for i in range(n):
        child = make_young_person(f"Kid{i}", dob=date(2013, 1, 1), guardian=make_user())
        out.append(registration.book_place(child, s["programme"], s["session"],
                                           now=datetime.now(UTC) + timedelta(seconds=i)))
    return out


def test_worker_sees_booked_and_waiting_in_order(client, login_as, setup):
    _book(setup, 4)
    login_as(setup["worker"])
    page = client.get(_url(setup)).get_data(as_text=True)
    assert "2 / 2" in page
    assert page.index("Kid2") < page.index("Kid3")  # waiting list in order


def test_worker_books_someone_in_by_phone(client, db, login_as, setup):
    login_as(setup["worker"])
    response = client.post(_url(setup, "/new"), data={
        "first_name": "Jayden", "last_name": "Okoro", "date_of_birth": "2014-06-01", "guardian_name": "Grace Okoro",
        "guardian_phone": "07700 900111", "consent_by_phone": "y", "session_id": setup["session"].id})
    assert response.status_code == 302
    yp = db.session.execute(select(YoungPerson).where(YoungPerson.first_name == "Jayden")).scalar_one()
    assert yp.created_by_organisation_id == setup["org"].id
    reg = db.session.execute(select(Registration).where(Registration.young_person_id == yp.id)).scalar_one()
    assert (reg.status, reg.source) == ("confirmed", "staff")
    assert db.session.execute(select(Consent).where(Consent.young_person_id == yp.id)).scalar_one().given_by_id == \
        setup["worker"].id


def test_under_13_without_consent_is_refused_next_to_the_box(client, db, login_as, setup):
    login_as(setup["worker"])
    response = client.post(_url(setup, "/new"), data={
        "first_name": "Jayden", "last_name": "Okoro", "date_of_birth": "2015-06-01", "guardian_name": "Grace Okoro",
        "guardian_phone": "07700 900111", "session_id": setup["session"].id})
    assert "need a parent or carer" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(YoungPerson)) == 0


@pytest.mark.parametrize("field,value,message", [
    ("first_name", "", "Enter their first name."),
    ("date_of_birth", "2999-01-01", "Date of birth must be in the past."),
    ("guardian_phone", "none", "Enter a phone number"),
    ("last_name", "x" * 61, "cannot be longer than 60"),
])
def test_bad_on_behalf_input_is_explained(client, db, login_as, setup, field, value, message):
    login_as(setup["worker"])
    data = {"first_name": "Jo", "last_name": "Bloggs", "date_of_birth": "2012-01-01", "guardian_name": "Pat",
            "guardian_phone": "07700 900111", "consent_by_phone": "y", field: value}
    response = client.post(_url(setup, "/new"), data=data)
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(YoungPerson)) == 0


def test_booking_on_behalf_outside_the_age_range_stores_nobody(client, db, login_as, setup):
    login_as(setup["worker"])
    response = client.post(_url(setup, "/new"), data={
        "first_name": "Old", "last_name": "Er", "date_of_birth": "2005-01-01", "guardian_name": "Pat",
        "guardian_phone": "07700 900111", "session_id": setup["session"].id})
    assert "ages 10 to 16" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(YoungPerson)) == 0


def test_move_between_confirmed_and_waiting(client, db, login_as, setup):
    a, b, c = _book(setup, 3)
    login_as(setup["worker"])
    client.post(f"/org/{setup['org'].slug}/registrations/{a.id}/move", data={"to": "waiting"})
    client.post(f"/org/{setup['org'].slug}/registrations/{c.id}/move", data={"to": "confirmed"})
    db.session.expire_all()
    assert (a.status, b.status, c.status) == ("waitlisted", "confirmed", "confirmed")
    assert registration.waitlist_position(a) == 1


def test_giving_a_place_when_full_is_refused(client, db, login_as, setup):
    _, _, c = _book(setup, 3)
    login_as(setup["worker"])
    response = client.post(f"/org/{setup['org'].slug}/registrations/{c.id}/move", data={"to": "confirmed"},
                           follow_redirects=True)
    assert "No place is free" in response.get_data(as_text=True)
    db.session.expire_all()
    assert c.status == "waitlisted"


def test_pass_cards_decode_and_are_lead_only(client, login_as, setup, app):
    _book(setup, 2)
    login_as(setup["worker"])
    assert client.get(f"/org/{setup['org'].slug}/programmes/{setup['programme'].id}/pass-cards").status_code == 403
    login_as(setup["lead"])
    page = client.get(f"/org/{setup['org'].slug}/programmes/{setup['programme'].id}/pass-cards?session="
                      f"{setup['session'].id}").get_data(as_text=True)
    images = re.findall(r'src="data:image/png;base64,([^"]+)"', page)
    assert len(images) == 2
    for data in images:
        [text] = [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(base64.b64decode(data))))]
        assert text.startswith(app.config["BASE_URL"] + "/p/")


def test_each_printed_pass_card_has_the_first_name_under_its_code(client, login_as, setup):
    _book(setup, 2)
    login_as(setup["lead"])
    page = client.get(f"/org/{setup['org'].slug}/programmes/{setup['programme'].id}/pass-cards?session="
                      f"{setup['session'].id}").get_data(as_text=True)
    cards = re.findall(r'<div class="pass-sheet__card">(.*?)</div>', page, re.S)
    assert len(cards) == 2
    names = []
    for card in cards:
        name = re.search(r'<p class="pass-sheet__name">(\w+)</p>', card)
        assert card.index("<img") < name.start()
        names.append(name[1])
    assert sorted(names) == ["Kid0", "Kid1"]
