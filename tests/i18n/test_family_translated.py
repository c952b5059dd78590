"""A family's pages (My family, a child's details, consent, booking, cancelling, the pass, the
equality questions, the calendar link, text messages and a survey) in the reader's language:
every word on them is marked for translation, with real data on the page, form errors and the
flash messages after a booking or a cancel. The same for a young person's own account."""
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from outreach.models import Attendance, Registration
from outreach.services import consent, passes, surveys
from outreach.timeutil import UTC, utcnow
from tests.factories import make_org, make_programme, make_session, make_user, make_young_person
from tests.i18n import pseudo
from tests.i18n.conftest import assert_translated

M = pseudo.marked


def _years_ago(n, month=1):
    today = date.today()
    return date(today.year - n, month, 1)


@pytest.fixture()
def family(db, login_as, pseudo_client):
    """A guardian with two children: Amira (12, booked, a live pass, came to a session last night)
    and Yusuf (6, too young for the activity, consent not given for the current wording)."""
    guardian = make_user("amira.parent@example.org", M("Samira Khan"))
    org = make_org(M("Hulme Youth Trust"))
    programme = make_programme(org, M("Street Dance"), registration_mode="per_session", capacity=10,
                               min_age=10, max_age=14, venue_name=M("Zion Centre"))
    past = make_session(programme, starts_at=utcnow() - timedelta(hours=20))
    session = make_session(programme, starts_at=datetime.now(UTC) + timedelta(days=3))
    later = make_session(programme, starts_at=datetime.now(UTC) + timedelta(days=10))
    amira = make_young_person(M("Amira"), M("Khan"), dob=_years_ago(12), guardian=guardian,
                              emergency_contact_name=M("Samira Khan"))
    yusuf = make_young_person(M("Yusuf"), M("Khan"), dob=_years_ago(6), guardian=guardian,
                              emergency_contact_name=None, emergency_contact_phone=None)
    consent.record_consent(amira, given_by=guardian)
    db.session.add(Attendance(session_id=past.id, young_person_id=amira.id, checked_in_at=past.starts_at,
                              method="qr"))
    reg = Registration(session_id=session.id, young_person_id=amira.id, status="confirmed", created_by_id=guardian.id, confirmed_at=utcnow())
    db.session.add(reg)
    db.session.flush()
    after = surveys.ensure_survey(programme, "session")
    secret = passes.ensure_pass(amira).secret
    db.session.commit()
    login_as(guardian, pseudo_client)
    return dict(guardian=guardian, programme=programme, session=session, later=later, past=past, amira=amira,
                yusuf=yusuf, reg=reg, secret=secret, survey=after)


def test_my_family_and_each_childs_pages_are_marked(pseudo_client, family):
    amira, yusuf = family["amira"], family["yusuf"]
    assert_translated(pseudo_client.get("/family"), "my family")
    for child in (amira, yusuf):
        for page in ("edit", "equality", "delete", "pass/replace"):
            assert_translated(pseudo_client.get(f"/family/children/{child.id}/{page}"), f"{page} {child.id}")
    assert_translated(pseudo_client.get(f"/family/children/{yusuf.id}/consent"), "consent")
    assert_translated(pseudo_client.get(f"/family/bookings/{family['reg'].id}/cancel"), "cancel a booking")


