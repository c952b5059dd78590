"""My family: adding children, consent, booking, passes, download and erasure."""
import io
import json
from xml.etree import ElementTree
from datetime import date, datetime, timedelta

import pytest
import zxingcpp
from PIL import Image
from sqlalchemy import func, select, text

from outreach.models import Attendance, Consent, GuardianLink, Pass, Registration, YoungPerson
from outreach.services import consent as consent_service
from outreach.timeutil import UTC
from tests.factories import make_org, make_programme, make_session, make_user, make_young_person

CHILD = {
    "first_name": "Maisie", "last_name": "Ferreira-Holt", "date_of_birth": "2014-03-09", "gender": "girl",
    "postcode_district": "m14", "emergency_contact_name": "Rui Ferreira", "emergency_contact_phone": "07700 900456",
    "medical_notes": "Peanut allergy, EpiPen in bag", "photo_consent": "y",
    "collectors-0-name": "Grandad Joe", "collectors-0-relationship_label": "Grandfather",
    "collectors-0-phone": "07700 900789", "consent": "y",
}


@pytest.fixture()
def guardian(db, login_as):
    user = make_user("paula@example.org", "Paula Holt")
    db.session.commit()
    login_as(user)
    return user


def test_guardian_adds_a_child_with_consent_and_pass(client, db, guardian):
    response = client.post("/family/children/new", data=CHILD)
    assert response.status_code == 302
    child = db.session.execute(select(YoungPerson).where(YoungPerson.first_name == "Maisie")).scalar_one()
    assert child.postcode_district == "M14"
    assert [c.name for c in child.collectors] == ["Grandad Joe"]
    consent = db.session.execute(select(Consent).where(Consent.young_person_id == child.id)).scalar_one()
    assert (consent.kind, consent.wording_version, consent.given_by_id) == (
        "guardian", consent_service.CURRENT_VERSION, guardian.id)
    assert db.session.execute(select(Pass).where(Pass.young_person_id == child.id)).scalar_one().revoked_at is None
    page = client.get("/family").get_data(as_text=True)
    assert "Maisie Ferreira-Holt" in page and "Show pass" in page


@pytest.mark.parametrize("field,value,message", [
    ("first_name", "", "Enter their first name."),
    ("first_name", "x" * 61, "Field cannot be longer than 60 characters."),
    ("date_of_birth", "", "Enter their date of birth."),
    ("date_of_birth", "2999-01-01", "Date of birth must be in the past."),
    ("date_of_birth", "not-a-date", "Date of birth must be a real date."),
    ("emergency_contact_phone", "call me", "Enter a phone number"),
    ("postcode_district", "Manchester", "first part of the postcode"),
    ("consent", "", "Please tick to give consent."),
])
def test_bad_child_details_are_explained_next_to_the_field(client, db, guardian, field, value, message):
    data = dict(CHILD, **{field: value})
    if value == "":
        data.pop(field)
    response = client.post("/family/children/new", data=data)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(YoungPerson)) == 0


def test_changed_consent_wording_asks_again(client, db, guardian, monkeypatch):
    client.post("/family/children/new", data=CHILD)
    assert "consent wording has changed" not in client.get("/family").get_data(as_text=True)
    monkeypatch.setattr(consent_service, "CURRENT_VERSION", "2027-01")
    monkeypatch.setitem(consent_service.WORDINGS, "2027-01", "New wording.")
    assert "consent wording has changed" in client.get("/family").get_data(as_text=True)


def test_someone_elses_child_is_not_found(client, db, guardian):
    other = make_young_person(guardian=make_user())
    db.session.commit()
    for url in (f"/family/children/{other.id}/edit", f"/family/children/{other.id}/data.json",
                f"/family/children/{other.id}/delete"):
        assert client.get(url).status_code == 404


def _book_setup(db, guardian, mode="per_session", capacity=5):
    org = make_org()
    programme = make_programme(org, registration_mode=mode, capacity=capacity, min_age=10, max_age=14)
    session = make_session(programme, starts_at=datetime.now(UTC) + timedelta(days=3))
    child = make_young_person("Ravi", dob=date.today().replace(year=date.today().year - 12), guardian=guardian)
    db.session.commit()
    return programme, session, child


