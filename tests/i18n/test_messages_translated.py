"""Emails and text messages to families in their own language: every word marked for translation
(the pseudo-language), each email and text in its recipient account's language (two guardians of
one child reading the same booking in Urdu and in Polish), and a reply in each language cancels."""
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from outreach.listeners import send_reminder
from outreach.models import GuardianLink, MobileNumber, OutgoingMessage, Registration
from outreach.services import comparison, incidents, programmes, registration, reminders, replies
from outreach.timeutil import UTC, local_to_utc
from tests.conftest import deliver
from tests.factories import make_org, make_programme, make_session, make_user, make_young_person
from tests.i18n import pseudo

M = pseudo.marked
NUMBERS = {"en_GB": "+447700900401", "pl": "+447700900402", "ur": "+447700900403", "ar": "+447700900404",
           pseudo.CODE: "+447700900405"}


def _mobile(user, number):
    from outreach.extensions import db

    db.session.add(MobileNumber(user_id=user.id, number=number, confirmed_at=datetime.now(UTC)))
    db.session.flush()


@pytest.fixture()
def club(db):
    """A marked organisation, programme and venue (data is not translated), a session tomorrow with one place."""
    lead = make_user("lead@club.example", M("Lena Lead"))
    org = make_org(M("Northside Youth Club"), slug="northside-club", lead=lead, contact_email="hello@club.example")
    programme = make_programme(org, M("Friday Football"), capacity=1, venue_name=M("Sports Hall"),
                               venue_address=M("1 High Street"))
    session = make_session(programme, starts_at=(datetime.now(UTC) + timedelta(hours=24)).replace(microsecond=0))
    return dict(lead=lead, org=org, programme=programme, session=session)


@pytest.fixture()
def guardian(db, pseudo_language):
    user = make_user("amira@family.example", M("Amira Khan"), language=pseudo_language)
    _mobile(user, NUMBERS[pseudo.CODE])
    return user


def _mine(outbox, address):
    return [m for m in outbox() if m["to"] == address]


def _assert_marked(mail, what):
    left = pseudo.unmarked_text(mail["subject"]) + pseudo.unmarked_text(mail["text"])
    assert not left, f"{what}: words not marked for translation:\n" + "\n".join(left)


def _texts(db, number, kind):
    return [m.text for m in db.session.scalars(select(OutgoingMessage).where(
        OutgoingMessage.channel == "sms", OutgoingMessage.recipient == number, OutgoingMessage.kind == kind))]


def _assert_text_marked(db, number, kind):
    texts = _texts(db, number, kind)
    assert texts, f"no {kind} text to {number}"
    for text in texts:
        left = pseudo.unmarked_text(text)
        assert not left, f"the {kind} text: words not marked for translation:\n" + "\n".join(left)


def test_booking_emails_and_texts_are_marked(db, club, guardian, outbox):
    child = make_young_person(M("Zara"), "Khan", guardian=guardian)
    other = make_young_person(M("Omar"), "Khan", guardian=guardian)
    db.session.commit()
    now = datetime.now(UTC)
    registration.book_place(child, club["programme"], club["session"], now=now)
    waiting = registration.book_place(other, club["programme"], club["session"], now=now + timedelta(seconds=1))
    assert waiting.status == "waitlisted"
    [booked] = [m for m in _mine(outbox, guardian.email) if "Zara" in m["text"]]
    _assert_marked(booked, "booking confirmed")
    _assert_text_marked(db, NUMBERS[pseudo.CODE], "booking_confirmed")

    # Zara's place goes: Omar moves off the waiting list.
    reg = db.session.scalar(select(Registration).where(Registration.young_person_id == child.id))
    registration.cancel_booking(reg, by=guardian, now=now + timedelta(minutes=1))
    promoted = [m for m in _mine(outbox, guardian.email) if "Omar" in m["text"] and m is not booked]
    assert len(promoted) == 1
    _assert_marked(promoted[0], "booking promoted")
    _assert_text_marked(db, NUMBERS[pseudo.CODE], "booking_promoted")


def test_a_course_booking_email_is_marked(db, club, guardian, outbox):
    course = make_programme(club["org"], M("Saturday Coding"), registration_mode="enrol", venue_name=M("Library"),
                            venue_address=M("2 Low Street"))
    for days in (3, 10):
        make_session(course, starts_at=datetime.now(UTC) + timedelta(days=days))
    child = make_young_person(M("Zara"), "Khan", guardian=guardian)
    db.session.commit()
    registration.book_place(child, course, now=datetime.now(UTC))
    [mail] = _mine(outbox, guardian.email)
    assert "2" in mail["text"]
    _assert_marked(mail, "course booked")


