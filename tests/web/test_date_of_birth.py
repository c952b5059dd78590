"""Date of birth as three boxes (day, month, year), the GOV.UK pattern for dates people know by heart,
on every form where one is typed: self sign-up, add child, edit child, staff booking on behalf, walk-in.

Every bad combination is answered with the form again and a message next to the date (never a 500,
never a young person stored), what was typed is kept in the boxes, and only the boxes at fault are
marked. The page title then starts with "Error:".
"""
import re
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from outreach.models import YoungPerson
from outreach.timeutil import UTC
from tests.factories import make_org, make_programme, make_session, make_user, make_young_person

TODAY = date.today()


@pytest.fixture()
def forms(db):
    guardian = make_user("dob-guardian@example.org", "Dee Guardian")
    lead, worker = make_user("dob-lead@example.org"), make_user("dob-worker@example.org")
    org = make_org("Dob Club", slug="dob", lead=lead, worker=worker)
    programme = make_programme(org, "Dob Friday", min_age=8, max_age=18, capacity=10)
    now = datetime.now(UTC)
    door_session = make_session(programme, starts_at=now - timedelta(minutes=15), hours=2)
    later = make_session(programme, starts_at=now + timedelta(days=4))
    child = make_young_person("Kit", "Dob", dob=date(2014, 3, 9), guardian=guardian)
    db.session.commit()
    common_child = {"first_name": "Maisie", "last_name": "Dob", "emergency_contact_name": "Rui",
                    "emergency_contact_phone": "07700 900456"}
    common_staff = {"first_name": "Dara", "last_name": "Dob", "guardian_name": "Mo Dob",
                    "guardian_phone": "07700 900777", "consent_by_phone": "y"}
    return {
        "signup": (None, "/signup", {"kind": "young_person", "full_name": "Alex Dob", "email": "alex-dob@example.org",
                                     "emergency_contact_name": "Jo", "emergency_contact_phone": "07700 900222",
                                     "password": "a long passphrase", "confirm": "a long passphrase"}),
        "add_child": (guardian, "/family/children/new", {**common_child, "consent": "y"}),
        "edit_child": (guardian, f"/family/children/{child.id}/edit", dict(common_child)),
        "on_behalf": (worker, f"/org/dob/programmes/{programme.id}/registrations/new?session={later.id}",
                      {**common_staff, "session_id": str(later.id)}),
        "walk_in": (worker, f"/org/dob/sessions/{door_session.id}/walk-in", dict(common_staff)),
    }


BAD = [
    # (day, month, year), the message, the boxes marked
    (("31", "2", "2013"), "Date of birth must be a real date.", {"day"}),
    (("29", "2", "2013"), "Date of birth must be a real date.", {"day"}),
    (("1", "13", "2013"), "Date of birth must be a real date.", {"month"}),
    (("0", "5", "2013"), "Date of birth must be a real date.", {"day"}),
    (("12", "5", "3000"), "Date of birth must be in the past.", {"day", "month", "year"}),
    ((str(TODAY.day), str(TODAY.month), str(TODAY.year + 1)), "Date of birth must be in the past.",
     {"day", "month", "year"}),
    (("12", "5", "1"), "Year must include 4 numbers.", {"year"}),
    (("12", "5", "0001"), "Date of birth must be after 1900.", {"year"}),
    (("12", "5", "1850"), "Date of birth must be after 1900.", {"year"}),
    (("12", "5", "1950"), "Date of birth must be in 1990 or later", {"day", "month", "year"}),
    (("ab", "5", "2013"), "Date of birth must be a real date, in numbers", {"day"}),
    (("12", "May", "2013"), "Date of birth must be a real date, in numbers", {"month"}),
    (("12", "5", "twenty13"), "Date of birth must be a real date, in numbers", {"year"}),
    (("-1", "5", "2013"), "Date of birth must be a real date, in numbers", {"day"}),
    (("1.5", "5", "2013"), "Date of birth must be a real date, in numbers", {"day"}),
    (("", "5", "2013"), "Date of birth must include a day.", {"day"}),
    (("12", "", "2013"), "Date of birth must include a month.", {"month"}),
    (("12", "5", ""), "Date of birth must include a year.", {"year"}),
    (("", "", "2013"), "Date of birth must include a day and a month.", {"day", "month"}),
    (("", "", ""), "Enter", {"day", "month", "year"}),
    (("12", "5", str(10 ** 30)), "Year must include 4 numbers.", {"year"}),
    ((str(10 ** 30), "5", "2013"), "Date of birth must be a real date.", {"day"}),
    (("12", str(10 ** 30), "2013"), "Date of birth must be a real date.", {"month"}),
    (("12", "5", "9" * 5000), "Year must include 4 numbers.", {"year"}),
    (("\x00", "5", "2013"), "Date of birth must include a day.", {"day"}),
    (("²", "5", "2013"), "Date of birth must be a real date, in numbers", {"day"}),  # not decimal digits
]