def test_guardian_books_a_session(client, db, guardian):
    programme, session, child = _book_setup(db, guardian)
    response = client.post(f"/activities/{programme.id}/book",
                           data={"young_person_id": child.id, "session_id": session.id})
    assert response.status_code == 302
    reg = db.session.execute(select(Registration).where(Registration.young_person_id == child.id)).scalar_one()
    assert (reg.status, reg.session_id, reg.created_by_id) == ("confirmed", session.id, guardian.id)
    assert programme.title in client.get("/family").get_data(as_text=True)


def test_booking_outside_the_age_range_shows_the_range(client, db, guardian):
    programme, session, _ = _book_setup(db, guardian)
    old = make_young_person("Old", dob=date.today().replace(year=date.today().year - 17), guardian=guardian)
    db.session.commit()
    response = client.post(f"/activities/{programme.id}/book", data={"young_person_id": old.id,
                                                                      "session_id": session.id})
    assert response.status_code == 200
    assert "ages 10 to 14" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 0


def test_booking_without_a_session_on_a_per_session_programme_says_so(client, db, guardian):
    programme, _, child = _book_setup(db, guardian)
    response = client.post(f"/activities/{programme.id}/book", data={"young_person_id": child.id})
    assert "Choose a session." in response.get_data(as_text=True)


def test_pass_png_decodes_to_the_pass_url_which_opens_the_pass(client, db, guardian, app):
    client.post("/family/children/new", data=CHILD)
    live = db.session.execute(select(Pass)).scalar_one()
    png = client.get(f"/p/{live.secret}/qr.png").data
    decoded = [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]
    assert decoded == [f"{app.config['BASE_URL']}/p/{live.secret}"]
    page = client.get(decoded[0].replace(app.config["BASE_URL"], ""))
    assert page.status_code == 200 and "Maisie" in page.get_data(as_text=True)
    svg = client.get(f"/p/{live.secret}/qr.svg")
    assert svg.mimetype == "image/svg+xml"


def test_a_stranger_opening_a_pass_sees_no_name(client, db, guardian, app):
    client.post("/family/children/new", data=CHILD)
    live = db.session.execute(select(Pass)).scalar_one()
    stranger = app.test_client()
    page = stranger.get(f"/p/{live.secret}").get_data(as_text=True)
    assert "Maisie" not in page and "Ferreira" not in page and "This is an Outreach pass" in page
    assert stranger.get(f"/p/{live.secret}/qr.png").status_code == 404


def test_replaced_pass_stops_working(client, db, guardian):
    client.post("/family/children/new", data=CHILD)
    child = db.session.execute(select(YoungPerson)).scalar_one()
    old = db.session.execute(select(Pass)).scalar_one().secret
    assert client.post(f"/family/children/{child.id}/pass/replace", data={"confirm": "y"}).status_code == 302
    assert "has been replaced" in client.get(f"/p/{old}").get_data(as_text=True)


def test_download_holds_everything_and_is_audited(client, db, guardian):
    client.post("/family/children/new", data=CHILD)
    child = db.session.execute(select(YoungPerson)).scalar_one()
    response = client.get(f"/family/children/{child.id}/data.json")
    data = json.loads(response.data)
    assert data["young_person"]["medical_notes"] == "Peanut allergy, EpiPen in bag"
    assert data["authorised_collectors"][0]["name"] == "Grandad Joe"
    assert data["consents"][0]["wording_version"] == consent_service.CURRENT_VERSION
    assert db.session.scalar(text("SELECT count(*) FROM audit_events WHERE action = 'young_person.exported'")) == 1


def test_delete_erases_personal_data_everywhere_but_keeps_attendance_counts(client, db, guardian):
    client.post("/family/children/new", data=CHILD)
    child = db.session.execute(select(YoungPerson)).scalar_one()
    org = make_org()
    programme = make_programme(org)
    session = make_session(programme, starts_at=datetime.now(UTC) - timedelta(days=7))
    db.session.add(Attendance(session_id=session.id, young_person_id=child.id, method="qr",
                              checked_in_at=session.starts_at, collected_by="Grandad Joe"))
    db.session.commit()
    assert client.post(f"/family/children/{child.id}/delete", data={}).status_code == 200  # needs the tick
    assert client.post(f"/family/children/{child.id}/delete", data={"confirm": "y"}).status_code == 302

    personal = ["Maisie", "Ferreira-Holt", "2014-03-09", "Rui Ferreira", "07700 900456", "Peanut", "Grandad Joe",
                "07700 900789", "M14"]
    dump = _dump_database(db)
    for value in personal:
        assert value not in dump, f"{value!r} survived erasure"
    attended = db.session.scalar(select(func.count()).select_from(Attendance)
                                 .where(Attendance.session_id == session.id))
    assert attended == 1
    assert db.session.scalar(select(func.count()).select_from(GuardianLink)) == 0


