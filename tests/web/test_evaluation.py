"""Evaluation pages and export downloads: who may see them, and what a download holds."""
import csv
from datetime import timedelta
import io
import re
from urllib.parse import unquote

import openpyxl
from sqlalchemy import select

from outreach.models import AuditEvent
from tests.course import course  # noqa: F401  (fixture)
from tests.factories import add_member, make_user


def lead_of(course, login_as):
    lead = make_user()
    add_member(course["org"], lead, "lead")
    return lead, login_as(lead)


def test_lead_sees_organisation_and_programme_dashboards(course, login_as):
    _, client = lead_of(course, login_as)
    slug, pid = course["org"].slug, course["programme"].id
    page = client.get(f"/org/{slug}/evaluation")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Reach" in html and "Cohort retention" in html and "<svg" in html
    # The definitions on the page are the metrics' own docstrings.
    assert "sessions attended ÷ sessions offered" in html
    page = client.get(f"/org/{slug}/evaluation/programmes/{pid}")
    assert page.status_code == 200 and "Friday Football" in page.get_data(as_text=True)


def test_report_hides_small_numbers_and_says_so(course, login_as):
    _, client = lead_of(course, login_as)
    html = client.get(f"/org/{course['org'].slug}/evaluation/report?programme={course['programme'].id}") \
        .get_data(as_text=True)
    assert "Small numbers hidden" in html and "&lt;5" in html
    # Reach is 4 on this course: it must not appear as a figure.
    assert '<div class="stat">4</div>' not in html


def test_filters_with_bad_values_answer_with_a_message(course, login_as):
    _, client = lead_of(course, login_as)
    page = client.get(f"/org/{course['org'].slug}/evaluation?start=2026-12-01&end=2026-11-01&district=%3Cscript%3E")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "The end date must not be before the start date." in html and "<script>" not in html


def test_a_worker_can_neither_see_the_evaluation_nor_export(course, login_as, db):
    worker = make_user()
    add_member(course["org"], worker, "worker")
    client = login_as(worker)
    slug = course["org"].slug
    assert client.get(f"/org/{slug}/evaluation").status_code == 403
    assert client.get(f"/org/{slug}/exports").status_code == 403
    assert client.post(f"/org/{slug}/exports/headcounts", data={"format": "csv"}).status_code == 403
    assert db.session.execute(select(AuditEvent).where(AuditEvent.action.like("export.%"))).first() is None


def test_platform_dashboard_is_for_admins(course, login_as):
    assert login_as(make_user()).get("/admin/evaluation").status_code == 403
    assert login_as(make_user(admin=True)).get("/admin/evaluation").status_code == 200


def test_download_csv_and_xlsx_and_the_audit_trail(course, login_as, db):
    lead, client = lead_of(course, login_as)
    slug = course["org"].slug
    got = client.post(f"/org/{slug}/exports/programme_matrix",
                      data={"programme": str(course["programme"].id), "format": "csv"})
    assert got.status_code == 200 and got.mimetype == "text/csv"
    assert "attachment" in got.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(got.get_data().decode("utf-8-sig"))))
    assert rows[0][0] == "Name" and len(rows) == 1 + 5
    # The pages work on today's date, so how many sessions are held depends on the clock:
    # the XLSX must hold exactly the rows the CSV does.
    as_csv = client.post(f"/org/{slug}/exports/evaluator_dataset", data={"format": "csv"}).get_data()
    data_rows = len(list(csv.reader(io.StringIO(as_csv.decode("utf-8-sig"))))) - 1
    got = client.post(f"/org/{slug}/exports/evaluator_dataset", data={"format": "xlsx"})
    assert got.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(got.get_data())).active
    assert sheet["A1"].value == "Participant code" and data_rows >= 7 and sheet.max_row == 1 + data_rows
    events = db.session.execute(select(AuditEvent).where(AuditEvent.action.like("export.%"))
                                .order_by(AuditEvent.id)).scalars().all()
    assert [(e.action, e.actor_id, e.detail["format"]) for e in events] == [
        ("export.programme_matrix", lead.id, "csv"), ("export.evaluator_dataset", lead.id, "csv"),
        ("export.evaluator_dataset", lead.id, "xlsx")]
    assert all(e.occurred_at is not None and e.organisation_id == course["org"].id for e in events)


def test_a_register_needs_a_session(course, login_as):
    _, client = lead_of(course, login_as)
    got = client.post(f"/org/{course['org'].slug}/exports/session_register", data={"format": "csv"},
                      follow_redirects=True)
    assert got.status_code == 200 and "Choose a session for the register." in got.get_data(as_text=True)


