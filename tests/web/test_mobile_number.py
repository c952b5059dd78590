"""An account's mobile number: confirmed with a code (hashed, expiring, tries limited), its choices,
who may have one, and that no form or address lets one family touch another's number."""
import re
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from outreach.models import MobileNumber, OutgoingMessage
from outreach.services import mobile
from outreach.services.sms import normalise_mobile, read_sms_outbox
from outreach.timeutil import UTC
from tests.conftest import deliver
from tests.factories import make_user, make_young_person


@pytest.fixture(autouse=True)
def empty_sms_outbox(app):
    """Texts written by earlier tests (message ids restart with each rolled-back test)."""
    from pathlib import Path

    for old in Path(app.config["MAIL_OUTBOX_DIR"]).glob("*.sms.txt"):
        old.unlink()


@pytest.fixture()
def two_families(db):
    a, b = make_user("a@mobile.example", "Ann A"), make_user("b@mobile.example", "Bob B")
    make_young_person("Kid", "A", guardian=a)
    make_young_person("Kid", "B", guardian=b)
    db.session.commit()
    return a, b


def _code(app, number="+447700900555"):
    deliver()
    texts = [t for t in read_sms_outbox(app.config["MAIL_OUTBOX_DIR"]) if t["to"] == number]
    newest = max(texts, key=lambda t: int(t["reference"].rsplit("-", 1)[1]))  # the newest message id
    return re.search(r"code is (\d{6})", newest["body"]).group(1)


def _row(db, user):
    db.session.expire_all()
    return db.session.scalar(select(MobileNumber).where(MobileNumber.user_id == user.id))


@pytest.mark.parametrize("typed,e164", [("07700 900555", "+447700900555"), ("+44 7700 900555", "+447700900555"),
                                        ("(07700) 900-555", "+447700900555"), ("0044 7700 900555", "+447700900555"),
                                        ("+33 6 12 34 56 78", "+33612345678"), ("0161 496 0000", None),
                                        ("07700 90055", None), ("call me", None), ("+44 161 496 0000", None),
                                        ("9" * 40, None), ("", None)])
def test_mobile_numbers_are_read_as_people_type_them(typed, e164):
    assert normalise_mobile(typed) == e164


def test_a_guardian_confirms_with_the_texted_code(app, db, client, login_as, two_families):
    a, _ = two_families
    login_as(a)
    assert client.post("/account/mobile", data={"number": "07700 900555"}).status_code == 302
    row = _row(db, a)
    code = _code(app)
    assert not row.confirmed and row.code_hash and code not in row.code_hash and len(row.code_hash) == 64
    page = client.get("/account/mobile/confirm").get_data(as_text=True)
    assert "07700 900 555" in page
    assert client.post("/account/mobile/confirm", data={"code": f" {code[:3]} {code[3:]} "}).status_code == 302
    row = _row(db, a)
    assert row.confirmed and row.code_hash is None


def test_wrong_codes_are_limited_then_a_new_code_is_needed(app, db, client, login_as, two_families):
    a, _ = two_families
    login_as(a)
    client.post("/account/mobile", data={"number": "07700 900555"})
    code = _code(app)
    wrong = f"{(int(code) + 1) % 10 ** 6:06d}"
    for left in (4, 3, 2, 1):
        page = client.post("/account/mobile/confirm", data={"code": wrong}).get_data(as_text=True)
        assert f"try {left} more time" in page
    page = client.post("/account/mobile/confirm", data={"code": wrong}).get_data(as_text=True)
    assert "Too many wrong codes" in page
    page = client.post("/account/mobile/confirm", data={"code": code}).get_data(as_text=True)  # right, too late
    assert "Too many wrong codes" in page and "<title>Error:" in page
    assert not _row(db, a).confirmed


def test_a_code_runs_out(app, db, two_families):
    a, _ = two_families
    now = datetime.now(UTC)
    mobile.start(a, "07700 900555", secret_key="k", age_of_consent=13, now=now)
    code = _code(app)
    with pytest.raises(mobile.ValidationError) as err:
        mobile.confirm(a, code, secret_key="k", now=now + timedelta(minutes=16))
    assert err.value.code == "code_expired"
    assert mobile.confirm(a, code, secret_key="k", now=now + timedelta(minutes=14)).confirmed


def test_codes_sent_per_hour_are_limited(app, db, two_families):
    a, _ = two_families
    now = datetime.now(UTC)
    for i in range(3):
        mobile.start(a, "07700 900555", secret_key="k", age_of_consent=13, now=now + timedelta(minutes=i))
    with pytest.raises(mobile.ConflictError) as err:
        mobile.start(a, "07700 900555", secret_key="k", age_of_consent=13, now=now + timedelta(minutes=5))
    assert err.value.code == "too_many_codes"
    mobile.start(a, "07700 900555", secret_key="k", age_of_consent=13, now=now + timedelta(minutes=61))


