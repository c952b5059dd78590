"""Who sees a young person's timeline and each of its records (issue #18, point 3), walked over
the URL map like test_records_access.py.

Every route is opened (GET, and POST on the timeline's routes) as: the worker who wrote the
notes (and recorded the incident), another worker, a lead, a designated safeguarding lead (a
worker by role), a worker and a lead of another organisation that also knows the young person,
a platform admin, the young person's guardian, and someone signed out. A distinctive phrase in
each record is searched for in every answer.
"""
import re
from datetime import date, datetime, timedelta

import pytest

from outreach.models import Attendance, Registration
from outreach.services import contact_notes, incidents, milestones, referrals, safeguarding
from outreach.timeutil import UTC
from tests.factories import add_member, make_org, make_programme, make_session, make_user, make_young_person
from tests.web.site_map import open_page

STAFF_NOTE = "Talked about the Saturday rowing trials"
RESTRICTED_NOTE = "Mentioned the hospital stay in Wythenshawe"
MILESTONE_NOTE = "Certificate posted by the award office"
REFERRAL_IN_NOTE = "Head of year rang about low attendance"
SIGNPOSTED_TO = "Harbourside Counselling Service"
CONCERN_PHRASE = "Lanternfish said his uncle keeps the key"
INCIDENT_PHRASE = "Marmalade-coloured bruise on the left shin"
PHRASES = [STAFF_NOTE, RESTRICTED_NOTE, MILESTONE_NOTE, REFERRAL_IN_NOTE, SIGNPOSTED_TO]

PERSONAS = ["writer", "other_worker", "lead", "safeguarding_lead", "b_worker", "b_lead", "admin", "guardian",
            "signed_out"]
MEMBERS = {"writer", "other_worker", "lead", "safeguarding_lead"}
OUTSIDERS = {"b_worker", "b_lead", "admin", "guardian"}


def _expect(allowed: dict, members=403, outsiders=404):
    out = {p: allowed.get(p, members) for p in MEMBERS}
    out.update({p: outsiders for p in OUTSIDERS})
    out["signed_out"] = 302
    return out


EVERY_MEMBER = {p: 200 for p in MEMBERS}
EMPTY_FORM = {p: 400 for p in MEMBERS}
RULES = {
    ("timeline.find", "GET"): _expect(EVERY_MEMBER),
    ("timeline.show", "GET"): _expect(EVERY_MEMBER),
    ("timeline.add_note", "GET"): _expect(EVERY_MEMBER),
    ("timeline.add_note", "POST"): _expect(EMPTY_FORM),
    ("timeline.add_milestone", "GET"): _expect(EVERY_MEMBER),
    ("timeline.add_milestone", "POST"): _expect(EMPTY_FORM),
    ("timeline.add_referral", "GET"): _expect(EVERY_MEMBER),
    ("timeline.add_referral", "POST"): _expect(EMPTY_FORM),
    ("timeline.referral_outcome", "GET"): _expect(EVERY_MEMBER),
    ("timeline.referral_outcome", "POST"): _expect(EMPTY_FORM),
    ("timeline.milestone_kinds", "GET"): _expect({"lead": 200}),
    ("timeline.milestone_kinds", "POST"): _expect({"lead": 400}),
    ("timeline.retire_kind", "POST"): _expect({"lead": 302}),
}


