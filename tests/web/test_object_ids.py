"""Someone else's ids get nothing (issue #15, point 1): walked over the whole URL map.

A worker and a lead of partner B, with a session of their own taking check-ins right now,
try every route with the ids of partner A's young person, booking, attendance, session and
programme, and of a young person no organisation has met: in URL arguments (B's own session
and programme as well as A's, so B's own pages run) AND in form fields, JSON bodies and query
strings (young_person_id, attendance_id, registration_id, session_id, session, programme, last,
q, with walk_in=1 and every other flag set). No answer may carry their data and no row may be
written, since a flag or an id in a form must never widen what the caller may reach.

test_isolation.py checks partner A's own pages against B; this test checks the ids.
"""
import itertools
import re
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from outreach.models import Attendance, AuditEvent, AuthorisedCollector, GuardianLink, MobileNumber, Registration
from outreach.services import follow_up, passes
from outreach.timeutil import UTC
from tests.factories import add_member, make_org, make_programme, make_session, make_user, make_young_person

# family.calendar takes no id at all: it makes the signed-in account's own calendar link (a row
# of theirs, which the row count below would see); its secrets are tried in test_calendar_feed.py.
SKIP = {"static", "auth.logout", "family.calendar"}
# What must never reach partner B: A's young person and the stranger, in any field.
PRIVATE = ["Zebedee", "Quillfeather", "Bee sting allergy", "07700 900999", "Grandpa Quill",
           "Xanthippe", "Unmetson", "Peanut anaphylaxis", "07700 900888",
           "Asked about the climbing wall", "Signposted to Harbourside", "Partner A award",
           # A's guardian's mobile for texts, however it is written.
           "900777", "900 777"]


@pytest.fixture()
def world(db):
    now = datetime.now(UTC)
    a_lead = make_user("lead@partner-a.example.org")
    org_a = make_org("Partner A", slug="partner-a", lead=a_lead)
    a_programme = make_programme(org_a, "Partner A Club", min_age=8, max_age=18)
    a_session = make_session(a_programme, starts_at=now - timedelta(minutes=30), hours=2)
    theirs = make_young_person("Zebedee", "Quillfeather", dob=date(2013, 4, 4), medical_notes="Bee sting allergy",
                               emergency_contact_name="Ophelia Quillfeather", emergency_contact_phone="07700 900999")
    db.session.add(AuthorisedCollector(young_person_id=theirs.id, name="Grandpa Quill"))
    reg = Registration(young_person_id=theirs.id, session_id=a_session.id, status="confirmed", confirmed_at=now)
    att = Attendance(session_id=a_session.id, young_person_id=theirs.id, method="qr", checked_in_at=now)
    db.session.add_all([reg, att])
    stranger = make_young_person("Xanthippe", "Unmetson", dob=date(2012, 2, 2), medical_notes="Peanut anaphylaxis",
                                 emergency_contact_name="N Unmetson", emergency_contact_phone="07700 900888")
    passes.ensure_pass(theirs)
    passes.ensure_pass(stranger)
    # Partner A's follow-up list holds Zebedee (came to 3 of his first 4 booked sessions, then missed
    # three), with an attempt to reach him: the follow-up routes are tried with his id too.
    past = [make_session(a_programme, starts_at=now - timedelta(days=7 * (7 - k)), hours=2) for k in range(6)]
    companion = make_young_person("Companion", "Regular", dob=date(2012, 1, 1))
    for k, s in enumerate(past):
        db.session.add(Registration(young_person_id=theirs.id, session_id=s.id, status="confirmed",
                                    confirmed_at=s.starts_at - timedelta(days=2)))
        db.session.add(Attendance(session_id=s.id, young_person_id=companion.id, method="qr", checked_in_at=s.starts_at))
        if k < 3:
            db.session.add(Attendance(session_id=s.id, young_person_id=theirs.id, method="qr",
                                      checked_in_at=s.starts_at))
    db.session.flush()
    follow_up.record_contact(a_programme, theirs, a_lead, follow_up.ContactDetails(
        method="phone", outcome="left_message", made_at=now - timedelta(days=1), note="Grandpa Quill says Zebedee is ill"),
        follow_up.rule_for(a_programme), now=now)
    # A's family: a guardian with a mobile number waiting for its code, and a confirmed one of theirs.
    a_guardian = make_user("guardian@family-a.example.org", "Ophelia Quillfeather")
    db.session.add(GuardianLink(young_person_id=theirs.id, guardian_id=a_guardian.id))
    db.session.flush()
    db.session.add(MobileNumber(user_id=a_guardian.id, number="+447700900777", code_hash="0" * 64,
                                code_expires_at=now + timedelta(minutes=15), code_attempts=0, codes_sent=1,
                                code_sent_at=now, created_at=now))
    # B's family: a guardian with a child of their own, trying A's ids.
    b_guardian = make_user("guardian@family-b.example.org", "Bea Other")
    make_young_person("Bobby", "Other", dob=date(2013, 5, 5), guardian=b_guardian)

    b_lead, b_worker = make_user("lead@partner-b.example.org"), make_user("worker@partner-b.example.org")
    org_b = make_org("Partner B", slug="partner-b", lead=b_lead)
    add_member(org_b, b_worker, "worker")
    b_programme = make_programme(org_b, "Partner B Club", min_age=8, max_age=18, registration_mode="drop_in")
    b_session = make_session(b_programme, starts_at=now - timedelta(minutes=10), hours=2)
    db.session.commit()
    # A's timeline records about their young person (issue #18 point 3).
    from outreach.services import contact_notes, milestones, referrals
    contact_notes.add_note(org_a, a_lead, theirs, contact_notes.NoteDetails("Asked about the climbing wall",
                                                                            now.date()))
    kind = milestones.add_kind(org_a, a_lead, "Partner A award")
    referral = referrals.record_referral(org_a, a_lead, theirs, referrals.ReferralDetails(
        "out", now.date(), signposted_to="Signposted to Harbourside"))
    return {"a": {"org": org_a, "programme": a_programme, "session": a_session, "young_person": theirs,
                  "registration": reg, "attendance": att, "kind": kind, "referral": referral},
            "b": {"org": org_b, "programme": b_programme, "session": b_session, "lead": b_lead, "worker": b_worker,
                  "guardian": b_guardian},
            "a_guardian": a_guardian,
            "stranger": stranger}


