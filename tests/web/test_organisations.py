"""Partner organisations: applying, approval by an admin, invitations, roles, removal."""
import re

from sqlalchemy import select

from outreach.models import AuditEvent, Invitation, Membership, Organisation, User
from tests.factories import PASSWORD, add_member, make_org, make_programme, make_session, make_user


def _invitation_link(mail) -> str:
    return re.search(r"http://localhost(/invitations/\S+)", mail["text"]).group(1)


def _apply(client, **over):
    data = dict(name="Northside Youth Trust", kind="charity", description="Clubs in Northside.",
                contact_email="hello@northside.example.org", website="", timezone="Europe/London")
    data.update(over)
    return client.post("/organisations/apply", data=data)


def test_applying_creates_a_pending_org_with_the_applicant_as_lead(client, db, login_as):
    login_as(make_user("pat@example.org"))
    resp = _apply(client)
    assert resp.status_code == 302
    org = db.session.execute(select(Organisation).where(Organisation.slug == "northside-youth-trust")).scalar_one()
    assert org.status == "pending"
    m = db.session.execute(select(Membership).where(Membership.organisation_id == org.id)).scalar_one()
    assert m.role == "lead" and m.user.email == "pat@example.org"
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Waiting for approval" in page


def test_signed_out_applicant_is_asked_for_an_account_first(client, db):
    page = client.get("/organisations/apply").get_data(as_text=True)
    assert "/signup?next=/organisations/apply" in page and "/login?next=/organisations/apply" in page
    assert _apply(client).status_code == 200
    assert db.session.execute(select(Organisation)).first() is None


def test_pending_org_cannot_publish_until_an_admin_approves(client, db, login_as, outbox):
    lead, admin = make_user("lead@example.org"), make_user("admin@example.org", admin=True)
    org = make_org("Waiting Club", status="pending", lead=lead, safeguarding_lead=lead)
    programme = make_programme(org, is_published=False)
    make_session(programme)
    db.session.commit()
    login_as(lead)
    resp = client.post(f"/org/{org.slug}/programmes/{programme.id}/publish", follow_redirects=True)
    assert "waiting for approval" in resp.get_data(as_text=True)
    assert programme.is_published is False

    login_as(admin)
    listing = client.get("/admin/organisations?status=pending").get_data(as_text=True)
    assert "Waiting Club" in listing
    declined = client.post(f"/admin/organisations/{org.id}", data={"decision": "decline", "note": ""})
    assert declined.status_code == 200 and "Give a reason" in declined.get_data(as_text=True)
    client.post(f"/admin/organisations/{org.id}", data={"decision": "approve", "note": ""})
    db.session.refresh(org)
    assert org.status == "approved"
    assert "Approved" in outbox()[0]["subject"] and outbox()[0]["to"] == "lead@example.org"

    login_as(lead)
    client.post(f"/org/{org.slug}/programmes/{programme.id}/publish")
    db.session.refresh(programme)
    assert programme.is_published is True


def test_declining_gives_the_reason_and_hides_programmes(client, db, login_as, outbox):
    lead, admin = make_user(), make_user(admin=True)
    org = make_org(status="approved", lead=lead)
    programme = make_programme(org, is_published=True)
    db.session.commit()
    login_as(admin)
    client.post(f"/admin/organisations/{org.id}", data={"decision": "decline", "note": "No safeguarding policy."})
    db.session.refresh(programme)
    assert org.status == "declined" and programme.is_published is False
    assert "No safeguarding policy." in outbox()[0]["text"]


def test_only_admins_reach_the_admin_pages(client, db, login_as):
    login_as(make_user())
    db.session.commit()
    assert client.get("/admin/organisations").status_code == 403
    assert client.get("/admin/outbox").status_code == 403


