"""Text messages end to end, against local stand-ins for GOV.UK Notify and Twilio (tests/smsservers.py)
reached over real HTTP by the providers' own clients, pointed at them by the base URL settings.

A guardian confirms a mobile number with the code the provider delivered; the day-before reminder
goes by text; a reply CANCEL cancels that booking and the first on the waiting list is confirmed and
told (email and text); a reply with a bad or missing signature is refused; an unknown number or a
number with no reminder touches nothing; delivery receipts reach the lead's page; a provider that
hangs or answers 500 leaves the text in the outbox to be tried again, and nobody waits long.
"""
import re
import time
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from outreach.models import MobileNumber, OutgoingMessage, Registration
from outreach.listeners import send_reminder
from outreach.services import registration, reminders
from outreach.timeutil import UTC
from tests.conftest import deliver
from tests.factories import make_org, make_programme, make_session, make_user, make_young_person
from tests.smsservers import FakeNotify, FakeTwilio

G1_NUMBER, G2_NUMBER, STRANGER = "07700 900111", "07700 900222", "+447700900333"


@pytest.fixture(params=["notify", "twilio"])
def provider(request, app, monkeypatch):
    fake = (FakeNotify if request.param == "notify" else FakeTwilio)().start()
    fake.name = request.param
    for key, value in fake.configure(app.config).items():
        monkeypatch.setitem(app.config, key, value)
    monkeypatch.setitem(app.config, "SMS_TIMEOUT", 1.0)
    yield fake
    fake.stop()


def _last_code(fake, number_e164: str) -> str:
    bodies = [s["body"] for s in fake.sent if s.get("to", s.get("phone_number")) == number_e164]
    return re.search(r"code is (\d{6})", bodies[-1]).group(1)


def _confirm_mobile(client, login_as, fake, user, typed):
    login_as(user)
    assert client.post("/account/mobile", data={"number": typed}).status_code == 302
    deliver()
    e164 = "+44" + re.sub(r"\D", "", typed)[1:]
    response = client.post("/account/mobile/confirm", data={"code": _last_code(fake, e164)})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return e164


@pytest.fixture()
def family(db, app, client, login_as, provider):
    """A session tomorrow with one place: Ava (guardian g1) has it, Ben (guardian g2) waits."""
    lead = make_user("lead@texts.example")
    org = make_org("Texting Club", slug="texting", lead=lead)
    programme = make_programme(org, "Friday Football", capacity=1, registration_mode="per_session")
    now = datetime.now(UTC)
    session = make_session(programme, starts_at=now + timedelta(hours=24))
    g1, g2 = make_user("g1@texts.example", "Gia One"), make_user("g2@texts.example", "Gus Two")
    ava = make_young_person("Ava", "One", guardian=g1)
    ben = make_young_person("Ben", "Two", guardian=g2)
    db.session.commit()
    registration.book_place(ava, programme, session, now=now)
    waiting = registration.book_place(ben, programme, session, now=now + timedelta(seconds=1))
    assert waiting.status == "waitlisted"
    n1 = _confirm_mobile(client, login_as, provider, g1, G1_NUMBER)
    n2 = _confirm_mobile(client, login_as, provider, g2, G2_NUMBER)
    deliver()
    return dict(lead=lead, org=org, programme=programme, session=session, g1=g1, g2=g2, ava=ava, ben=ben,
                n1=n1, n2=n2, now=now)


def _remind(family):
    sent = reminders.send_due_reminders(send_reminder, now=family["now"])
    assert sent == 2 or sent == 1
    deliver()


def _callback(client, provider, kind, *, from_number=None, body=None, sid=None, status=None, token=None):
    """Post what the provider would post to our callback, signed (or not) as it signs."""
    if provider.name == "twilio":
        path = f"/sms/twilio/{kind}"
        url = "http://localhost" + path
        headers, params = (provider.inbound(url, from_number, body, token=token) if kind == "inbound"
                           else provider.status(url, sid, status, token=token))
        return client.post(path, data=params, headers=headers)
    path = f"/sms/notify/{kind}"
    headers, payload = (provider.inbound(from_number, body, token=token) if kind == "inbound"
                        else provider.delivery_receipt(sid, status, token=token))
    return client.post(path, json=payload, headers=headers)


