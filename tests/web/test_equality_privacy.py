"""Equality answers never reach staff (issue 17, point 7).

A young person known to partner A (booked and checked in at a session on now) has stored
answers with distinctive values: ethnic group "Gypsy or Irish Traveller", a disability and
special educational needs. Every page partner A's worker and lead can open (walked from the
URL map, as tests/web/site_map.py does) and every export (each run for the programme and the
session) is searched: no identified page or export shows the answers, or even asks about them;
the dashboards and the report, which count them, show only the five headings, suppressed.
"""
import re
from datetime import date, datetime, timedelta

import pytest

from outreach.exports import REGISTRY as EXPORTS
from outreach.models import Attendance, EqualityAnswers, Registration
from outreach.services import passes
from outreach.timeutil import UTC
from tests.factories import add_member, make_org, make_programme, make_session, make_user, make_young_person
from tests.web.site_map import get_routes, open_page

# The stored values, as code and as words, and the questions themselves.
STORED = ["gypsy_traveller", "Gypsy", "Irish Traveller"]
QUESTIONS = re.compile(r"ethnic|disabilit|special educational|\bSEN\b|equality", re.I)
# Pages that count the answers (suppressed aggregates): the headings may appear, the stored values may not.
AGGREGATE_ENDPOINTS = {"evaluation.organisation", "evaluation.programme", "evaluation.report", "evaluation.platform"}
AGGREGATE_EXPORTS = {"funder_return"}
# Public notices naming no one (the accessibility statement speaks of disabilities, the privacy
# notice of the optional questions): the stored values may not appear, the words may.
NOTICE_ENDPOINTS = {"main.accessibility", "main.privacy"}


@pytest.fixture()
def world(db):
    now = datetime.now(UTC)
    lead, worker, guardian = make_user("lead@a.example"), make_user("worker@a.example"), make_user("g@a.example")
    org = make_org("Partner A", slug="partner-a", lead=lead)
    add_member(org, worker, "worker")
    pending = make_org("Pending", slug="pending", status="pending", lead=make_user())
    programme = make_programme(org, "Youth Club", min_age=8, max_age=18)
    session = make_session(programme, starts_at=now - timedelta(minutes=30), hours=2)
    past = make_session(programme, starts_at=now - timedelta(days=7), hours=2)
    yp = make_young_person("Zinnia", "Quorndon", dob=date(2012, 3, 3), guardian=guardian)
    passes.ensure_pass(yp)
    db.session.add_all([
        Registration(young_person_id=yp.id, session_id=session.id, status="confirmed", confirmed_at=now),
        Attendance(session_id=session.id, young_person_id=yp.id, method="qr", checked_in_at=now),
        Attendance(session_id=past.id, young_person_id=yp.id, method="qr", checked_in_at=past.starts_at),
        EqualityAnswers(young_person_id=yp.id, ethnic_group="gypsy_traveller", disability="yes", special_needs="yes"),
    ])
    db.session.commit()
    return {"org": org, "pending": pending, "programme": programme, "session": session, "young_person": yp,
            "lead": lead, "worker": worker, "guardian": guardian, "past": past}


def _check(where, body, *, aggregate):
    for value in STORED:
        assert value not in body, f"{where} shows {value!r}"
    if not aggregate:
        found = QUESTIONS.search(body)
        assert found is None, f"{where} mentions {found and found[0]!r}"


@pytest.mark.parametrize("role", ["worker", "lead"])
def test_no_page_a_worker_or_lead_opens_shows_equality_answers(app, client, login_as, world, role):
    login_as(world[role])
    opened = 0
    for rule, url in get_routes(app, world):
        url, page = open_page(client, url)
        if page.status_code != 200:
            continue
        opened += 1
        body = page.get_data(as_text=True)
        _check(f"GET {url} ({rule.endpoint}) as {role}", body, aggregate=rule.endpoint in AGGREGATE_ENDPOINTS | NOTICE_ENDPOINTS)
    # The door pages with the young person on them, by their own ids.
    s = world["session"]
    for url in (f"/org/partner-a/sessions/{s.id}", f"/org/partner-a/sessions/{s.id}/on-site",
                f"/api/sessions/{s.id}/roster", f"/org/partner-a/sessions/{s.id}?q=Zinnia",
                f"/p/{passes.live_pass(world['young_person']).secret}"):
        page = client.get(url)
        opened += page.status_code == 200
        _check(f"GET {url} as {role}", page.get_data(as_text=True), aggregate=False)
    print(f"\n{role}: {opened} pages searched")
    assert opened > (25 if role == "worker" else 40)