def test_a_download_hands_the_pages_token_back_in_a_cookie(course, login_as):
    # static/js/forms.js keeps a download form busy until this cookie names its token.
    _, client = lead_of(course, login_as)
    slug = course["org"].slug
    token = "0123456789abcdef0123456789abcdef"
    got = client.post(f"/org/{slug}/exports/headcounts", data={"format": "csv", "download_token": token})
    assert got.status_code == 200 and got.get_data()  # (read: the CSV streams)
    cookie = got.headers["Set-Cookie"]
    flags = [f.strip().lower() for f in cookie.split(";")]
    assert cookie.startswith(f"download_started={token};")
    assert f"path=/org/{slug}/exports" in flags and "samesite=strict" in flags and "max-age=300" in flags
    # No token, or anything but a plain random one: no cookie at all.
    for odd in ("", "short", "x" * 65, token[:20] + ";path=/", token + "\r\nX-Evil: 1"):
        got = client.post(f"/org/{slug}/exports/headcounts", data={"format": "csv", "download_token": odd})
        assert got.status_code == 200 and got.get_data()
        assert "download_started" not in got.headers.get("Set-Cookie", ""), odd


def _programme_with_pairs(db, pairs):
    from tests.factories import make_org, make_programme
    from tests.survey_pairs import seed_pairs

    org = make_org()
    programme = make_programme(org, title="Youth Voice", min_age=12, max_age=16, registration_mode="enrol")
    seed_pairs(programme, pairs)
    return org, programme


def test_change_with_enough_pairs_is_a_finding_with_its_interval(db, login_as):
    org, programme = _programme_with_pairs(db, 40)
    lead = make_user()
    add_member(org, lead, "lead")
    html = login_as(lead).get(f"/org/{org.slug}/evaluation/programmes/{programme.id}").get_data(as_text=True)
    assert "Change from start to end (same young people only)" in html
    assert "SWEMWBS metric score" in html and "SWEMWBS: I’ve been feeling useful" in html
    assert "Too few pairs to say" not in html
    assert "With 40 pairs, only a change of 0.45 standard deviations or more would show at 80% power." in html
    assert " to +" in html
    assert "p\u00a0=\u00a0" in html or "p\u00a0&lt;\u00a00.001" in html
    # Wherever SWEMWBS is reported, its copyright line.
    assert "Short Warwick Edinburgh Mental Wellbeing Scale (SWEMWBS) © NHS Health Scotland" in html
    # The definitions are the functions' own docstrings.
    assert "Cohen&#39;s d_z = mean change ÷ s" in html and "None" not in html


def test_change_with_few_pairs_says_too_few_pairs_to_say(db, login_as):
    org, programme = _programme_with_pairs(db, 5)
    lead = make_user()
    add_member(org, lead, "lead")
    html = login_as(lead).get(f"/org/{org.slug}/evaluation/programmes/{programme.id}").get_data(as_text=True)
    assert html.count("Too few pairs to say") == 1 + 4 + 7  # the score, the core questions, the items
    assert "With 5 pairs, only a change of 1.68 standard deviations or more would show at 80% power." in html
    assert "A finding needs at least 20 young people" in html
    # The shared report hides counts under 5 and the finding altogether.
    report = login_as(lead).get(f"/org/{org.slug}/evaluation/report?programme={programme.id}").get_data(as_text=True)
    assert "Too few pairs to say" in report and "SWEMWBS metric score" in report
    # The report gives SWEMWBS as its published score, not item by item.
    assert "feeling useful" not in report and "© NHS Health Scotland" in report


def test_dashboard_says_which_regular_rule_it_used_and_writes_months_in_full(course, login_as, db):
    _, client = lead_of(course, login_as)
    slug, pid = course["org"].slug, course["programme"].id
    html = client.get(f"/org/{slug}/evaluation").get_data(as_text=True)
    assert ("Regular attendees: young people who came to at least 75% of the sessions offered to them "
            "(the default rule).") in html
    assert "75%+ of sessions offered" in html
    # The course ran in November 2026 (and, by the page's clock, maybe December).
    assert ">Nov 2026<" in html and ">Nov 26<" not in html
    course["programme"].regular_sessions = 3
    db.session.commit()
    html = client.get(f"/org/{slug}/evaluation/programmes/{pid}").get_data(as_text=True)
    assert "Friday Football: at least 3 sessions" in html and "3+ sessions" in html


def test_export_file_names_say_what_they_hold_and_never_repeat(course, login_as, db):
    _, client = lead_of(course, login_as)
    slug, s = course["org"].slug, course["s"]

    def name(key, **data):
        got = client.post(f"/org/{slug}/exports/{key}", data={"format": "xlsx", **data})
        assert got.status_code == 200
        got.get_data()
        return got.headers["Content-Disposition"]

    # 11 Nov 2026 18:00 London; made at the page's own minute.
    register = name("session_register", session=str(s[2].id))
    assert re.fullmatch(r'attachment; filename="register_friday-football_2026-11-11-1800_made-\d{4}-\d\d-\d\d-\d{4}'
                        r'\.xlsx"', register), register
    assert name("session_register", session=str(s[4].id)) != register
    matrix = name("programme_matrix", programme=str(course["programme"].id))
    assert matrix.startswith('attachment; filename="attendance-matrix_friday-football_made-')
    ranged = name("headcounts", start="2026-11-01", end="2026-11-30")
    assert f'filename="headcounts_{slug}_2026-11-01-to-2026-11-30_made-' in ranged
    assert f'filename="funder-return_{slug}_all-sessions_made-' in name("funder_return")
    assert 'filename="evaluator-dataset_friday-football_from-2026-11-11_made-' in name(
        "evaluator_dataset", programme=str(course["programme"].id), start="2026-11-11")
    # A title in another script: a plain ASCII name for old clients, the whole name in filename*.
    course["programme"].title = 'فٹ بال "کلب"'
    db.session.commit()
    header = name("programme_matrix", programme=str(course["programme"].id))
    plain, full = re.fullmatch(r'attachment; filename="([A-Za-z0-9._-]+)"; filename\*=UTF-8\'\'([A-Za-z0-9%._-]+)',
                               header).groups()
    assert plain.startswith("attendance-matrix_made-") and plain.endswith(".xlsx")
    assert unquote(full).startswith("attendance-matrix_فٹ-بال-کلب_made-")