def _dump_database(db) -> str:
    """Every value in every table, as one string, to search for what should be gone."""
    chunks = []
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(table.select()):
            chunks.append(" ".join(str(v) for v in row))
    return "\n".join(chunks)


# ------------------------------------------------------------------ a young person's own account

@pytest.fixture()
def teen(db, login_as):
    """A 14-year-old who signed up alone, with a 9-year-old 'child' her account added before the rule."""
    user = make_user("teen@example.org", "Tia Alone")
    today = date.today()
    own = make_young_person("Tia", "Alone", dob=date(today.year - 14, 1, 1), user_id=user.id)
    earlier = make_young_person("Nia", "Small", dob=date(today.year - 9, 1, 1), guardian=user)
    db.session.commit()
    login_as(user)
    return user, own, earlier


def _counts(db):
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (YoungPerson, GuardianLink, Consent, Registration)}


def test_a_young_persons_own_account_cannot_add_a_child(client, db, teen):
    before = _counts(db)
    form = client.get("/family/children/new")
    assert form.status_code == 403 and "can&#39;t add children" in form.get_data(as_text=True)
    posted = client.post("/family/children/new", data=dict(CHILD, date_of_birth=f"{date.today().year - 9}-02-02"))
    assert posted.status_code == 403
    assert _counts(db) == before


def test_a_young_persons_own_account_cannot_give_a_parents_consent(client, db, teen):
    _, own, earlier = teen
    before = _counts(db)
    for child in (earlier, own):
        assert client.get(f"/family/children/{child.id}/consent").status_code in (403, 404)
        assert client.post(f"/family/children/{child.id}/consent", data={"consent": "y"}).status_code in (403, 404)
    assert _counts(db) == before


def test_a_young_persons_own_account_books_only_themself(client, db, teen):
    _, own, earlier = teen
    programme = make_programme(make_org(), registration_mode="per_session", capacity=1, min_age=8, max_age=16)
    session = make_session(programme, starts_at=datetime.now(UTC) + timedelta(days=3), capacity=0)
    db.session.commit()
    page = client.get(f"/activities/{programme.id}/book", follow_redirects=True).get_data(as_text=True)
    assert "Tia" in page and "Nia" not in page
    client.post(f"/activities/{programme.id}/book", data={"young_person_id": earlier.id, "session_id": session.id})
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 0  # no waiting list place either
    for url in (f"/family/children/{earlier.id}/edit", f"/family/children/{earlier.id}/data.json"):
        assert client.get(url).status_code == 404


def test_my_family_for_a_young_person_shows_their_own_profile_and_no_add_a_child(client, db, teen):
    page = client.get("/family").get_data(as_text=True)
    assert "Tia Alone" in page and "Nia" not in page
    assert "Add a child" not in page and "/family/children/new" not in page
    own_form = client.get(f"/family/children/{teen[1].id}/edit").get_data(as_text=True)
    assert "Your details" in own_form and "I may go home on my own after a session" in own_form


def test_a_young_person_sets_going_home_alone_on_their_own_profile(client, db, teen):
    _, own, _ = teen
    data = {"first_name": "Tia", "last_name": "Alone", "date_of_birth": own.date_of_birth.isoformat(),
            "emergency_contact_name": "Aunt Rae", "emergency_contact_phone": "07700 900765",
            "may_go_home_alone": "y"}
    assert client.post(f"/family/children/{own.id}/edit", data=data).status_code == 302
    db.session.refresh(own)
    assert (own.may_go_home_alone, own.emergency_contact_name) == (True, "Aunt Rae")


