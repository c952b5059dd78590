"""Issue 19 point 1, in Chromium at 390x844: a guardian whose browser asks for Urdu finds an
activity whose organisation entered it in Urdu, signs up, adds a child and books, every page
right to left with nothing wider than the phone and no English words of the site's own on it;
the confirmation and booking emails come in Urdu. Then the same pages in Arabic and Polish, for
screenshots a person looks at."""
import re
from datetime import date, datetime, timedelta

from aiosmtpd.controller import Controller
from flask_babel import force_locale, gettext

from outreach.extensions import db
from outreach.models import ProgrammeText, Registration, User
from outreach.services import passes
from outreach.timeutil import UTC
from tests.browser.fill import fill_date_of_birth
from tests.conftest import _Inbox, confirm_link, deliver, free_port, sign_in, watch
from tests.factories import PASSWORD, make_org, make_programme, make_session, make_user, make_young_person

SIGN_UP_PASSWORD = "sunflower kettle ladder"
# The site's own words that must never be left in English on a translated family page.
ENGLISH = ("Find activities", "My family", "Sign out", "Book a place", "Add a child", "Privacy notice",
           "Date of birth", "Emergency contact", "Continue", "Your pass", "Show pass")
# Urdu and Arabic letters (the Arabic script block).
ARABIC_SCRIPT = re.compile(r"[\u0600-\u06ff]")


def _context(browser, locale):
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=1, is_mobile=True,
                                  has_touch=True, locale=locale, timezone_id="Europe/London",
                                  extra_http_headers={"Accept-Language": locale})
    return watch(context)


def _looks_right(page, code, rtl):
    """The page is in `code`, mirrored if it reads right to left, no wider than the phone, and
    without the site's English words (the language switcher's "English" aside)."""
    html = page.locator("html")
    assert html.get_attribute("lang") == code and html.get_attribute("dir") == ("rtl" if rtl else "ltr"), page.url
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, page.url
    text = page.evaluate("document.querySelector('main').innerText")
    left = [w for w in ENGLISH if w in text]
    assert not left, (page.url, left)
    if rtl:
        assert ARABIC_SCRIPT.search(text), page.url


def _programme(app):
    with app.app_context():
        org = make_org("Moss Side Sports", lead=make_user())
        course = make_programme(org, "Climbing Course", registration_mode="enrol", min_age=10, max_age=16,
                                capacity=12, description="Indoor climbing with qualified instructors.")
        start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
        for week in range(3):
            make_session(course, starts_at=start + timedelta(days=5 + 7 * week))
        course.texts.append(ProgrammeText(language="ur", title="چڑھائی کا کورس",
                                          description="تربیت یافتہ انسٹرکٹرز کے ساتھ اندرونی چڑھائی۔"))
        course.texts.append(ProgrammeText(language="ar", title="دورة التسلق",
                                          description="تسلق داخلي مع مدربين مؤهلين."))
        course.texts.append(ProgrammeText(language="pl", title="Kurs wspinaczki",
                                          description="Wspinaczka w hali z wykwalifikowanymi instruktorami."))
        db.session.commit()
        return course.id


