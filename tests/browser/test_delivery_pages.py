"""Issue 17, points 6 and 7, seen in a browser on a laptop (1280x800) and a phone (390x844): a
programme dashboard's "Delivery and cost" and suppressed "For whom" sections, the report's
suppressed breakdown, the staff hours page, the costs page, and the optional equality
questions on a guardian's page. Screenshots go to test-artifacts/."""
import random
from datetime import date, timedelta

from outreach.extensions import db
from outreach.models import Attendance, EqualityAnswers
from outreach.models.equality import ETHNIC_GROUPS
from outreach.services import delivery
from outreach.timeutil import utcnow
from tests.conftest import ARTIFACTS, sign_in
from tests.factories import add_member, make_org, make_programme, make_session, make_user, make_young_person


def _path(name):
    ARTIFACTS.mkdir(exist_ok=True)
    return str(ARTIFACTS / f"{name}.png")


def _club():
    rng = random.Random(7)
    org = make_org("Northside Police Community Team")
    lead, guardian = make_user(), make_user()
    add_member(org, lead, "lead")
    programme = make_programme(org, title="Friday Football")
    now = utcnow().replace(minute=0, second=0, microsecond=0)
    sessions = [make_session(programme, starts_at=now - timedelta(days=7 * k, hours=3)) for k in range(8, 0, -1)]
    sessions[3].status = "cancelled"
    make_session(programme, starts_at=now + timedelta(days=7))
    codes = list(ETHNIC_GROUPS)
    people = []
    for i in range(40):
        yp = make_young_person(f"Player{i}", guardian=guardian if i == 0 else None)
        people.append(yp)
        for s in sessions:
            if s.status == "scheduled" and rng.random() < (0.9 if i < 20 else 0.3) and s is not sessions[5]:
                db.session.add(Attendance(session_id=s.id, young_person_id=yp.id, method="qr", checked_in_at=s.starts_at))
        ethnic = "white_british" if i < 22 else rng.choice(codes)
        db.session.add(EqualityAnswers(young_person_id=yp.id, ethnic_group=ethnic if i != 39 else None,
                                       disability=rng.choice(["yes", "no", "no", "no", "prefer_not"]),
                                       special_needs=rng.choice(["yes", "no", "no", "no", None])))
    db.session.commit()
    for s in sessions[:6]:
        delivery.record_staff_time(s, name="Sam Lead", role="staff", minutes=150, by=lead)
        delivery.record_staff_time(s, name="Vee Volunteer", role="volunteer", minutes=120, by=lead)
    today = date.today()
    delivery.add_programme_cost(programme, delivery.TermCost("Autumn term", today - timedelta(days=70),
                                                             today - timedelta(days=1), 240_000), by=lead)
    return org, lead, guardian, programme, sessions[-1], people[0]


def test_delivery_cost_and_for_whom(live_server, desktop, phone):
    with live_server.app.app_context():
        org, lead, guardian, programme, session, child = _club()
        db.session.commit()
        base = f"{live_server.url}/org/{org.slug}"
        dashboard = f"{base}/evaluation/programmes/{programme.id}"
        report = f"{base}/evaluation/report?programme={programme.id}"
        staff = f"{base}/sessions/{session.id}/staff-time"
        costs = f"{base}/programmes/{programme.id}/costs"
        equality = f"{live_server.url}/family/children/{child.id}/equality"
        lead_email, guardian_email = lead.email, guardian.email

    for context, size in ((desktop, "desktop"), (phone, "phone")):
        page = context.new_page()
        sign_in(page, live_server.url, lead_email, "**/org/**")
        page.goto(dashboard)
        section = page.locator("section[aria-labelledby=h-delivery]")
        text = section.inner_text()
        assert "6 of 8" in text and "1 held with no one registered" in text
        assert "£2,400.00" in text and "per participant" in text and "per contact hour" in text
        if size == "phone":
            assert page.evaluate("document.documentElement.scrollWidth") <= 390
        section.scroll_into_view_if_needed()
        section.screenshot(path=_path(f"issue17-delivery-{size}"))
        who = page.locator("section[aria-labelledby=h-equality]")
        assert "<5" in who.inner_text()
        who.screenshot(path=_path(f"issue17-for-whom-{size}"))
        page.goto(report)
        page.locator("section[aria-labelledby=h-equality]").screenshot(path=_path(f"issue17-for-whom-report-{size}"))
        page.goto(staff)
        page.fill("#hours", "25")
        page.click("button[type=submit] >> text=Save time")
        assert "can't be more than 24 hours" in page.content()
        page.screenshot(path=_path(f"issue17-staff-hours-{size}"), full_page=True)
        page.goto(costs)
        page.screenshot(path=_path(f"issue17-costs-{size}"), full_page=True)
        page.close()

        context.clear_cookies()  # the guardian signs in on the same device
        page = context.new_page()
        sign_in(page, live_server.url, guardian_email, "**/family**")
        page.goto(equality)
        assert "Why we ask" in page.content()
        if size == "phone":
            assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.screenshot(path=_path(f"issue17-equality-questions-{size}"), full_page=True)
        page.close()