@pytest.fixture()
def world(db):
    now = datetime.now(UTC)
    people = {
        "writer": make_user("writer@partner-a.example.org", "Wren Writer"),
        "other_worker": make_user("other@partner-a.example.org", "Otto Other"),
        "lead": make_user("lead@partner-a.example.org", "Lee Lead"),
        "safeguarding_lead": make_user("dsl@partner-a.example.org", "Dee Safeguarding"),
        "b_worker": make_user("worker@partner-b.example.org"), "b_lead": make_user("lead@partner-b.example.org"),
        "admin": make_user("admin@example.org", admin=True), "guardian": make_user("parent@example.org"),
    }
    org = make_org("Partner A", slug="partner-a", lead=people["lead"], worker=people["writer"])
    add_member(org, people["other_worker"], "worker")
    add_member(org, people["safeguarding_lead"], "worker", safeguarding_lead=True)
    org_b = make_org("Partner B", slug="partner-b", lead=people["b_lead"], worker=people["b_worker"],
                     safeguarding_lead=True)
    programme = make_programme(org, "Partner A Club")
    session = make_session(programme, starts_at=now - timedelta(minutes=30))
    b_session = make_session(make_programme(org_b, "Partner B Club"))
    yp = make_young_person("Wilhelmina", "Quarrington", dob=date(2012, 3, 3), guardian=people["guardian"])
    # Both organisations know her: B's staff open B's timeline of her, which holds none of A's records.
    db.session.add_all([Registration(young_person_id=yp.id, session_id=session.id, status="confirmed"),
                        Registration(young_person_id=yp.id, session_id=b_session.id, status="confirmed"),
                        Attendance(session_id=session.id, young_person_id=yp.id, method="qr", checked_in_at=now)])
    db.session.commit()
    writer, today = people["writer"], now.date()
    contact_notes.add_note(org, writer, yp, contact_notes.NoteDetails(STAFF_NOTE, today, programme_id=programme.id))
    restricted = contact_notes.add_note(org, writer, yp, contact_notes.NoteDetails(RESTRICTED_NOTE, today,
                                                                                   restricted=True))
    kind = milestones.add_kind(org, people["lead"], "Gained an award")
    milestones.record_milestone(org, writer, yp, milestones.MilestoneDetails(kind.id, today, programme.id,
                                                                             MILESTONE_NOTE))
    referrals.record_referral(org, writer, yp, referrals.ReferralDetails("in", today, programme.id, source="school",
                                                                         note=REFERRAL_IN_NOTE))
    out = referrals.record_referral(org, writer, yp, referrals.ReferralDetails("out", today, programme.id,
                                                                               signposted_to=SIGNPOSTED_TO))
    concern = safeguarding.raise_concern(org, people["other_worker"], safeguarding.ConcernDetails(
        what_happened=CONCERN_PHRASE, occurred_at=now, young_person_id=yp.id), now=now)
    incident = incidents.record_incident(org, session, writer, incidents.IncidentDetails(
        occurred_at=now, what_happened=INCIDENT_PHRASE, injured_ids=[yp.id]), now=now)
    return {"people": people, "org": org, "org_b": org_b, "programme": programme, "session": session, "yp": yp,
            "kind": kind, "referral": out, "restricted": restricted, "concern": concern, "incident": incident}


def _value(arg, w):
    name = arg.lower()
    if "slug" in name:
        return w["org"].slug
    for key, value in (("referral", w["referral"].id), ("kind", w["kind"].id), ("concern", w["concern"].id),
                       ("incident", w["incident"].id), ("session", w["session"].id),
                       ("programme", w["programme"].id), ("young", w["yp"].id), ("person", w["yp"].id),
                       ("child", w["yp"].id)):
        if key in name:
            return value
    return None


def _urls(app, w):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ("static", "auth.logout"):
            continue
        url = rule.rule
        for arg in rule.arguments:
            value = _value(arg, w)
            if value is None:
                break
            url = re.sub(r"<(?:[^:<>]+:)?" + re.escape(arg) + ">", str(value), url)
        else:
            if rule.endpoint == "timeline.find":
                url += "?q=wilhel"
            yield rule, url