def test_adding_a_child_with_mistakes_is_marked(pseudo_client, family):
    assert_translated(pseudo_client.get("/family/children/new", follow_redirects=True), "add a child")
    empty = pseudo_client.post("/family/children/new", data={})
    assert_translated(empty, "add a child, nothing typed")
    assert "field__error" in empty.get_data(as_text=True)
    for dob in ({"date_of_birth-day": "31", "date_of_birth-month": "2", "date_of_birth-year": "2015"},
                {"date_of_birth-day": "3", "date_of_birth-month": "", "date_of_birth-year": "2015"},
                {"date_of_birth-day": "x", "date_of_birth-month": "2", "date_of_birth-year": "2015"},
                {"date_of_birth-day": "3", "date_of_birth-month": "2", "date_of_birth-year": "15"},
                {"date_of_birth-day": "3", "date_of_birth-month": "2", "date_of_birth-year": "1980"},
                {"date_of_birth-day": "3", "date_of_birth-month": "2", "date_of_birth-year": str(date.today().year + 1)}):
        bad = pseudo_client.post("/family/children/new", data={
            "first_name": M("Zara"), "last_name": M("Khan"), "emergency_contact_name": M("Samira"),
            "emergency_contact_phone": "not a phone", "postcode_district": "nowhere", **dob})
        assert_translated(bad, f"add a child, date of birth {dob}")
        assert "field__error" in bad.get_data(as_text=True)
    bad = pseudo_client.post(f"/family/children/{family['amira'].id}/consent", data={})
    assert_translated(bad, "consent not ticked")
    bad = pseudo_client.post(f"/family/children/{family['amira'].id}/delete", data={})
    assert_translated(bad, "delete not ticked")


def test_booking_with_a_child_out_of_the_age_range_and_the_flashes_are_marked(pseudo_client, family, db):
    programme = family["programme"]
    page = pseudo_client.get(f"/activities/{programme.id}/book", follow_redirects=True)
    assert_translated(page, "book")
    assert "who--not-offered" in page.get_data(as_text=True)
    nobody = pseudo_client.post(page.request.url, data={"session_id": family["later"].id})
    assert_translated(nobody, "book, nobody chosen")
    no_session = pseudo_client.post(page.request.url, data={"young_person_id": family["amira"].id})
    assert_translated(no_session, "book, no session")
    booked = pseudo_client.post(page.request.url, data={"young_person_id": family["amira"].id,
                                                        "session_id": family["later"].id}, follow_redirects=True)
    assert_translated(booked, "after booking")
    assert "booking-result" in booked.get_data(as_text=True)
    cancelled = pseudo_client.post(f"/family/bookings/{family['reg'].id}/cancel", data={"confirm": "y"},
                                   follow_redirects=True)
    assert_translated(cancelled, "after cancelling")
    assert "flash" in cancelled.get_data(as_text=True)


def test_the_pass_and_its_public_page_are_marked(pseudo_client, family, app, pseudo_language):
    secret = family["secret"]
    page = pseudo_client.get(f"/p/{secret}")
    assert_translated(page, "the pass")
    assert "feedback" in page.get_data(as_text=True)
    stranger = app.test_client()
    stranger.set_cookie("language", pseudo_language, domain="localhost")
    assert_translated(stranger.get(f"/p/{secret}"), "the pass, seen by a stranger")
    unknown = stranger.get("/p/not-a-pass-at-all-xyz")
    assert unknown.status_code == 404
    assert not pseudo.unmarked(unknown.get_data(as_text=True))
    replaced = pseudo_client.post(f"/family/children/{family['amira'].id}/pass/replace", data={"confirm": "y"},
                                  follow_redirects=True)
    assert_translated(replaced, "the new pass, with its flash")
    assert_translated(stranger.get(f"/p/{secret}"), "a replaced pass")


def test_the_equality_questions_and_the_calendar_are_marked(pseudo_client, family):
    amira = family["amira"]
    saved = pseudo_client.post(f"/family/children/{amira.id}/equality", data={"ethnic_group": "", "disability": "yes"},
                               follow_redirects=True)
    assert_translated(saved, "equality answers saved")
    bad = pseudo_client.post(f"/family/children/{amira.id}/equality", data={"disability": "perhaps"})
    assert bad.status_code == 400 and "field__error" in bad.get_data(as_text=True)
    assert not pseudo.unmarked(bad.get_data(as_text=True)), pseudo.unmarked(bad.get_data(as_text=True))
    assert_translated(pseudo_client.get(f"/family/children/{amira.id}/equality"), "equality, answered")
    assert_translated(pseudo_client.get("/family/calendar"), "calendar")
    made = pseudo_client.post("/family/calendar", data={}, follow_redirects=True)
    assert_translated(made, "calendar link made")
    assert_translated(pseudo_client.get("/family/calendar"), "calendar with a link")
    again = pseudo_client.post("/family/calendar", data={})
    assert_translated(again, "calendar, replace not ticked")
    assert_translated(pseudo_client.post("/family/calendar/stop", data={}, follow_redirects=True), "stop not ticked")
    assert_translated(pseudo_client.get("/family"), "my family with a calendar link")
    stopped = pseudo_client.post("/family/calendar/stop", data={"stop_confirm": "y"}, follow_redirects=True)
    assert_translated(stopped, "calendar stopped")