def test_the_reminder_email_and_text_are_marked(db, club, guardian, outbox):
    child = make_young_person(M("Zara"), "Khan", guardian=guardian)
    db.session.commit()
    now = datetime.now(UTC)
    registration.book_place(child, club["programme"], club["session"], now=now)
    outbox()
    reminders.send_due_reminders(send_reminder, now=now)
    [mail] = [m for m in _mine(outbox, guardian.email) if m["subject"].startswith(pseudo.OPEN + "Tomorrow")]
    _assert_marked(mail, "reminder")
    _assert_text_marked(db, NUMBERS[pseudo.CODE], "reminder")


def test_the_session_cancelled_email_and_text_are_marked(db, club, guardian, outbox):
    child = make_young_person(M("Zara"), "Khan", guardian=guardian)
    db.session.commit()
    registration.book_place(child, club["programme"], club["session"], now=datetime.now(UTC))
    outbox()
    programmes.cancel_session(club["session"], reason=M("The hall is flooded"), by=club["lead"])
    [mail] = [m for m in _mine(outbox, guardian.email) if M("The hall is flooded") in m["text"]]
    _assert_marked(mail, "session cancelled")
    _assert_text_marked(db, NUMBERS[pseudo.CODE], "session_cancelled")


def test_the_injury_email_is_marked(db, club, guardian, outbox):
    when = local_to_utc(date.today(), time(0, 1), "Europe/London")
    session = make_session(club["programme"], starts_at=when)
    child = make_young_person(M("Zara"), "Khan", guardian=guardian)
    db.session.add(Registration(young_person_id=child.id, session_id=session.id, status="confirmed"))
    db.session.commit()
    for location in (M("Sports hall"), None):
        incidents.record_incident(club["org"], session, club["lead"], incidents.IncidentDetails(
            occurred_at=when, what_happened=M("Zara tripped"), location=location, first_aid=None,
            follow_up=M("New cones"), injured_ids=[child.id]), now=when + timedelta(minutes=5))
    mails = _mine(outbox, guardian.email)
    assert len(mails) == 2
    for mail in mails:
        _assert_marked(mail, "incident with an injury")


def test_the_comparison_invitations_are_marked(db, club, guardian, outbox):
    first = make_young_person(M("Zara"), "Khan", guardian=guardian)
    waiting = make_young_person(M("Omar"), "Khan", guardian=guardian)
    db.session.commit()
    registration.book_place(first, club["programme"], club["session"], now=datetime.now(UTC))
    registration.book_place(waiting, club["programme"], club["session"], now=datetime.now(UTC))
    other = make_programme(club["org"], M("Art Club"))
    make_session(other, starts_at=datetime.now(UTC) + timedelta(days=14))
    db.session.commit()
    outbox()
    assert comparison.include_waiting_list(club["programme"], by=club["lead"]) == 1
    assert comparison.add_not_yet_served(other, club["programme"], by=club["lead"]) >= 1
    mails = [m for m in _mine(outbox, guardian.email)]
    assert len(mails) >= 2
    for mail in mails:
        _assert_marked(mail, "comparison invitation")


def test_account_emails_are_marked(db, client, pseudo_client, guardian, outbox):
    assert client.post("/forgot-password", data={"email": guardian.email}).status_code == 200
    [reset] = _mine(outbox, guardian.email)
    assert "/reset-password/" in reset["text"]
    _assert_marked(reset, "password reset")

    form = {"kind": "guardian", "full_name": M("Sam Carer"), "phone": "07700 900111",
            "password": "a brand new passphrase", "confirm": "a brand new passphrase"}
    assert client.post("/signup", data=dict(form, email=guardian.email)).status_code == 200
    exists = [m for m in _mine(outbox, guardian.email) if m is not reset and "/login" in m["text"]]
    assert len(exists) == 1
    _assert_marked(exists[0], "account exists")

    # A new account has no language yet: its email is in the one the sign-up page was read in.
    assert pseudo_client.post("/signup", data=dict(form, email="sam@family.example")).status_code == 200
    [confirm] = _mine(outbox, "sam@family.example")
    assert "/signup/confirm/" in confirm["text"]
    _assert_marked(confirm, "confirm email")