def _parts(day, month, year):
    return {"date_of_birth-day": day, "date_of_birth-month": month, "date_of_birth-year": year}


def _marked(page: str) -> set[str]:
    return {m.group(1) for m in re.finditer(r'id="date_of_birth-(day|month|year)"[^>]*aria-invalid="true"', page)}


@pytest.mark.parametrize("form", ["signup", "add_child", "edit_child", "on_behalf", "walk_in"])
@pytest.mark.parametrize("typed,message,marked", BAD, ids=[f"{d[:6]!a}-{m[:6]!a}-{y[:6]!a}" for (d, m, y), *_ in BAD])
def test_a_bad_date_of_birth_is_explained_next_to_the_boxes(client, db, login_as, forms, form, typed, message,
                                                             marked):
    who, url, data = forms[form]
    if who:
        login_as(who)
    people = db.session.scalar(select(func.count()).select_from(YoungPerson))
    response = client.post(url, data={**data, **_parts(*typed)})
    assert response.status_code == 200, response.status_code
    page = response.get_data(as_text=True)
    field = page[page.index('id="date_of_birth"'):]
    field = field[:field.index("</fieldset>")]
    assert message in field, "message not next to the boxes"
    assert 'class="field__error"' in field
    assert _marked(page) == marked
    assert "<title>Error: " in page
    # What was typed comes back (clipped, control characters gone), so only the wrong box needs retyping.
    assert f'value="{typed[1][:12]}"' in field or not typed[1]
    assert db.session.scalar(select(func.count()).select_from(YoungPerson)) == people


@pytest.mark.parametrize("form", ["add_child", "edit_child", "on_behalf", "walk_in"])
def test_three_boxes_make_the_date(client, db, login_as, forms, form):
    who, url, data = forms[form]
    login_as(who)
    first = data.get("first_name")
    response = client.post(url, data={**data, **_parts(" 7", "03 ", "2013")})
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    person = db.session.scalars(select(YoungPerson).where(YoungPerson.first_name == first)
                                .order_by(YoungPerson.id.desc())).first()
    assert person.date_of_birth == date(2013, 3, 7)


def test_digits_typed_in_another_script_are_read(client, db, login_as, forms):
    who, url, data = forms["add_child"]
    login_as(who)
    # Arabic-Indic digits, as an Urdu or Arabic keyboard types them: 7 3 2013.
    response = client.post(url, data={**data, **_parts("٧", "٣", "٢٠١٣")})
    assert response.status_code == 302
    person = db.session.scalar(select(YoungPerson).where(YoungPerson.first_name == "Maisie"))
    assert person.date_of_birth == date(2013, 3, 7)


def test_edit_child_shows_the_date_in_three_boxes(client, login_as, forms):
    who, url, _ = forms["edit_child"]
    login_as(who)
    page = client.get(url).get_data(as_text=True)
    for part, value in (("day", "9"), ("month", "3"), ("year", "2014")):
        assert re.search(rf'id="date_of_birth-{part}"[^>]*value="{value}"', page), part
    assert "<title>Error:" not in page
    assert 'type="date"' not in page


def test_the_error_summary_links_to_the_first_box_to_fix(client, login_as, forms):
    who, url, data = forms["add_child"]
    login_as(who)
    page = client.post(url, data={**data, **_parts("12", "", "")}).get_data(as_text=True)
    assert 'href="#date_of_birth-month"' in page


def test_a_guardian_signing_up_gives_no_date_of_birth(client, db):
    data = {"kind": "guardian", "full_name": "Sam Carer", "email": "sam-dob@example.org",
            "password": "a long passphrase", "confirm": "a long passphrase", **_parts("", "", "")}
    response = client.post("/signup", data=data)
    assert response.status_code == 200 and "Check your email" in response.get_data(as_text=True)