def _candidates(arg: str, w) -> list[str]:
    """Values to put in a URL argument: the other partner's ids, and B's own where that lets B's page run."""
    a, b, name = w["a"], w["b"], arg.lower()
    if "slug" in name:
        return [b["org"].slug, a["org"].slug]
    if "token" in name or "secret" in name:
        return ["not-a-real-token"]
    if name == "key":
        return ["session_register"]
    if "attendance" in name:
        return [str(a["attendance"].id)]
    if "referral_id" in name:
        return [str(a["referral"].id)]
    if "kind" in name:
        return [str(a["kind"].id)]
    if "registration" in name:
        return [str(a["registration"].id)]
    if "young" in name or "person" in name or "child" in name:
        return [str(a["young_person"].id), str(w["stranger"].id)]
    if "session" in name:
        return [str(b["session"].id), str(a["session"].id)]
    if "programme" in name:
        return [str(b["programme"].id), str(a["programme"].id)]
    return [str(a["programme"].id)]  # members, invitations, surveys, organisations: someone else's number


def _form(w, young_person_id) -> dict:
    a = w["a"]
    return {"young_person_id": young_person_id, "attendance_id": a["attendance"].id,
            "registration_id": a["registration"].id, "session_id": a["session"].id, "session": a["session"].id,
            "programme": a["programme"].id, "walk_in": "1", "to": "confirmed", "confirm": "y",
            "went_home_alone": "y", "collector": "Grandpa Quill", "collected_by_other": "Someone", "format": "csv",
            "consent": "y", "offline": "1", "last": a["attendance"].id, "kind": a["kind"].id,
            "programme_id": a["programme"].id, "text": "x", "direction": "out", "signposted_to": "x",
            "outcome": "engaged", "visibility": "staff", "contact": "phone", "reason": "Moved away",
            "method": "phone", "made_at": "2026-12-01T10:00", "note": "Tried",
            # The mobile number forms: A's guardian's account and number, a code, every choice ticked.
            "user_id": w["a_guardian"].id, "mobile_id": w["a_guardian"].id,
            "code": "000000", "bookings": "y", "reminders": "y", "cancellations": "y"}