def test_an_urdu_reading_guardian_signs_up_adds_a_child_and_books(live_server, browser, screenshot):
    course_id = _programme(live_server.app)
    context = _context(browser, "ur")
    try:
        page = context.new_page()
        page.goto(live_server.url + "/activities")
        _looks_right(page, "ur", rtl=True)
        assert page.locator(".programme-card", has_text="چڑھائی کا کورس").is_visible()
        screenshot(page, "issue19-catalogue-ur-phone")

        page.goto(f"{live_server.url}/activities/{course_id}")
        _looks_right(page, "ur", rtl=True)
        assert "تربیت یافتہ انسٹرکٹرز" in page.content()
        page.click(f"main a[href^='/activities/{course_id}/book']")
        page.wait_for_url("**/login?next=**")
        _looks_right(page, "ur", rtl=True)
        page.click("main a[href^='/signup']")
        page.check("input[value=guardian]")
        page.fill("#full_name", "عائشہ خان")
        page.fill("#email", "ayesha.khan@example.org")
        page.fill("#phone", "07700 900456")
        page.fill("#password", SIGN_UP_PASSWORD)
        page.fill("#confirm", SIGN_UP_PASSWORD)
        _looks_right(page, "ur", rtl=True)
        screenshot(page, "issue19-signup-ur-phone")
        page.click("main button[type=submit]")
        page.wait_for_load_state()
        _looks_right(page, "ur", rtl=True)

        with live_server.app.app_context():
            deliver()
            from outreach.services.mail import read_outbox

            mails = read_outbox(live_server.app.config["MAIL_OUTBOX_DIR"])
            confirm = [m for m in mails if "/signup/confirm/" in m["text"]]
            assert confirm and ARABIC_SCRIPT.search(confirm[0]["subject"] + confirm[0]["text"]), \
                "the confirmation email is not in Urdu"
        page.goto(confirm_link(live_server))
        page.wait_for_url(f"**/activities/{course_id}/book**")
        _looks_right(page, "ur", rtl=True)
        with live_server.app.app_context():
            assert db.session.scalar(db.select(User.language).where(User.email == "ayesha.khan@example.org")) == "ur"

        page.click("main a[href*='/family/children/new']")
        page.fill("#first_name", "مریم")
        page.fill("#last_name", "خان")
        fill_date_of_birth(page, date(date.today().year - 12, 3, 14))
        page.fill("#emergency_contact_name", "عائشہ خان")
        page.fill("#emergency_contact_phone", "07700 900456")
        page.check("#consent")
        _looks_right(page, "ur", rtl=True)
        screenshot(page, "issue19-add-child-ur-phone")
        page.click("main button[type=submit]")
        page.wait_for_url(f"**/activities/{course_id}/book?*child=*")
        _looks_right(page, "ur", rtl=True)
        assert page.is_checked("input[name=young_person_id]")
        screenshot(page, "issue19-book-ur-phone")
        # The booking email over a real local SMTP server, as the worker sends it.
        inbox = _Inbox()
        smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
        smtp.start()
        live_server.app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port)
        try:
            page.click("main form button[type=submit]")
            page.wait_for_url("**/family")
            with live_server.app.app_context():
                received = inbox.messages
        finally:
            smtp.stop()
            live_server.app.config.update(MAIL_SERVER="")
        booking = [m for m in received if "چڑھائی کا کورس" in m["Subject"]]
        assert booking, [m["Subject"] for m in received]
        assert ARABIC_SCRIPT.search(booking[0].get_body(("plain",)).get_content())
        _looks_right(page, "ur", rtl=True)
        with live_server.app.app_context(), force_locale("ur"):
            booked = db.session.scalar(db.select(Registration).where(Registration.programme_id == course_id))
            assert booked is not None and booked.status == "confirmed"
            assert gettext("My family") != "My family"
        screenshot(page, "issue19-my-family-ur-phone")

        page.click("main a[href*='/p/']")
        page.wait_for_selector("img.pass-card__qr")
        _looks_right(page, "ur", rtl=True)
        screenshot(page, "issue19-pass-ur-phone")

    finally:
        context.close()


def test_the_family_pages_in_arabic_and_polish(live_server, browser, screenshot):
    course_id = _programme(live_server.app)
    with live_server.app.app_context():
        guardians = {}
        for code, name, child in (("ar", "فاطمة حسن", "ليلى"), ("pl", "Agnieszka Wójcik", "Zofia")):
            guardian = make_user(f"{code}.guardian@example.org", name)
            guardian.language = code
            passes.ensure_pass(make_young_person(child, guardian=guardian, dob=date(date.today().year - 12, 5, 2)),
                               commit=False)
            guardians[code] = guardian.email
        db.session.commit()
    for code, rtl in (("ar", True), ("pl", False)):
        context = _context(browser, code)
        try:
            page = context.new_page()
            page.goto(live_server.url + "/activities")
            _looks_right(page, code, rtl)
            screenshot(page, f"issue19-catalogue-{code}-phone")
            page.goto(live_server.url + "/signup")
            _looks_right(page, code, rtl)
            screenshot(page, f"issue19-signup-{code}-phone")
            sign_in(page, live_server.url, guardians[code], "**/family", password=PASSWORD)
            _looks_right(page, code, rtl)
            page.goto(live_server.url + "/family/children/new")
            _looks_right(page, code, rtl)
            screenshot(page, f"issue19-add-child-{code}-phone")
            page.goto(f"{live_server.url}/activities/{course_id}")
            _looks_right(page, code, rtl)
            page.click(f"main a[href^='/activities/{course_id}/book']")
            page.check("input[name=young_person_id]")
            page.click("main form button[type=submit]")
            page.wait_for_url("**/family")
            _looks_right(page, code, rtl)
            page.click("main a[href*='/p/']")
            page.wait_for_selector("img.pass-card__qr")
            _looks_right(page, code, rtl)
            screenshot(page, f"issue19-pass-{code}-phone")
        finally:
            context.close()