def _status(db, reg):
    db.session.expire_all()
    return db.session.get(Registration, reg.id).status


def _reg(db, yp, session):
    return db.session.scalar(select(Registration).where(Registration.young_person_id == yp.id,
                                                        Registration.session_id == session.id))


def test_the_code_arrives_by_the_provider_and_is_kept_hashed(db, family, provider):
    mobile = db.session.scalar(select(MobileNumber).where(MobileNumber.user_id == family["g1"].id))
    assert mobile.confirmed and mobile.number == "+447700900111"
    assert mobile.code_hash is None  # gone once used
    code_texts = [s for s in provider.sent if "code is" in s["body"]]
    assert len(code_texts) == 2  # one per guardian, over HTTP to the provider's API


def test_reply_cancel_to_a_reminder_cancels_and_promotes_the_waiting_list(db, client, family, provider, outbox):
    _remind(family)
    reminder = [s for s in provider.sent if "tomorrow" in s["body"]]
    assert len(reminder) == 1 and "Reply CANCEL" in reminder[0]["body"]  # only Ava is booked: only g1 is reminded
    ava_booking, ben_booking = _reg(db, family["ava"], family["session"]), _reg(db, family["ben"], family["session"])
    before = len(provider.sent)

    response = _callback(client, provider, "inbound", from_number=family["n1"], body="Cancel")
    assert response.status_code == 200
    assert _status(db, ava_booking) == "cancelled"
    assert _status(db, ben_booking) == "confirmed"

    mails = outbox()  # delivers what waits: the emails and the texts
    texts = provider.sent[before:]
    assert any(t.get("to", t.get("phone_number")) == family["n2"] and "place came up" in t["body"] for t in texts)
    assert any(t.get("to", t.get("phone_number")) == family["n1"] and "is cancelled" in t["body"] for t in texts)
    assert any(m["to"] == "g2@texts.example" and "A place came up" in m["subject"] for m in mails)


@pytest.mark.parametrize("words", ["CANCEL", "cancel.", "Can't come", "cant come", "can\u2019t come please",
                                   "ANULUJ", "nie mogę przyjść", "منسوخ", "نہیں آ سکتی", "إلغاء", "لا أستطيع الحضور"])
def test_the_ways_people_say_cancel(db, client, family, provider, words):
    _remind(family)
    assert _callback(client, provider, "inbound", from_number=family["n1"], body=words).status_code == 200
    assert _status(db, _reg(db, family["ava"], family["session"])) == "cancelled"


@pytest.mark.parametrize("token", ["wrong-token-0123456789", ""])
def test_a_reply_with_a_bad_or_missing_signature_is_refused(db, client, family, provider, token):
    _remind(family)
    if provider.name == "twilio" and token == "":
        url = "http://localhost/sms/twilio/inbound"
        _, params = provider.inbound(url, family["n1"], "CANCEL")
        response = client.post("/sms/twilio/inbound", data=params)  # no X-Twilio-Signature at all
    else:
        response = _callback(client, provider, "inbound", from_number=family["n1"], body="CANCEL", token=token)
    assert response.status_code == 403
    assert _status(db, _reg(db, family["ava"], family["session"])) == "confirmed"
    assert _status(db, _reg(db, family["ben"], family["session"])) == "waitlisted"


def test_a_signed_reply_changed_on_the_way_is_refused(db, client, family, provider):
    if provider.name != "twilio":
        pytest.skip("Notify's callbacks carry a bearer token, not a signature over the body")
    _remind(family)
    url = "http://localhost/sms/twilio/inbound"
    headers, params = provider.inbound(url, "+447700900444", "CANCEL")
    params["From"] = family["n1"]  # someone else's number swapped in after signing
    assert client.post("/sms/twilio/inbound", data=params, headers=headers).status_code == 403
    assert _status(db, _reg(db, family["ava"], family["session"])) == "confirmed"