def test_no_export_shows_equality_answers(client, login_as, world):
    login_as(world["lead"])
    ran = 0
    for key, spec in EXPORTS.items():
        for fmt in ("csv", "xlsx"):
            data = {"format": fmt, "programme": world["programme"].id,
                    "session": (world["session"] if spec.level == "session" else world["past"]).id}
            got = client.post(f"/org/partner-a/exports/{key}", data=data)
            assert got.status_code == 200, key
            if fmt == "xlsx":
                import io

                from openpyxl import load_workbook
                sheet = load_workbook(io.BytesIO(got.get_data())).active
                body = "\n".join(",".join("" if c is None else str(c) for c in row) for row in sheet.iter_rows(
                    values_only=True))
            else:
                body = got.get_data(as_text=True)
            if key in ("session_register", "programme_matrix"):
                assert "Zinnia" in body, key  # the export names her: the search means something
            _check(f"export {key} ({fmt})", body, aggregate=key in AGGREGATE_EXPORTS)
            ran += 1
    assert ran == 2 * len(EXPORTS)


def test_the_aggregate_pages_show_her_only_as_a_hidden_small_count(client, login_as, world):
    login_as(world["lead"])
    page = client.get(f"/org/partner-a/evaluation/programmes/{world['programme'].id}").get_data(as_text=True)
    section = page[page.index('id="h-equality"'):]
    # One young person: every group is 0 or "<5" (or the breakdown withheld), on the lead's own dashboard too.
    assert "Gypsy" not in section and not re.search(r">\s*1\s*<", section.split("</section>")[0])


def test_the_family_sees_and_changes_their_own_answers(client, login_as, db, world):
    login_as(world["guardian"])
    url = f"/family/children/{world['young_person'].id}/equality"
    page = client.get(url).get_data(as_text=True)
    assert "Why we ask" in page and 'selected value="gypsy_traveller"' in page and "Staff never see" in page
    assert client.post(url, data={"ethnic_group": "prefer_not", "disability": "", "special_needs": "no"}
                       ).status_code == 302
    row = db.session.get(EqualityAnswers, world["young_person"].id)
    assert (row.ethnic_group, row.disability, row.special_needs) == ("prefer_not", None, "no")
    data = client.get(f"/family/children/{world['young_person'].id}/data.json").get_json()
    assert data["equality_monitoring"]["ethnic_group"] == "Prefer not to say"
    assert client.post(url, data={"ethnic_group": "martian"}).status_code == 400
    # All three "Not answered": nothing kept.
    assert client.post(url, data={"ethnic_group": "", "disability": "", "special_needs": ""}).status_code == 302
    db.session.expire_all()
    assert db.session.get(EqualityAnswers, world["young_person"].id) is None


def test_staff_and_other_families_cannot_open_the_questions(client, login_as, world):
    url = f"/family/children/{world['young_person'].id}/equality"
    for who in ("worker", "lead"):
        login_as(world[who])
        assert client.get(url).status_code == 404
        assert client.post(url, data={"ethnic_group": "roma"}).status_code == 404
    login_as(make_user("other-guardian@a.example"))
    assert client.get(url).status_code == 404


def test_erasing_a_child_removes_the_answers(client, login_as, db, world):
    login_as(world["guardian"])
    client.post(f"/family/children/{world['young_person'].id}/delete", data={"confirm": "y"})
    db.session.expire_all()
    assert db.session.get(EqualityAnswers, world["young_person"].id) is None
