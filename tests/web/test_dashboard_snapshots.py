"""Kept dashboards on the page (issue 17, point 8): opened from the kept figures with "as of",
worked out (and kept) the first time, live when filtered; "work out now" only for the view's
own people, never for someone else's programme."""
import re

from sqlalchemy import select

from outreach.models import Attendance, DashboardSnapshot
from outreach.services import dashboard_snapshots as snapshots
from outreach.timeutil import utcnow
from outreach.web.evaluation.dashboard import build
from tests.course import DAYS, at, course  # noqa: F401  (fixture)
from tests.factories import add_member, make_org, make_programme, make_user


def lead_of(course, login_as):
    lead = make_user()
    add_member(course["org"], lead, "lead")
    return login_as(lead)


def row(db, key):
    return db.session.execute(select(DashboardSnapshot).where(DashboardSnapshot.view_key == key)).scalar_one_or_none()


def reach_attendances(html):
    """The "Attendances" headline figure on the page."""
    found = re.search(r'<div class="stat">([^<]+)</div><div class="stat-label"><strong>Attendances<', html)
    return found.group(1) if found else None


def test_a_view_never_worked_out_is_worked_out_at_once_and_kept(db, course, login_as):
    client = lead_of(course, login_as)
    url = f"/org/{course['org'].slug}/evaluation/programmes/{course['programme'].id}"
    assert row(db, f"programme:{course['programme'].id}:all") is None
    html = client.get(url).get_data(as_text=True)
    assert "Figures worked out just now" in html and "had no figures kept yet" in html
    assert "Reach" in html and "Work out now" not in html
    kept = row(db, f"programme:{course['programme'].id}:all")
    assert kept is not None and kept.figures
    html = client.get(url).get_data(as_text=True)
    assert "Figures as of" in html and "Work out now" in html


def test_the_page_opens_from_the_kept_figures_until_the_worker_works_them_out_again(db, course, login_as):
    client = lead_of(course, login_as)
    url = f"/org/{course['org'].slug}/evaluation"
    first = client.get(url).get_data(as_text=True)
    before = reach_attendances(first)
    assert before is not None
    db.session.add(Attendance(session_id=course["s"][4].id, young_person_id=course["people"]["B"].id,
                              checked_in_at=at(DAYS[3], 18), method="manual"))
    db.session.commit()
    kept = client.get(url).get_data(as_text=True)
    assert reach_attendances(kept) == before  # the kept figures, not a live computation
    assert "new figures are worked out within a few minutes" in kept
    live = client.get(url + "?district=M14").get_data(as_text=True)  # a filtered view: live, no "as of"
    assert "Figures as of" not in live and "Working out the figures" in live
    later = utcnow() + snapshots.DEFAULT_DEBOUNCE + snapshots.MARGIN
    snapshots.refresh_due(build, snapshots.Options(), now=lambda: later)
    again = client.get(url).get_data(as_text=True)
    assert reach_attendances(again) == str(int(before) + 1)


def test_this_term_is_a_kept_view_too(db, course, login_as):
    client = lead_of(course, login_as)
    first, last = snapshots.term_of(utcnow().date())
    url = f"/org/{course['org'].slug}/evaluation?start={first}&end={last}"
    assert "Figures worked out just now" in client.get(url).get_data(as_text=True)
    html = client.get(url).get_data(as_text=True)
    assert "Figures as of" in html and 'name="period" value="term"' in html
    assert row(db, f"organisation:{course['org'].id}:term").first_day == first


def test_work_out_now_asks_the_worker_for_that_view(db, course, login_as):
    client = lead_of(course, login_as)
    pid = course["programme"].id
    client.get(f"/org/{course['org'].slug}/evaluation/programmes/{pid}")
    answer = client.post(f"/org/{course['org'].slug}/evaluation/programmes/{pid}/work-out-now",
                         data={"period": "all"})
    assert answer.status_code == 302 and answer.headers["Location"].endswith(f"/evaluation/programmes/{pid}")
    assert row(db, f"programme:{pid}:all").requested_at is not None
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "New figures are being worked out" in page and "New figures were asked for at" in page
    assert "Work out now" not in page  # asked once: no second button while the worker is on it
    assert [v.key for v in snapshots.due(build, snapshots.Options(), now=utcnow())][0] == f"programme:{pid}:all"


def test_work_out_now_for_another_partners_programme_is_not_found_and_queues_nothing(db, course, login_as):
    theirs = make_programme(make_org("Partner B"))
    db.session.commit()
    client = lead_of(course, login_as)
    answer = client.post(f"/org/{course['org'].slug}/evaluation/programmes/{theirs.id}/work-out-now",
                         data={"period": "all"})
    assert answer.status_code == 404
    answer = client.post(f"/org/{theirs.organisation.slug}/evaluation/work-out-now", data={"period": "all"})
    assert answer.status_code == 404
    assert client.post("/admin/evaluation/work-out-now", data={"period": "all"}).status_code in (403, 404)
    assert db.session.execute(select(DashboardSnapshot).where(DashboardSnapshot.requested_at.is_not(None))) \
        .first() is None


def test_a_worker_may_not_ask_and_nobody_signed_out_may(db, course, login_as, client):
    url = f"/org/{course['org'].slug}/evaluation/work-out-now"
    assert client.post(url, data={"period": "all"}).status_code == 302  # to the sign-in page
    worker = make_user()
    add_member(course["org"], worker, "worker")
    assert login_as(worker).post(url, data={"period": "all"}).status_code == 403
    assert db.session.execute(select(DashboardSnapshot).where(DashboardSnapshot.requested_at.is_not(None))) \
        .first() is None


def test_work_out_now_with_a_bad_period_says_so(db, course, login_as):
    client = lead_of(course, login_as)
    answer = client.post(f"/org/{course['org'].slug}/evaluation/work-out-now", data={"period": "next-year"},
                         follow_redirects=True)
    assert answer.status_code == 200 and "could not be asked for" in answer.get_data(as_text=True)


def test_the_platform_dashboard_is_kept_for_the_admin(db, course, login_as):
    admin = make_user(admin=True)
    client = login_as(admin)
    client.get("/admin/evaluation")
    html = client.get("/admin/evaluation").get_data(as_text=True)
    assert "Figures as of" in html
    assert client.post("/admin/evaluation/work-out-now", data={"period": "all"}).status_code == 302
    assert row(db, "platform:all").requested_at is not None