def test_mobile_number_pages_are_marked(pseudo_client, family):
    assert_translated(pseudo_client.get("/account/mobile"), "mobile number")
    assert_translated(pseudo_client.post("/account/mobile", data={}), "mobile number, empty")
    assert_translated(pseudo_client.post("/account/mobile", data={"number": "call me"}), "mobile number, wrong")
    sent = pseudo_client.post("/account/mobile", data={"number": "07700 900555"}, follow_redirects=True)
    assert_translated(sent, "the code is sent")
    wrong = pseudo_client.post("/account/mobile/confirm", data={"code": "000000"})
    assert_translated(wrong, "a wrong code")
    assert "field__error" in wrong.get_data(as_text=True)
    assert_translated(pseudo_client.post("/account/mobile/confirm", data={}), "no code")
    assert_translated(pseudo_client.get("/account/mobile"), "mobile number not confirmed")
    assert_translated(pseudo_client.post("/account/mobile/resend", data={}, follow_redirects=True), "new code")
    assert_translated(pseudo_client.post("/account/mobile/remove", data={}, follow_redirects=True), "removed")


def test_the_mobile_page_with_a_confirmed_number_is_marked(pseudo_client, family, db):
    from outreach.models import MobileNumber

    db.session.add(MobileNumber(user_id=family["guardian"].id, number="+447700900555", confirmed_at=utcnow()))
    db.session.commit()
    assert_translated(pseudo_client.get("/account/mobile"), "mobile number confirmed")
    saved = pseudo_client.post("/account/mobile/choices", data={"reminders": "y"}, follow_redirects=True)
    assert_translated(saved, "text choices saved")


def test_answering_a_survey_is_marked(pseudo_client, family):
    survey, past, secret = family["survey"], family["past"], family["secret"]
    url = f"/p/{secret}/feedback/{survey.id}?session={past.id}"
    assert_translated(pseudo_client.get(url), "a survey")
    q = survey.questions[0].id
    bad = pseudo_client.post(url, data={f"q{q}": "9"})
    assert_translated(bad, "a survey with a wrong answer")
    assert "field__error" in bad.get_data(as_text=True) or "error-summary" in bad.get_data(as_text=True)
    done = pseudo_client.post(url, data={f"q{q}": "5"}, follow_redirects=True)
    assert_translated(done, "a survey answered")
    assert_translated(pseudo_client.get(url, follow_redirects=True), "a survey answered already")


# ------------------------------------------------------------------ a young person's own account

@pytest.fixture()
def teen(db, login_as, pseudo_client):
    user = make_user("tia@example.org", M("Tia Alone"))
    own = make_young_person(M("Tia"), M("Alone"), dob=_years_ago(14), user_id=user.id)
    programme = make_programme(make_org(M("Ardwick Boxing")), M("Boxing Club"), registration_mode="enrol",
                               min_age=8, max_age=16)
    first = make_session(programme, starts_at=datetime.now(UTC) + timedelta(days=3))
    make_session(programme, starts_at=datetime.now(UTC) + timedelta(days=10))
    consent.record_consent(own, given_by=user, kind="self")
    secret = passes.ensure_pass(own).secret
    db.session.commit()
    login_as(user, pseudo_client)
    return dict(user=user, own=own, programme=programme, first=first, secret=secret)