def test_the_admin_reaches_the_evaluation_and_compares_partners_from_the_admin_pages(db, login_as):
    # The pages count what is held by now, so the sessions are days before now.
    from outreach.models import Attendance, Registration
    from outreach.timeutil import utcnow
    from tests.factories import make_org, make_programme, make_session, make_young_person

    now = utcnow()

    def session(programme, days_ago):
        return make_session(programme, starts_at=now - timedelta(days=days_ago), hours=2)

    def book(person, s):
        at = s.starts_at - timedelta(days=3)
        db.session.add(Registration(young_person_id=person.id, session_id=s.id, status="confirmed",
                                    created_at=at, confirmed_at=at))

    def came(person, s):
        db.session.add(Attendance(session_id=s.id, young_person_id=person.id, checked_in_at=s.starts_at, method="qr"))

    alpha = make_programme(make_org(name="Alpha Youth"), registration_mode="per_session")
    a1, a2 = session(alpha, 14), session(alpha, 7)
    p, q, r = make_young_person("P"), make_young_person("Q"), make_young_person("R")
    for person in (p, q):
        book(person, a1)
        book(person, a2)
    came(p, a1), came(q, a1), came(p, a2), came(r, a2)  # R walked in
    beta = make_programme(make_org(name="Beta Boxing"), registration_mode="per_session")
    b1 = session(beta, 5)
    x, y, z = make_young_person("X"), make_young_person("Y"), make_young_person("Z")
    book(x, b1), book(z, b1), came(x, b1), came(y, b1)
    make_org(name="Waiting Applicant", status="pending")
    db.session.commit()

    client = login_as(make_user(admin=True))
    admin_home = client.get("/admin/").get_data(as_text=True)
    assert 'href="/admin/evaluation"' in admin_home and 'href="/admin/evaluation/partners"' in admin_home
    assert 'href="/admin/evaluation/partners"' in client.get("/admin/evaluation").get_data(as_text=True)
    html = client.get("/admin/evaluation/partners").get_data(as_text=True)
    rows = _table_rows(html)
    # Alpha: reach P Q R = 3; attendances 4; held 2; show-up: booked P Q at both = 4, came 3 = 75%;
    # attendance rates P 2/2, Q 1/2, R 1/1 (from the session he walked into): 2 of 3 at 60%+ = 67%.
    assert rows["Alpha Youth"] == ["3", "4", "2", "75% of 4 bookings", "67% of 3 participants"]
    # Beta: reach X Y = 2; attendances 2; held 1; show-up X of X Z = 50%; rates X 1/1, Z 0/1, Y 1/1: 67%.
    assert rows["Beta Boxing"] == ["2", "2", "1", "50% of 2 bookings", "67% of 3 participants"]
    # All partners, worked out over the platform (not added up): reach 5, attendances 6, held 3,
    # show-up 4 of 6 = 67%, retention 4 of 6 = 67%.
    assert rows["All partners"] == ["5", "6", "3", "67% of 6 bookings", "67% of 6 participants"]
    assert "Waiting Applicant" not in rows
    assert list(rows)[:2] == ["Alpha Youth", "Beta Boxing"]
    assert "not hidden" in html and "For platform admins only" in html
    # The filters apply to every row: from 10 days ago, Alpha has its second session only: reach P R,
    # show-up P of P Q, rates P 1/1, Q 0/1, R 1/1.
    rows = _table_rows(client.get(f"/admin/evaluation/partners?start={(now - timedelta(days=10)).date()}")
                       .get_data(as_text=True))
    assert rows["Alpha Youth"] == ["2", "2", "1", "50% of 2 bookings", "67% of 3 participants"]
    assert rows["Beta Boxing"] == ["2", "2", "1", "50% of 2 bookings", "67% of 3 participants"]
    assert login_as(make_user()).get("/admin/evaluation/partners").status_code == 403


def _table_rows(html):
    """{first cell text: [the other cells' texts]} of every row of the page's table."""
    out = {}
    for row in re.findall(r"<tr>(.*?)</tr>", html, re.S):
        cells = [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        cells = [" ".join(c.split()) for c in cells]
        if cells and cells[0] != "Partner":
            out[cells[0]] = cells[1:]
    return out
