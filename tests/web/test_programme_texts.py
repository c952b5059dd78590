"""A programme in more than one language: the lead's form keeps a title, description and venue
directions per language; families reading in that language see them, others the English."""
import os
import re

import pytest
from flask import render_template_string
from sqlalchemy import select

from outreach import i18n
from outreach.errors import ValidationError
from outreach.extensions import db as _db
from outreach.models import Programme, ProgrammeText
from outreach.services import programmes
from outreach.services.programmes import TEXT_LANGUAGES, LanguageText, ProgrammeDetails
from tests.factories import make_org, make_programme, make_session, make_user

FORM = dict(title="Friday Night Football", description="Five-a-side for beginners.", category="sport",
            venue_name="Longsight Sports Centre", venue_address="1 Stockport Rd, Manchester",
            venue_directions="Side entrance, by the car park.",
            postcode_district="M13", min_age="11", max_age="16", capacity="20", registration_mode="per_session")
URDU = {"text_ur_title": "جمعہ کی رات فٹ بال", "text_ur_description": "نئے کھلاڑیوں کے لیے پانچ کھلاڑیوں کا فٹ بال۔",
        "text_ur_venue_directions": "کار پارک کے پاس والا دروازہ۔"}
POLISH = {"text_pl_title": "Piątkowa piłka nożna", "text_pl_description": "Piłka pięcioosobowa dla początkujących."}


def db_rows(programme):
    return _db.session.execute(select(ProgrammeText).where(ProgrammeText.programme_id == programme.id)).scalars().all()


def _texts(programme):
    return {t.language: t for t in db_rows(programme)}


def _in(code, programme, field):
    with i18n.in_language(code):
        return render_template_string("{{ p|in_language('%s') }}" % field, p=programme)


@pytest.fixture()
def setup(db, login_as):
    lead = make_user()
    org = make_org(lead=lead, safeguarding_lead=lead)
    programme = make_programme(org, title="Friday Night Football", description="Five-a-side for beginners.")
    make_session(programme)
    db.session.commit()
    login_as(lead)
    return org, programme


def test_the_service_languages_are_the_shipped_ones():
    assert set(TEXT_LANGUAGES) == set(i18n.LANGUAGES) - {i18n.DEFAULT}


def test_the_form_has_a_box_per_language_marked_with_its_language_and_direction(client, setup):
    org, programme = setup
    page = client.get(f"/org/{org.slug}/programmes/{programme.id}/edit").get_data(as_text=True)
    assert "In other languages" in page and "How to find the venue" in page
    for code, direction in (("pl", "ltr"), ("ur", "rtl"), ("ar", "rtl")):
        for part in ("title", "description", "venue_directions"):
            tag = re.search(r'<(?:input|textarea)[^>]*name="text_%s_%s"[^>]*>' % (code, part), page).group(0)
            assert f'lang="{code}"' in tag and f'dir="{direction}"' in tag, tag
    assert 'name="text_en_GB_title"' not in page and 'name="text_en_title"' not in page


def test_a_lead_saves_urdu_and_polish_texts_and_families_read_them(app, client, db, setup):
    org, programme = setup
    resp = client.post(f"/org/{org.slug}/programmes/{programme.id}/edit", data={**FORM, **URDU, **POLISH})
    assert resp.status_code == 302
    db.session.refresh(programme)
    texts = _texts(programme)
    assert set(texts) == {"ur", "pl"}
    assert texts["ur"].title == URDU["text_ur_title"]
    assert texts["ur"].venue_directions == URDU["text_ur_venue_directions"]
    assert texts["pl"].description == POLISH["text_pl_description"] and texts["pl"].venue_directions == ""
    assert programme.venue_directions == "Side entrance, by the car park."

    # The staff page says which languages it has; the edit form comes back filled in.
    detail = client.get(f"/org/{org.slug}/programmes/{programme.id}").get_data(as_text=True)
    assert 'data-languages="pl ur"' in detail and "English, Polish, Urdu" in detail
    form = client.get(f"/org/{org.slug}/programmes/{programme.id}/edit").get_data(as_text=True)
    assert URDU["text_ur_title"] in form and POLISH["text_pl_title"] in form

    # The reader's language, else the English, field by field.
    with app.test_request_context():
        assert _in("ur", programme, "title") == URDU["text_ur_title"]
        assert _in("ur", programme, "description") == URDU["text_ur_description"]
        assert _in("pl", programme, "title") == POLISH["text_pl_title"]
        assert _in("pl", programme, "venue_directions") == "Side entrance, by the car park."  # no Polish: English
        assert _in("ar", programme, "title") == "Friday Night Football"  # no Arabic text at all
        assert _in("ar", programme, "description") == "Five-a-side for beginners."
        assert _in("en_GB", programme, "title") == "Friday Night Football"

    # The catalogue, once its templates read programme|in_language (the public pages' work).
    visitor = app.test_client()
    for url, template in (("/activities", "index.html"), (f"/activities/{programme.id}", "programme.html")):
        with open(os.path.join(app.template_folder, "catalogue", template), encoding="utf-8") as f:
            translated = "in_language" in f.read()
        urdu = visitor.get(url, headers={"Accept-Language": "ur"})
        assert urdu.status_code == 200
        if translated:
            assert URDU["text_ur_title"] in urdu.get_data(as_text=True), url
        arabic = visitor.get(url, headers={"Accept-Language": "ar"})
        assert arabic.status_code == 200 and "Friday Night Football" in arabic.get_data(as_text=True)
    if translated:  # the description is on the programme's own page
        assert URDU["text_ur_description"] in urdu.get_data(as_text=True)