def test_each_guardian_reads_the_booking_in_their_own_language(db, club, outbox):
    urdu, polish = make_user("ur@family.example", "Amira", language="ur"), make_user("pl@family.example", "Piotr",
                                                                                    language="pl")
    english = make_user("en@family.example", "Emma")  # no language chosen: English (UK)
    child = make_young_person("Zara", "Khan", guardian=urdu)
    db.session.add(GuardianLink(guardian_id=polish.id, young_person_id=child.id))
    db.session.add(GuardianLink(guardian_id=english.id, young_person_id=child.id))
    for user, code in ((urdu, "ur"), (polish, "pl"), (english, "en_GB")):
        _mobile(user, NUMBERS[code])
    db.session.commit()
    registration.book_place(child, club["programme"], club["session"], now=datetime.now(UTC))
    mails = {m["to"]: m for m in outbox()}
    assert mails["ur@family.example"]["text"].startswith("السلام علیکم")
    assert "ہو گئی ہے" in mails["ur@family.example"]["text"]
    assert mails["pl@family.example"]["text"].startswith("Dzień dobry")
    assert "Zara ma zarezerwowane miejsce" in mails["pl@family.example"]["text"]
    assert mails["en@family.example"]["text"].startswith("Hello,")
    assert "Zara is booked on" in mails["en@family.example"]["text"]
    [ur_text] = _texts(db, NUMBERS["ur"], "booking_confirmed")
    [pl_text] = _texts(db, NUMBERS["pl"], "booking_confirmed")
    [en_text] = _texts(db, NUMBERS["en_GB"], "booking_confirmed")
    assert "Zara" in ur_text and "بک" in ur_text
    assert "Zara ma miejsce na" in pl_text
    assert en_text.startswith("Outreach: Zara is booked on")


@pytest.mark.parametrize("code,words", [
    ("pl", "ANULUJ"), ("pl", "nie mogę przyjść"), ("pl", "Nie przyjde."),
    ("ur", "منسوخ"), ("ur", "نہیں آ سکتا"), ("ur", "نهيں آ سكتي"),  # Arabic letters for Urdu ones
    ("ar", "إلغاء"), ("ar", "الغاء"), ("ar", "لَا أَسْتَطِيعُ الْحُضُورَ"), ("ar", "لا استطيع الحضور"),
    ("en_GB", "CANCEL"),
])
def test_a_reply_in_each_language_cancels_the_booking(db, club, outbox, code, words):
    user = make_user(f"{code.lower()}@reply.example", "Parent", language=None if code == "en_GB" else code)
    _mobile(user, NUMBERS[code])
    child = make_young_person("Zara", "Khan", guardian=user)
    db.session.commit()
    now = datetime.now(UTC)
    reg = registration.book_place(child, club["programme"], club["session"], now=now)
    reminders.send_due_reminders(send_reminder, now=now)
    deliver()
    [reminder] = _texts(db, NUMBERS[code], "reminder")
    assert replies.reply_word(code) in reminder  # the reminder says the word in their language
    outcome = replies.handle_reply(NUMBERS[code], words, now=now + timedelta(minutes=5))
    assert outcome.code == "cancelled"
    db.session.expire_all()
    assert db.session.get(Registration, reg.id).status == "cancelled"
    [done] = _texts(db, NUMBERS[code], "cancelled_by_reply")
    assert "Zara" in done
    if code != "en_GB":
        assert "done" not in done and "cancelled" not in done  # in their language


def test_the_done_text_after_a_reply_is_marked(db, club, guardian, outbox):
    child = make_young_person(M("Zara"), "Khan", guardian=guardian)
    db.session.commit()
    now = datetime.now(UTC)
    registration.book_place(child, club["programme"], club["session"], now=now)
    reminders.send_due_reminders(send_reminder, now=now)
    deliver()
    assert replies.handle_reply(NUMBERS[pseudo.CODE], "CANCEL", now=now + timedelta(minutes=5)).code == "cancelled"
    _assert_text_marked(db, NUMBERS[pseudo.CODE], "cancelled_by_reply")


@pytest.mark.parametrize("words", ["anuluj to", "منسوخ نہیں", "لا", "maybe", "cancelled", ""])
def test_other_words_in_any_language_cancel_nothing(words):
    assert not replies.means_cancel(words)