def test_lead_invites_a_worker_who_accepts_with_a_new_account(app, client, db, login_as, outbox):
    lead = make_user("lead@example.org")
    org = make_org("Eastside Police Cadets", lead=lead)
    db.session.commit()
    login_as(lead)
    resp = client.post(f"/org/{org.slug}/members/invite", data={"email": "New.Worker@example.org", "role": "worker"})
    assert resp.status_code == 302
    mail = outbox()[0]
    assert mail["to"] == "new.worker@example.org"
    link = _invitation_link(mail)
    invitation = db.session.execute(select(Invitation)).scalar_one()
    assert link.rsplit("/", 1)[1] not in invitation.token_hash  # only a hash is stored

    newcomer = app.test_client()
    page = newcomer.get(link).get_data(as_text=True)
    assert "Eastside Police Cadets" in page and "Create your account" in page
    resp = newcomer.post(link, data={"full_name": "Nia Worker", "password": "worker password 1",
                                     "confirm": "worker password 1"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/org/{org.slug}/")
    user = db.session.execute(select(User).where(User.email == "new.worker@example.org")).scalar_one()
    m = db.session.execute(select(Membership).where(Membership.user_id == user.id)).scalar_one()
    assert m.role == "worker"
    # A worker sees the dashboard but not the lead's pages.
    assert newcomer.get(f"/org/{org.slug}/").status_code == 200
    assert newcomer.get(f"/org/{org.slug}/members").status_code == 403
    # The link works once.
    assert app.test_client().get(link).status_code == 409


def test_existing_user_signs_in_to_accept_and_wrong_account_is_told(app, client, db, login_as, outbox):
    lead, existing, stranger = make_user(), make_user("existing@example.org"), make_user("stranger@example.org")
    org = make_org(lead=lead)
    db.session.commit()
    login_as(lead)
    client.post(f"/org/{org.slug}/members/invite", data={"email": "existing@example.org", "role": "lead"})
    link = _invitation_link(outbox()[0])
    other = app.test_client()
    login_as(stranger, other)
    resp = other.post(link, follow_redirects=True)
    assert "sent to existing@example.org" in resp.get_data(as_text=True)
    mine = app.test_client()
    mine.post("/login", data={"email": "existing@example.org", "password": PASSWORD})
    mine.post(link)
    m = db.session.execute(select(Membership).where(Membership.user_id == existing.id)).scalar_one()
    assert m.role == "lead"


def test_expired_and_withdrawn_invitations_do_not_work(app, client, db, login_as, outbox):
    lead = make_user()
    org = make_org(lead=lead)
    db.session.commit()
    login_as(lead)
    client.post(f"/org/{org.slug}/members/invite", data={"email": "late@example.org", "role": "worker"})
    link = _invitation_link(outbox()[0])
    invitation = db.session.execute(select(Invitation)).scalar_one()
    client.post(f"/org/{org.slug}/invitations/{invitation.id}/revoke")
    assert app.test_client().get(link).status_code == 404


def test_roles_change_and_the_last_lead_stays(client, db, login_as):
    lead, worker = make_user(), make_user()
    org = make_org(lead=lead)
    wm = add_member(org, worker, "worker")
    lead_m = db.session.execute(select(Membership).where(Membership.user_id == lead.id)).scalar_one()
    db.session.commit()
    login_as(lead)
    page = client.post(f"/org/{org.slug}/members/{lead_m.id}/role", data={"role": "worker"},
                       follow_redirects=True).get_data(as_text=True)
    assert "at least one lead" in page
    client.post(f"/org/{org.slug}/members/{wm.id}/role", data={"role": "lead"})
    db.session.refresh(wm)
    assert wm.role == "lead"
    # Removing asks first, then removes.
    confirm = client.get(f"/org/{org.slug}/members/{wm.id}/remove").get_data(as_text=True)
    assert "Remove" in confirm and worker.full_name in confirm
    client.post(f"/org/{org.slug}/members/{wm.id}/remove")
    assert db.session.get(Membership, wm.id) is None
    actions = set(db.session.execute(select(AuditEvent.action)).scalars())
    assert {"membership.role_changed", "membership.removed"} <= actions


def test_a_lead_cannot_touch_another_partners_members(client, db, login_as):
    lead_a, lead_b = make_user(), make_user()
    org_a, org_b = make_org(lead=lead_a), make_org(lead=lead_b)
    other = add_member(org_b, make_user(), "worker")
    db.session.commit()
    login_as(lead_a)
    assert client.post(f"/org/{org_a.slug}/members/{other.id}/role", data={"role": "lead"}).status_code == 404
    assert client.post(f"/org/{org_a.slug}/members/{other.id}/remove").status_code == 404
    assert client.get(f"/org/{org_b.slug}/members").status_code == 404


def test_settings_change_time_zone(client, db, login_as):
    lead = make_user()
    org = make_org(lead=lead)
    db.session.commit()
    login_as(lead)
    data = dict(name=org.name, kind="charity", description="", contact_email="a@example.org", website="",
                timezone="Europe/Dublin")
    client.post(f"/org/{org.slug}/settings", data=data)
    db.session.refresh(org)
    assert org.timezone == "Europe/Dublin"
    data["timezone"] = "Mars/Olympus"
    assert client.post(f"/org/{org.slug}/settings", data=data).status_code == 200
    db.session.refresh(org)
    assert org.timezone == "Europe/Dublin"
