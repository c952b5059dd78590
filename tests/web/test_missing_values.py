"""Missing data is said in words, never as "None" (issue #15, point 4).

A young person with every optional field empty (no emergency contact, phone, gender,
postcode, medical note or collectors; signed up alone), one whose record was erased and
one anonymised by the retention schedule are booked and checked in at a session happening
now; then every door page, the fire register (screen and print are one page), the booking
pages, the family pages, the API and the exports are read. None of them may contain the
word "None" (whole word, case-sensitive) or a `tel:` link without a number.
"""
import csv
import io
import re
from datetime import date, datetime, timedelta

import openpyxl
import pytest

from outreach.models import Attendance, Registration
from outreach.services import passes
from outreach.timeutil import UTC
from tests.factories import make_org, make_programme, make_session, make_user, make_young_person

NONE_WORD = re.compile(r"\bNone\b")
EMPTY_TEL = re.compile(r"""tel:(?:["'\s>]|None)""")


@pytest.fixture()
def bare(db):
    lead, worker = make_user("lead@bare.example.org"), make_user("worker@bare.example.org")
    org = make_org("Bare Club", slug="bare", lead=lead, worker=worker)
    programme = make_programme(org, "Night Football", min_age=10, max_age=18)
    now = datetime.now(UTC)
    session = make_session(programme, starts_at=now - timedelta(minutes=20), hours=2)
    earlier = make_session(programme, starts_at=now - timedelta(days=7), hours=2)
    own_login = make_user("tia@example.org", "Tia Alone", phone=None)
    empty = dict(emergency_contact_name=None, emergency_contact_phone=None, gender=None, postcode_district=None,
                 medical_notes=None)
    alone = make_young_person("Tia", "Alone", dob=date(2011, 2, 2), user_id=own_login.id, **empty)
    guardian = make_user("guardian@example.org", "Gil Guardian", phone=None)
    child = make_young_person("Kit", "Bare", dob=date(2013, 3, 3), guardian=guardian, **empty)
    erased = make_young_person(None, None, dob=None, erased_at=now, **empty)
    erased.first_name = None
    anonymised = make_young_person(None, None, dob=date(2012, 1, 1), anonymised_at=now, **empty)
    anonymised.first_name = None
    people = [alone, child, erased, anonymised]
    for yp in people:
        db.session.add(Registration(young_person_id=yp.id, session_id=session.id, status="confirmed",
                                    confirmed_at=now - timedelta(days=1), created_at=now - timedelta(days=1)))
    for yp in people:
        db.session.add(Attendance(session_id=session.id, young_person_id=yp.id, method="manual",
                                  checked_in_at=now - timedelta(minutes=10), checked_in_by_id=worker.id))
    # Checked out last week; erasure blanked who collected them.
    db.session.add(Attendance(session_id=earlier.id, young_person_id=child.id, method="qr",
                              checked_in_at=earlier.starts_at, checked_out_at=earlier.ends_at, collected_by=None))
    db.session.commit()
    atts = {a.young_person_id: a for a in db.session.query(Attendance).filter_by(session_id=session.id)}
    return {"org": org, "lead": lead, "worker": worker, "guardian": guardian, "own_login": own_login,
            "programme": programme, "session": session, "earlier": earlier, "alone": alone, "child": child,
            "attendances": atts, "old": db.session.query(Attendance).filter_by(session_id=earlier.id).one()}


def _check(url, response):
    assert response.status_code == 200, f"{url}: {response.status_code}"
    if response.mimetype.endswith("spreadsheetml.sheet"):
        sheet = openpyxl.load_workbook(io.BytesIO(response.get_data())).active
        text = "\n".join(",".join("" if v is None else str(v) for v in row)
                         for row in sheet.iter_rows(values_only=True))
    else:
        text = response.get_data(as_text=True)
    found = NONE_WORD.search(text)
    assert found is None, f"{url} says None: …{text[max(0, found.start() - 80):found.end() + 40]}…"
    assert EMPTY_TEL.search(text) is None, f"{url} has a tel: link without a number"
    return text


def test_no_page_printout_or_export_says_none_for_missing_data(client, db, login_as, bare):
    s, slug = bare["session"], "bare"
    base = f"/org/{slug}/sessions/{s.id}"
    checked = []

    login_as(bare["worker"])
    alone_pass = passes.ensure_pass(bare["alone"]).secret
    for url in ["/org/bare/today", base, base + "?q=a", base + "/scan", base + "/on-site", base + "/walk-in",
                *[f"/org/bare/attendances/{a.id}/check-out" for a in bare["attendances"].values()],
                f"/org/bare/attendances/{bare['old'].id}/check-out", f"/p/{alone_pass}",
                f"/api/sessions/{s.id}/roster"]:
        checked.append(_check(url, client.get(url, follow_redirects=True)))
    on_site = checked[4]
    assert on_site.count("No emergency contact given") == 3 and on_site.count("No medical notes") == 3
    assert "Erased record" not in on_site  # the roster leaves erased records out
    assert "Anonymised record" in on_site
    result = client.post(f"/p/{alone_pass}/check-in", data={"session_id": s.id})
    checked.append(_check("pass check-in", result))
    api = client.post(f"/api/sessions/{s.id}/checkins", json={"pass": alone_pass})
    checked.append(_check("api check-in", api))

    login_as(bare["lead"])
    programme = bare["programme"]
    for url in [f"/org/bare/programmes/{programme.id}/registrations?session={s.id}",
                f"/org/bare/programmes/{programme.id}/pass-cards?session={s.id}", "/org/bare/audit-log"]:
        checked.append(_check(url, client.get(url, follow_redirects=True)))
    for key, data in [("session_register", {"session": str(s.id)}),
                      ("session_register", {"session": str(bare["earlier"].id)}),
                      ("programme_matrix", {"programme": str(programme.id)}), ("headcounts", {}),
                      ("funder_return", {}), ("evaluator_dataset", {})]:
        for fmt in ("csv", "xlsx"):
            got = client.post(f"/org/bare/exports/{key}", data=dict(data, format=fmt))
            checked.append(_check(f"{key} {data} {fmt}", got))
    register = list(csv.reader(io.StringIO(client.post("/org/bare/exports/session_register", data={
        "session": str(s.id), "format": "csv"}).get_data().decode("utf-8-sig"))))
    assert sorted(row[0] for row in register[1:]) == ["Anonymised record", "Erased record", "Kit Bare", "Tia Alone"]

    login_as(bare["guardian"])
    child = bare["child"]
    child_pass = passes.ensure_pass(child).secret
    for url in ["/family", f"/family/children/{child.id}/edit", f"/family/children/{child.id}/consent",
                f"/family/children/{child.id}/delete", f"/family/children/{child.id}/pass/replace",
                f"/p/{child_pass}", f"/family/children/{child.id}/data.json"]:
        checked.append(_check(url, client.get(url, follow_redirects=True)))
    assert "no emergency contact with a phone number" in checked[-7]

    login_as(bare["own_login"])
    for url in ["/family", f"/family/children/{bare['alone'].id}/edit", f"/p/{alone_pass}", "/account"]:
        checked.append(_check(url, client.get(url, follow_redirects=True)))
    assert len(checked) >= 35