# ------------------------------------------------------------------ the door's words

def _js_messages(path) -> set[str]:
    """The English of every t("...") and tn("...", ...) in a door script (strings joined with +)."""
    import re
    from pathlib import Path

    source = Path(__file__).resolve().parents[2].joinpath("static", "js", path).read_text()
    found = set()
    for match in re.finditer(r"\btn?\(", source):
        i, parts = match.end(), []
        while True:
            literal = re.compile(r'\s*"((?:[^"\\]|\\.)*)"\s*').match(source, i)
            if not literal:
                break
            parts.append(literal.group(1).replace('\\"', '"'))
            i = literal.end()
            if source.startswith("+", i):
                i += 1
            else:
                break
        if parts:
            found.add("".join(parts))
    return found


def _door_words(page: str) -> dict:
    import json
    import re

    block = re.search(r'<script type="application/json" id="scanner-words">(.*?)</script>', page, re.S)
    assert block, "no scanner-words block on the page"
    return json.loads(block.group(1))


@pytest.fixture()
def door(db, club, login_as, client):
    worker = make_user("worker@club.example", M("Will Worker"))
    from tests.factories import add_member

    add_member(club["org"], worker, "worker")
    session = make_session(club["programme"], starts_at=datetime.now(UTC) - timedelta(minutes=10))
    db.session.commit()
    login_as(worker)
    return dict(club, worker=worker, session=session, base=f"/org/{club['org'].slug}/sessions/{session.id}")


def test_the_scanner_and_the_offline_page_carry_every_word_of_their_scripts(client, door):
    for url, script in ((door["base"] + "/scan", "scanner.js"), ("/door/offline", "door-offline.js")):
        words = _door_words(client.get(url).get_data(as_text=True))
        missing = _js_messages(script) - set(words)
        assert not missing, f"{script}: messages the page does not pass: {sorted(missing)}"
        # In English each message is itself: the scripts read as before.
        for english, said in words.items():
            assert said == english or said == {"one": english, "other": said["other"]}, english


def test_the_door_words_follow_the_workers_language(client, db, door, pseudo_language):
    from tests.i18n.conftest import assert_translated

    door["worker"].language = pseudo_language
    db.session.commit()
    for url, script in ((door["base"] + "/scan", "scanner.js"), ("/door/offline", "door-offline.js")):
        page = client.get(url)
        words = _door_words(page.get_data(as_text=True))
        for english in _js_messages(script):
            said = words[english]
            for text in (said.values() if isinstance(said, dict) else [said]):
                assert not pseudo.leftover(text), f"{script}: {english!r} is not translated: {text!r}"
        assert_translated(page, url)


def test_the_scanner_words_in_polish(client, db, door):
    door["worker"].language = "pl"
    db.session.commit()
    words = _door_words(client.get(door["base"] + "/scan").get_data(as_text=True))
    assert words["Checked in"] != "Checked in"
    forms = words["%(num)d check-in waiting for signal, kept on this phone with the time each was scanned. "
                  "They are sent by themselves when the signal is back."]
    assert {"one", "few", "many"} <= set(forms) and all("%(num)d" in f for f in forms.values())


def test_the_scanners_green_amber_and_red_reasons_follow_the_workers_language(client, db, door, pseudo_language):
    import uuid

    from outreach.services import passes

    door["worker"].language = pseudo_language
    booked = make_young_person(M("Zara"), "Khan", guardian=make_user("z@family.example"))
    stranger = make_young_person(M("Omar"), "Khan", guardian=make_user("o@family.example"))
    db.session.add(Registration(young_person_id=booked.id, session_id=door["session"].id, status="confirmed"))
    db.session.commit()
    url = f"/api/sessions/{door['session'].id}/checkins"
    scans = [passes.ensure_pass(booked).secret, passes.ensure_pass(booked).secret,
             passes.ensure_pass(stranger).secret, "nonsense"]
    answers = [client.post(url, json={"pass": p, "client_ref": uuid.uuid4().hex}).get_json() for p in scans]
    assert [a["code"] for a in answers] == ["checked_in", "already_checked_in", "not_booked", "unknown_pass"]
    for answer in answers:
        assert not pseudo.leftover(answer["message"]), answer
    undone = client.post(f"/api/checkins/{answers[0]['attendance_id']}/undo").get_json()
    assert undone["code"] == "undone" and not pseudo.leftover(undone["message"])