def test_each_person_sees_exactly_what_the_rules_say(app, db, world, login_as):
    seen = {phrase: set() for phrase in PHRASES}
    concern_links, incident_links, covered = set(), set(), set()
    yp_page = f"/org/{world['org'].slug}/young-people/{world['yp'].id}"
    for persona in PERSONAS:
        client = app.test_client()
        if persona != "signed_out":
            login_as(world["people"][persona], client)
        for rule, url in _urls(app, world):
            methods = ["GET"] if "GET" in rule.methods else []
            if (rule.endpoint, "POST") in RULES:
                methods.append("POST")
            for method in methods:
                if method == "GET":
                    _, response = open_page(client, url)
                else:
                    response = client.post(url, data={})
                body = response.get_data(as_text=True)
                where = f"{method} {url} as {persona}"
                assert response.status_code != 500, where
                if (rule.endpoint, method) in RULES:
                    covered.add((rule.endpoint, method))
                    expected = RULES[(rule.endpoint, method)][persona]
                    assert response.status_code == expected, f"{where}: {response.status_code}, not {expected}"
                    if expected == 302 and persona == "signed_out":
                        assert "/login" in response.headers["Location"], where
                for phrase in PHRASES:
                    if phrase in body:
                        seen[phrase].add((persona, rule.endpoint))
                if rule.endpoint == "timeline.show":
                    assert CONCERN_PHRASE not in body and INCIDENT_PHRASE not in body, where
                    if f"/safeguarding/{world['concern'].id}" in body:
                        concern_links.add(persona)
                    if f"/incidents/{world['incident'].id}" in body:
                        incident_links.add(persona)
                db.session.expire_all()
    assert covered == set(RULES)
    timeline_readers = {(p, "timeline.show") for p in MEMBERS}
    download = {("guardian", "family.download")}
    assert seen[STAFF_NOTE] == timeline_readers | download
    # Leads and designated safeguarding leads only: not its writer, not the family's download.
    assert seen[RESTRICTED_NOTE] == {("lead", "timeline.show"), ("safeguarding_lead", "timeline.show")}
    assert seen[MILESTONE_NOTE] == timeline_readers | download
    assert seen[REFERRAL_IN_NOTE] == timeline_readers | download
    # The service signposted to also heads the outcome page.
    assert seen[SIGNPOSTED_TO] == timeline_readers | download | {(p, "timeline.referral_outcome") for p in MEMBERS}
    assert concern_links == {"safeguarding_lead"}
    assert incident_links == {"writer", "lead"}
    assert yp_page


def test_the_writer_of_a_restricted_note_sees_it_was_saved_not_what_it_says(app, db, world, login_as, client):
    slug, yp = world["org"].slug, world["yp"]
    login_as(world["people"]["writer"])
    for kind in ("", "?kind=note"):
        page = client.get(f"/org/{slug}/young-people/{yp.id}{kind}").get_data(as_text=True)
        assert "Note for leads only (you wrote it)" in page and RESTRICTED_NOTE not in page and STAFF_NOTE in page
    login_as(world["people"]["other_worker"])
    page = client.get(f"/org/{slug}/young-people/{yp.id}?kind=note").get_data(as_text=True)
    assert "leads only" not in page.lower() and RESTRICTED_NOTE not in page and STAFF_NOTE in page
    login_as(world["people"]["safeguarding_lead"])
    page = client.get(f"/org/{slug}/young-people/{yp.id}").get_data(as_text=True)
    assert RESTRICTED_NOTE in page and "Safeguarding concern" in page and "Open" in page


def test_another_organisation_that_knows_her_sees_only_its_own_timeline(app, db, world, login_as, client):
    slug_b, yp = world["org_b"].slug, world["yp"]
    for who in ("b_worker", "b_lead"):
        login_as(world["people"][who])
        page = client.get(f"/org/{slug_b}/young-people/{yp.id}")
        assert page.status_code == 200 and "Wilhelmina Quarrington" in page.get_data(as_text=True)
        body = page.get_data(as_text=True)
        for phrase in PHRASES + ["Partner A Club", "Gained an award"]:
            assert phrase not in body
        # A's referral and milestone kind under B's address: nothing.
        assert client.get(f"/org/{slug_b}/young-people/{yp.id}/referrals/{world['referral'].id}/outcome"
                          ).status_code == 404
        assert client.post(f"/org/{slug_b}/young-people/{yp.id}/referrals/{world['referral'].id}/outcome",
                           data={"outcome": "engaged"}).status_code == 404
    assert client.post(f"/org/{slug_b}/milestones/{world['kind'].id}/retire").status_code == 404
    db.session.refresh(world["kind"])
    db.session.refresh(world["referral"])
    assert world["kind"].retired_at is None and world["referral"].outcome == "waiting"