def test_a_young_persons_own_pages_are_marked(pseudo_client, teen):
    own = teen["own"]
    assert_translated(pseudo_client.get("/family"), "my bookings")
    assert_translated(pseudo_client.get(f"/family/children/{own.id}/edit"), "your details")
    assert_translated(pseudo_client.post(f"/family/children/{own.id}/edit", data={}), "your details, empty")
    assert_translated(pseudo_client.get(f"/family/children/{own.id}/equality"), "your equality questions")
    refused = pseudo_client.get("/family/children/new")
    # The error page's frame is the error pages' own; the reason given is this area's.
    assert refused.status_code == 403
    assert not [line for line in pseudo.unmarked(refused.get_data(as_text=True)) if "young person" in line]
    assert M("Your account is your own young person's account").replace(pseudo.CLOSE, "") in \
        refused.get_data(as_text=True).replace("&#39;", "'")
    page = pseudo_client.get(f"/activities/{teen['programme'].id}/book", follow_redirects=True)
    assert_translated(page, "book a course")
    booked = pseudo_client.post(page.request.url, data={"young_person_id": own.id}, follow_redirects=True)
    assert_translated(booked, "after booking a course")
    assert_translated(pseudo_client.get(f"/p/{teen['secret']}"), "own pass")
    assert_translated(pseudo_client.get("/account/mobile"), "own mobile number")
    saved = pseudo_client.post(f"/family/children/{own.id}/edit", data={
        "first_name": M("Tia"), "last_name": M("Alone"), "date_of_birth": own.date_of_birth.isoformat(),
        "emergency_contact_name": M("Rae"), "emergency_contact_phone": "07700 900765"}, follow_redirects=True)
    assert_translated(saved, "your details saved")
    reg = pseudo_client.application.extensions["sqlalchemy"].session.scalar(
        select(Registration).where(Registration.young_person_id == own.id))
    assert_translated(pseudo_client.get(f"/family/bookings/{reg.id}/cancel"), "cancel own booking")


def test_the_calendar_feed_is_in_the_language_of_its_account(family, app, db, pseudo_language):
    from icalendar import Calendar

    from outreach.services import calendar_feed

    family["guardian"].language = pseudo_language
    token = calendar_feed.make_feed(family["guardian"])
    db.session.commit()
    answer = app.test_client().get(f"/calendar/{token}.ics")  # a calendar app: nobody signed in
    assert answer.status_code == 200
    cal = Calendar.from_ical(answer.data)
    events = cal.walk("VEVENT")
    assert events
    words = [str(cal["x-wr-calname"])] + [str(e[k]) for e in events for k in ("summary", "description")]
    assert not [w for w in words if pseudo.leftover(w)], words


def test_a_start_survey_with_a_validated_questionnaire_keeps_its_published_english(pseudo_client, family, db):
    """The page around it is translated; the Stirling scale's instructions, items and answers are
    asked word for word as published, marked as English (lang) rather than translated."""
    start = surveys.ensure_survey(family["programme"], "start")
    surveys.add_instrument(family["programme"], start, "stirling")
    db.session.commit()
    page = pseudo_client.get(f"/p/{family['secret']}")
    assert_translated(page, "the pass with a start survey due")
    assert f"/feedback/{start.id}" in page.get_data(as_text=True)
    answer = pseudo_client.get(f"/p/{family['secret']}/feedback/{start.id}")
    assert_translated(answer, "a start survey with the Stirling scale")
    html = answer.get_data(as_text=True)
    assert 'lang="en-GB"' in html and "I think good things will happen in my life" in html
    assert_translated(pseudo_client.post(f"/p/{family['secret']}/feedback/{start.id}", data={}), "nothing answered")


def test_a_date_inside_an_error_is_written_in_the_readers_language_and_stays_english_in_its_message(app):
    from outreach.errors import Day, ValidationError
    from outreach.i18n import in_language

    err = ValidationError("%(name)s will be %(age)s on %(day)s.", name="Ada", age=12, day=Day(date(2027, 3, 12)))
    assert err.message == "Ada will be 12 on 12 March 2027."
    with app.test_request_context(), in_language("pl"):
        assert "marca 2027" in err.translated()