def test_only_the_newest_code_works(app, db, two_families):
    a, _ = two_families
    now = datetime.now(UTC) - timedelta(minutes=5)  # both codes due to send now
    mobile.start(a, "07700 900555", secret_key="k", age_of_consent=13, now=now)
    first = _code(app)
    mobile.start(a, "07700 900555", secret_key="k", age_of_consent=13, now=now + timedelta(minutes=1))
    second = _code(app)
    if first != second:
        with pytest.raises(mobile.ValidationError):
            mobile.confirm(a, first, secret_key="k", now=now + timedelta(minutes=2))
    assert mobile.confirm(a, second, secret_key="k", now=now + timedelta(minutes=2)).confirmed


def test_another_familys_code_confirms_nothing_of_mine(app, db, client, login_as, two_families):
    """b has no number: a's code, typed into b's session, finds no code for b and leaves a's row alone."""
    a, b = two_families
    login_as(a)
    client.post("/account/mobile", data={"number": "07700 900555"})
    code = _code(app)
    login_as(b)
    response = client.post("/account/mobile/confirm", data={"code": code, "user_id": a.id})
    assert response.status_code == 302  # b has no number: sent to add one
    assert _row(db, b) is None and not _row(db, a).confirmed
    # Routes act on the signed-in account only: an id of someone else's in the form is ignored.
    client.post("/account/mobile/choices", data={"user_id": a.id, "bookings": "y"})
    client.post("/account/mobile/remove", data={"user_id": a.id})
    client.post("/account/mobile/resend", data={"user_id": a.id})
    assert _row(db, a) is not None and _row(db, b) is None
    assert client.get("/account/mobile").status_code == 200


def test_choices_decide_which_texts_come(app, db, client, login_as, two_families):
    a, _ = two_families
    login_as(a)
    client.post("/account/mobile", data={"number": "07700 900555"})
    client.post("/account/mobile/confirm", data={"code": _code(app)})
    client.post("/account/mobile/choices", data={"reminders": "y"})  # bookings and cancellations unticked
    row = _row(db, a)
    assert (row.text_bookings, row.text_reminders, row.text_cancellations) == (False, True, False)
    assert mobile.confirmed_numbers_for([a], "booking_confirmed") == []
    assert mobile.confirmed_numbers_for([a], "reminder") == ["+447700900555"]


def test_no_text_but_the_code_goes_to_an_unconfirmed_number(app, db, two_families):
    a, _ = two_families
    mobile.start(a, "07700 900555", secret_key="k", age_of_consent=13)
    assert mobile.confirmed_numbers_for([a], "reminder") == []


def test_a_young_person_under_the_age_of_consent_has_no_mobile(app, db, client, login_as):
    today = date.today()
    child_login = make_user("young-under@mobile.example")
    make_young_person("Tia", "Young", dob=date(today.year - 11, 1, 1), user_id=child_login.id)
    teen_login = make_user("young-over@mobile.example")
    make_young_person("Teo", "Young", dob=date(today.year - 14, 1, 1), user_id=teen_login.id)
    db.session.commit()
    login_as(child_login)
    assert client.get("/account/mobile").status_code == 403
    assert client.post("/account/mobile", data={"number": "07700 900555"}).status_code == 403
    assert _row(db, child_login) is None
    login_as(teen_login)
    assert client.post("/account/mobile", data={"number": "07700 900556"}).status_code == 302


@pytest.mark.parametrize("typed", ["0161 496 0000", "x" * 31, "07700", "\x00\x01", "+44 7700 900555 ext 2"])
def test_a_number_that_is_not_a_mobile_is_explained(db, client, login_as, two_families, typed):
    a, _ = two_families
    login_as(a)
    response = client.post("/account/mobile", data={"number": typed})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'class="field__error"' in page and "<title>Error:" in page
    assert _row(db, a) is None
    assert db.session.scalar(select(OutgoingMessage).where(OutgoingMessage.channel == "sms")) is None


def test_the_lead_page_is_for_the_organisations_leads_only(db, client, login_as):
    from tests.factories import add_member, make_org
    lead, worker, other_lead = make_user("l@m.example"), make_user("w@m.example"), make_user("o@m.example")
    org = make_org("Mine", slug="mine", lead=lead)
    add_member(org, worker, "worker")
    make_org("Theirs", slug="theirs", lead=other_lead)
    db.session.commit()
    login_as(lead)
    assert client.get("/org/mine/messages").status_code == 200
    assert "No texts yet" in client.get("/org/mine/messages").get_data(as_text=True)
    login_as(worker)
    assert client.get("/org/mine/messages").status_code == 403
    login_as(other_lead)
    assert client.get("/org/mine/messages").status_code == 404