def test_someone_elses_ids_in_urls_and_forms(app, db, world, login_as, client):
    """A's worker with B's young person, B's programme, B's milestone kind, B's referral and nobody's."""
    org, org_b, slug = world["org"], world["org_b"], world["org"].slug
    b_only = make_young_person("Bartholomew", "Elsewhere")
    b_programme = make_programme(org_b, "B Only Programme")
    db.session.add(Registration(young_person_id=b_only.id, programme_id=b_programme.id, status="confirmed"))
    db.session.commit()
    b_kind = milestones.add_kind(org_b, world["people"]["b_lead"], "B's own milestone")
    b_ref = referrals.record_referral(org_b, world["people"]["b_worker"], b_only, referrals.ReferralDetails(
        "out", date.today(), signposted_to="B's signpost"))
    b_yp_ref = referrals.record_referral(org_b, world["people"]["b_worker"], world["yp"], referrals.ReferralDetails(
        "out", date.today(), signposted_to="B's signpost for her"))
    other_yp = make_young_person("Other", "Child")
    db.session.add(Registration(young_person_id=other_yp.id, session_id=world["session"].id, status="confirmed"))
    db.session.commit()
    other_ref = referrals.record_referral(org, world["people"]["writer"], other_yp, referrals.ReferralDetails(
        "out", date.today(), signposted_to="Someone else's signpost"))
    nobody = 2 ** 31 - 1
    login_as(world["people"]["writer"])
    token = "c" * 24
    for person in (b_only.id, nobody):
        base = f"/org/{slug}/young-people/{person}"
        for path in ("", "/notes/new?once=" + token, "/milestones/new", "/referrals/new"):
            assert client.get(base + path).status_code == 404, base + path
        assert client.post(base + "/notes/new?once=" + token, data={
            "text": "x", "contact_on": date.today().isoformat(), "contact": "phone", "visibility": "staff",
            "form_token": token}).status_code == 404
    yp = world["yp"]
    base = f"/org/{slug}/young-people/{yp.id}"
    for ref in (b_ref.id, b_yp_ref.id, other_ref.id, nobody):
        assert client.get(f"{base}/referrals/{ref}/outcome").status_code == 404, ref
        assert client.post(f"{base}/referrals/{ref}/outcome", data={"outcome": "engaged"}).status_code == 404
    resp = client.post(f"{base}/milestones/new", data={"kind": str(b_kind.id), "reached_on": date.today().isoformat()})
    assert resp.status_code == 400 and "Not a valid choice" in resp.get_data(as_text=True)
    for programme in (b_programme.id, nobody, "1" * 40):
        resp = client.post(f"{base}/referrals/new", data={"direction": "in", "source": "school", "programme":
                                                          str(programme), "referred_on": date.today().isoformat()})
        assert resp.status_code == 400 and "Not a valid choice" in resp.get_data(as_text=True)
    login_as(world["people"]["lead"])
    for kind in (b_kind.id, nobody):
        assert client.post(f"/org/{slug}/milestones/{kind}/retire").status_code == 404
    db.session.expire_all()
    assert b_kind.retired_at is None and b_ref.outcome == "waiting" and other_ref.outcome == "waiting"
    from outreach.models import ContactNote, Milestone, Referral
    assert db.session.query(ContactNote).count() == 2 and db.session.query(Milestone).count() == 1
    assert db.session.query(Referral).count() == 5


def test_adding_a_note_on_a_phone_and_a_double_tap_saves_one(app, db, world, login_as, client):
    login_as(world["people"]["other_worker"])
    slug, yp = world["org"].slug, world["yp"]
    url, page = open_page(client, f"/org/{slug}/young-people/{yp.id}/notes/new")
    body = page.get_data(as_text=True)
    token = re.search(r'name="form_token"[^>]*value="([^"]+)"', body).group(1)
    data = {"text": "Asked about the climbing wall", "contact_on": date.today().isoformat(), "contact": "in_person",
            "visibility": "staff", "programme": "", "form_token": token}
    done = client.post(url, data=data, follow_redirects=True)
    assert "Note saved." in done.get_data(as_text=True) and "Asked about the climbing wall" in done.get_data(as_text=True)
    again = client.post(url, data=data, follow_redirects=True)
    assert "already saved" in again.get_data(as_text=True)
    assert done.get_data(as_text=True).count("Asked about the climbing wall") == 1
    from outreach.models import ContactNote
    assert db.session.query(ContactNote).filter_by(text="Asked about the climbing wall").count() == 1
    # Hostile values: a date from year 9999, a future date, an unknown kind of contact.
    for bad, message in ((dict(data, contact_on="9999-12-31"), "Enter a date between"),
                         (dict(data, contact_on=(date.today() + timedelta(days=3)).isoformat()), "be in the future"),
                         (dict(data, contact="carrier-pigeon"), "Not a valid choice")):
        resp = client.post(url.replace(token, "d" * 24), data=dict(bad, form_token="d" * 24))
        assert resp.status_code == 400 and message in resp.get_data(as_text=True)