def test_the_service_refuses_a_young_persons_account_as_a_parent(db, teen):
    from outreach.errors import PermissionDeniedError
    from outreach.services import family
    from outreach.services.family import ChildDetails

    user, _, earlier = teen
    details = ChildDetails(first_name="Kit", last_name="Small", date_of_birth=date(date.today().year - 9, 3, 3),
                           emergency_contact_name="Tia", emergency_contact_phone="07700 900111")
    with pytest.raises(PermissionDeniedError) as err:
        family.add_child(user, details, consent_given=True)
    assert err.value.code == "young_person_account"
    with pytest.raises(PermissionDeniedError):
        family.give_consent(user, earlier)
    assert family.children_of(user) == [] and not family.may_manage(user, earlier)


def _dark_rows(image):
    """Rows of the image (top to bottom) that hold any dark pixel."""
    grey = image.convert("L")
    width, height = grey.size
    pixels = grey.load()
    return [y for y in range(height) if any(pixels[x, y] < 128 for x in range(width))]


def test_pass_png_has_the_first_name_under_the_code_and_is_named_after_the_child(client, db, guardian, app):
    client.post("/family/children/new", data=CHILD)
    live = db.session.execute(select(Pass)).scalar_one()
    got = client.get(f"/p/{live.secret}/qr.png?download=1")
    assert got.headers["Content-Disposition"] == 'attachment; filename="maisie-pass.png"'
    image = Image.open(io.BytesIO(got.data))
    assert [r.text for r in zxingcpp.read_barcodes(image)] == [f"{app.config['BASE_URL']}/p/{live.secret}"]
    # The plain code is square; the pass is taller by the name written under the code.
    plain = Image.open(io.BytesIO(client.get(f"/p/{live.secret}/qr.png?plain=1").data))
    assert plain.width == plain.height == image.width and image.height > image.width
    [code] = zxingcpp.read_barcodes(image)
    code_bottom = max(p.y for p in (code.position.bottom_left, code.position.bottom_right))
    below = [y for y in _dark_rows(image) if y > code_bottom + 10]
    assert below and max(below) - min(below) >= 20  # letters at least 20 px tall
    assert client.get(f"/p/{live.secret}/qr.png").headers["Content-Disposition"] == 'inline; filename="maisie-pass.png"'
    svg = client.get(f"/p/{live.secret}/qr.svg")
    assert svg.headers["Content-Disposition"] == 'attachment; filename="maisie-pass.svg"'
    assert b">Maisie</text>" in svg.data


@pytest.mark.parametrize("first_name, plain, full", [
    ("عائشہ", "pass.png", "%D8%B9%D8%A7%D8%A6%D8%B4%DB%81-pass.png"),
    ('Zoë "Z"', "zoe-z-pass.png", "zo%C3%AB-z-pass.png"),
    ("Ma'ya\\; x=1", "ma-ya-x-1-pass.png", None),
])
def test_a_pass_named_in_any_script_or_with_quotes_gets_a_safe_file_name(client, db, guardian, app, first_name,
                                                                         plain, full):
    client.post("/family/children/new", data={**CHILD, "first_name": first_name})
    live = db.session.execute(select(Pass)).scalar_one()
    got = client.get(f"/p/{live.secret}/qr.png?download=1")
    expected = f'attachment; filename="{plain}"' + (f"; filename*=UTF-8''{full}" if full else "")
    assert got.headers["Content-Disposition"] == expected
    assert [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(got.data)))] == [
        f"{app.config['BASE_URL']}/p/{live.secret}"]
    svg = ElementTree.fromstring(client.get(f"/p/{live.secret}/qr.svg").data)
    [text] = svg.iter("{http://www.w3.org/2000/svg}text")
    assert text.text == " ".join(first_name.split())  # text, whatever its quotes: never markup


def test_an_urdu_name_is_drawn_under_the_code(client, db, guardian):
    from outreach.services.passes import label_font

    if label_font("عائشہ") is None:
        pytest.skip("no font with Urdu's letters here: apt-get install fonts-noto-core")
    client.post("/family/children/new", data={**CHILD, "first_name": "عائشہ"})
    live = db.session.execute(select(Pass)).scalar_one()
    image = Image.open(io.BytesIO(client.get(f"/p/{live.secret}/qr.png").data))
    assert image.height > image.width