@pytest.mark.parametrize("case", ["unknown_number", "no_reminder", "other_words", "not_a_number"])
def test_a_reply_that_matches_nothing_is_answered_and_touches_nothing(db, client, family, provider, case):
    if case != "no_reminder":
        _remind(family)
    before = len(provider.sent)
    sender = {"unknown_number": STRANGER, "no_reminder": family["n1"], "other_words": family["n1"],
              "not_a_number": "OUTREACH"}[case]
    words = "maybe next week" if case == "other_words" else "CANCEL"
    response = _callback(client, provider, "inbound", from_number=sender, body=words)
    assert response.status_code == 200
    assert _status(db, _reg(db, family["ava"], family["session"])) == "confirmed"
    assert _status(db, _reg(db, family["ben"], family["session"])) == "waitlisted"
    deliver()
    assert len(provider.sent) == before  # nobody is texted back


def test_a_reply_from_the_other_guardian_does_not_cancel_someone_elses_child(db, client, family, provider):
    """g2 was not reminded about Ava: their CANCEL finds no reminder of theirs."""
    _remind(family)
    assert _callback(client, provider, "inbound", from_number=family["n2"], body="CANCEL").status_code == 200
    assert _status(db, _reg(db, family["ava"], family["session"])) == "confirmed"


def test_a_number_removed_after_the_reminder_cancels_nothing(db, client, login_as, family, provider):
    _remind(family)
    login_as(family["g1"])
    client.post("/account/mobile/remove", data={})
    assert _callback(client, provider, "inbound", from_number=family["n1"], body="CANCEL").status_code == 200
    assert _status(db, _reg(db, family["ava"], family["session"])) == "confirmed"


@pytest.mark.parametrize("word,shown", [("delivered", "Delivered"), ("failed", "Not delivered")])
def test_delivery_status_from_the_provider_is_shown_to_the_lead(db, client, login_as, family, provider, word, shown):
    _remind(family)
    message = db.session.scalar(select(OutgoingMessage).where(OutgoingMessage.kind == "reminder",
                                                              OutgoingMessage.channel == "sms"))
    assert message.status == "sent" and message.delivery_status == "sent" and message.provider_ref
    provider_word = {"notify": {"delivered": "delivered", "failed": "permanent-failure"},
                     "twilio": {"delivered": "delivered", "failed": "undelivered"}}[provider.name][word]
    response = _callback(client, provider, "status", sid=message.provider_ref, status=provider_word)
    assert response.status_code in (200, 204)
    db.session.expire_all()
    assert db.session.get(OutgoingMessage, message.id).delivery_status == word
    login_as(family["lead"])
    page = client.get("/org/texting/messages").get_data(as_text=True)
    assert shown in page and "Reminder" in page and "ending 111" in page
    assert "+447700900111" not in page  # the lead sees that it arrived, not the number


def test_a_delivery_receipt_with_a_bad_token_is_refused(db, client, family, provider):
    _remind(family)
    message = db.session.scalar(select(OutgoingMessage).where(OutgoingMessage.kind == "reminder",
                                                              OutgoingMessage.channel == "sms"))
    response = _callback(client, provider, "status", sid=message.provider_ref, status="delivered", token="nope")
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(OutgoingMessage, message.id).delivery_status == "sent"


@pytest.mark.parametrize("mode", ["hang", "error"])
def test_a_provider_that_hangs_or_fails_leaves_the_text_to_try_again(db, app, family, provider, mode):
    provider.mode, provider.hang_seconds = mode, 3.0
    reminders.send_due_reminders(send_reminder, now=family["now"])
    started, now = time.monotonic(), datetime.now(UTC)
    report = deliver(now=now)
    took = time.monotonic() - started
    assert took < 2.5, f"the worker waited {took:.1f}s on the provider (SMS_TIMEOUT is 1s)"
    assert report.retrying == 1  # the text; the reminder email went to the mail outbox
    db.session.expire_all()
    message = db.session.scalar(select(OutgoingMessage).where(OutgoingMessage.kind == "reminder",
                                                              OutgoingMessage.channel == "sms"))
    assert (message.status, message.attempts) == ("pending", 1)
    assert message.next_attempt_at > now and message.last_error
    provider.mode = "ok"
    deliver(now=message.next_attempt_at + timedelta(seconds=1))
    db.session.expire_all()
    assert db.session.get(OutgoingMessage, message.id).status == "sent"
    assert any("tomorrow" in s["body"] for s in provider.sent)