def _json(w, young_person_id) -> dict:
    a = w["a"]
    item = {"pass": "not-a-real-pass", "client_ref": "object-id-walk-1", "walk_in": True, "offline": True,
            "young_person_id": young_person_id, "attendance_id": a["attendance"].id, "session_id": a["session"].id}
    return dict(item, checkins=[item])


def _query(w, young_person_id) -> str:
    a = w["a"]
    return (f"?young_person_id={young_person_id}&session={a['session'].id}&session_id={a['session'].id}"
            f"&programme={a['programme'].id}&last={a['attendance'].id}&q=e&walk_in=1")


# Figures kept for B's own dashboards when B opens them (a cache, not data): checked apart,
# in _kept_views, to be B's own views only.
KEPT = ("dashboard_snapshots",)


def _kept_views(db, w) -> set:
    """Kept dashboard views of partner A's organisation or programme (there must be none)."""
    from outreach.models import DashboardSnapshot

    a = w["a"]
    return set(db.session.execute(select(DashboardSnapshot.view_key).where(
        (DashboardSnapshot.organisation_id == a["org"].id) | (DashboardSnapshot.programme_id == a["programme"].id)))
        .scalars())


def _rows(db):
    """Every table's row count but the audit log (B's own register views are audited), and A's rows as they are."""
    counts = {t.name: db.session.scalar(select(func.count()).select_from(t))
              for t in db.metadata.sorted_tables if t.name not in ("audit_events", "health_checks", *KEPT)}
    counts["attendances_of_a"] = sorted((r.id, r.session_id, r.young_person_id, r.checked_out_at, r.collected_by)
                                        for r in db.session.execute(select(Attendance)).scalars())
    counts["registrations"] = sorted((r.id, r.status) for r in db.session.execute(select(Registration)).scalars())
    counts["mobiles"] = sorted((m.id, m.user_id, m.number, m.confirmed_at, m.code_hash, m.code_attempts, m.codes_sent,
                                m.text_bookings, m.text_reminders, m.text_cancellations)
                               for m in db.session.execute(select(MobileNumber)).scalars())
    return counts


def _about_them(db, w) -> int:
    ids = [w["a"]["young_person"].id, w["stranger"].id]
    return db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.subject_type == "YoungPerson", AuditEvent.subject_id.in_(ids)))


@pytest.mark.parametrize("role", ["worker", "lead", "guardian"])
def test_someone_elses_ids_in_urls_and_forms_get_nothing_and_write_nothing(app, db, client, login_as, world, role):
    w = world
    before, audited = _rows(db), _about_them(db, w)
    login_as(w["b"][role])
    people = [str(w["a"]["young_person"].id), str(w["stranger"].id)]
    routes = requests = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint in SKIP:
            continue
        routes += 1
        args = sorted(rule.arguments)
        for values in itertools.product(*[_candidates(arg, w) for arg in args]):
            url = rule.rule
            for arg, value in zip(args, values):
                url = re.sub(r"<(?:[^:<>]+:)?" + re.escape(arg) + ">", value, url)
            for method, person in itertools.product(sorted((rule.methods or set()) & {"GET", "POST"}), people):
                if method == "GET":
                    response = client.get(url + _query(w, person))
                elif url.startswith("/api/"):
                    response = client.post(url, json=_json(w, person))
                else:
                    response = client.post(url + _query(w, person), data=_form(w, person))
                requests += 1
                where = f"{method} {url} ({rule.endpoint}) as partner B's {role}, young person {person}"
                assert response.status_code != 500, where
                body = response.get_data(as_text=True)
                for private in PRIVATE:
                    assert private not in body, f"{where} shows {private!r}"
                db.session.expire_all()
    print(f"\nobject ids as partner B's {role}: {routes} routes, {requests} requests, ids tried: "
          f"young person {people[0]} (partner A's) and {people[1]} (known to no one), registration "
          f"{w['a']['registration'].id}, attendance {w['a']['attendance'].id}, session {w['a']['session'].id}, "
          f"programme {w['a']['programme'].id}")
    assert routes > 40 and requests > 150
    assert _rows(db) == before, "a request with someone else's ids wrote a row"
    assert _kept_views(db, w) == set(), "partner A's dashboard was worked out for partner B"
    assert _about_them(db, w) == audited