def test_emptying_a_language_removes_it_and_other_saves_keep_it(client, db, setup):
    org, programme = setup
    url = f"/org/{org.slug}/programmes/{programme.id}/edit"
    client.post(url, data={**FORM, **URDU, **POLISH})
    client.post(url, data={**FORM, **POLISH})  # the Urdu boxes sent empty
    db.session.refresh(programme)
    assert set(_texts(programme)) == {"pl"}
    # A caller of the service that says nothing about texts leaves them alone.
    details = ProgrammeDetails(title="Friday Football", category="sport", venue_name="Centre",
                               venue_address="1 Road", postcode_district="M13", min_age=11, max_age=16,
                               capacity=20, registration_mode="per_session")
    programmes.update(programme, details, by=None)
    assert set(_texts(programme)) == {"pl"}


def test_a_new_programme_can_have_texts_from_the_start(client, db, login_as):
    lead = make_user()
    org = make_org(lead=lead)
    db.session.commit()
    login_as(lead)
    client.post(f"/org/{org.slug}/programmes/new", data={**FORM, **URDU})
    programme = db.session.execute(select(Programme).where(Programme.organisation_id == org.id)).scalar_one()
    assert set(_texts(programme)) == {"ur"} and programme.venue_directions.startswith("Side entrance")


def test_a_worker_or_another_organisations_lead_cannot_change_them(client, db, login_as):
    lead, worker, other_lead = make_user(), make_user(), make_user()
    org = make_org(lead=lead, worker=worker)
    other = make_org(lead=other_lead)
    programme = make_programme(org)
    db.session.commit()
    login_as(worker)
    url = f"/org/{org.slug}/programmes/{programme.id}/edit"
    assert client.get(url).status_code == 403
    assert client.post(url, data={**FORM, **URDU}).status_code == 403
    login_as(other_lead)
    assert client.post(url, data={**FORM, **URDU}).status_code in (403, 404)
    # Their own organisation's address with this programme's id: not found.
    assert client.post(f"/org/{other.slug}/programmes/{programme.id}/edit", data={**FORM, **URDU}).status_code == 404
    assert db_rows(programme) == []


@pytest.mark.parametrize("extra, message", [
    ({"text_ur_title": "ف" * 10_000}, "Field cannot be longer than 120 characters"),
    ({"text_pl_description": "x" * 5001}, "Field cannot be longer than 5000 characters"),
    ({"text_ar_venue_directions": "y" * 2001}, "Field cannot be longer than 2000 characters"),
    ({"venue_directions": "z" * 2001}, "Field cannot be longer than 2000 characters"),
])
def test_too_long_is_refused_next_to_the_field(client, db, setup, extra, message):
    org, programme = setup
    resp = client.post(f"/org/{org.slug}/programmes/{programme.id}/edit", data={**FORM, **extra})
    assert resp.status_code == 200 and message in resp.get_data(as_text=True)
    assert db_rows(programme) == []


def test_control_characters_and_unshipped_languages_are_refused_cleanly(client, db, setup):
    org, programme = setup
    url = f"/org/{org.slug}/programmes/{programme.id}/edit"
    hostile = {"text_ur_title": "فٹ\x00بال\x1b[31m", "text_xx_title": "Xx", "text_en_GB_title": "English again",
               "text_en_title": "x", "text_ur_description\x00": "x", "text_ar_title[]": "x"}
    resp = client.post(url, data={**FORM, **hostile})
    assert resp.status_code == 302
    db.session.refresh(programme)
    texts = _texts(programme)
    assert set(texts) == {"ur"} and texts["ur"].title == "فٹبال[31m"  # the form drops control characters

    # The service refuses what a form would never send.
    details = dict(title="T", category="sport", venue_name="V", venue_address="A", postcode_district="M13",
                   min_age=11, max_age=16, capacity=20, registration_mode="per_session")
    for texts, code in [({"xx": LanguageText(title="x")}, "invalid_language"),
                        ({"en_GB": LanguageText(title="x")}, "invalid_language"),
                        ({"ur": LanguageText(title="x" * 121)}, "too_long"),
                        ({"ur": LanguageText(description="a\x00b")}, "control_characters"),
                        ({"ur": LanguageText(title=None)}, "invalid_text")]:
        with pytest.raises(ValidationError) as err:
            programmes.update(programme, ProgrammeDetails(**details, texts=texts), by=None)
        assert err.value.code == code
    with pytest.raises(ValidationError):
        programmes.update(programme, ProgrammeDetails(**{**details, "venue_directions": "\x07"}), by=None)
