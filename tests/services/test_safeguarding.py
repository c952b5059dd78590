"""Safeguarding concerns (issue #18 point 1): raised by any member, told to the designated
safeguarding leads by email without their text, moved along open -> under review -> referred ->
closed with the rules of each step, audited, never removed by the retention purge, and kept,
without the name in clear, when the young person's record is erased or anonymised."""
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from outreach.errors import ConflictError, PermissionDeniedError, ValidationError
from outreach.models import AuditEvent, Concern, Programme, Registration
from outreach.services import family, organisations, programmes, retention, safeguarding
from outreach.timeutil import UTC, local_to_utc
from tests.factories import add_member, make_org, make_programme, make_session, make_user, make_young_person

PHRASE = "He said the man at the flat keeps his phone"
NOW = local_to_utc(date(2026, 12, 4), datetime.min.time().replace(hour=18, minute=42), "Europe/London")


@pytest.fixture()
def team(db):
    lead = make_user("lead@northside.example.org", "Dana Lead")
    dsl = make_user("dsl@northside.example.org", "Sam Safeguarding")
    worker = make_user("worker@northside.example.org", "Tom Worker")
    org = make_org("Northside Police Community Team", slug="northside", lead=lead, worker=worker)
    dsl_membership = add_member(org, dsl, "worker", safeguarding_lead=True)
    programme = make_programme(org, "Friday Football")
    session = make_session(programme, starts_at=NOW - timedelta(minutes=40))
    guardian = make_user("parent@example.org", "Pat Parent")
    yp = make_young_person("Zebedee", "Quillfeather", dob=date(2013, 4, 4), guardian=guardian)
    db.session.add(Registration(young_person_id=yp.id, session_id=session.id, status="confirmed"))
    db.session.commit()
    return {"org": org, "lead": lead, "dsl": dsl, "worker": worker, "session": session, "yp": yp,
            "guardian": guardian, "programme": programme, "dsl_membership": dsl_membership}


def _details(yp=None, **kw):
    values = dict(what_happened=PHRASE, occurred_at=NOW - timedelta(minutes=5), young_person_id=yp.id if yp else None,
                  location="Longsight Community Hub", others_aware="Nobody yet", action_taken="Stayed with him")
    values.update(kw)
    return safeguarding.ConcernDetails(**values)


def _raise(team, **kw):
    return safeguarding.raise_concern(team["org"], team["worker"], _details(team["yp"], **kw),
                                      session=team["session"], now=NOW)


def test_a_concern_needs_to_say_about_whom_and_what(team, db):
    org, worker = team["org"], team["worker"]
    stranger = make_young_person("Xanthippe", "Unmetson")
    cases = [
        (_details(None, unnamed_description="  "), "about_whom_required"),
        (_details(stranger), "unknown_young_person"),           # a young person the organisation never met
        (_details(team["yp"], what_happened=" \n "), "what_required"),
        (_details(team["yp"], occurred_at=NOW + timedelta(hours=2)), "occurred_in_future"),
    ]
    for details, code in cases:
        with pytest.raises(ValidationError) as err:
            safeguarding.raise_concern(org, worker, details, now=NOW)
        assert err.value.code == code
        db.session.rollback()
    unnamed = safeguarding.raise_concern(org, worker, _details(None, unnamed_description="Boy, about 14, red coat"),
                                         now=NOW)
    assert unnamed.young_person_id is None and safeguarding.about(unnamed).startswith("Someone not named")
    assert db.session.scalar(select(func.count()).select_from(Concern)) == 1


def test_the_safeguarding_leads_get_an_email_that_carries_neither_text_nor_name(team, db, smtp_server):
    concern = _raise(team)
    messages = smtp_server.messages
    assert [m["To"] for m in messages] == ["dsl@northside.example.org"]  # not the lead, not the raiser
    body = messages[0].get_body(("plain",)).get_content()
    assert (f"A safeguarding concern was raised at Northside Police Community Team at 18:42. Sign in to read it: "
            f"http://localhost/org/northside/safeguarding/{concern.id}") in body
    for private in (PHRASE, "Zebedee", "Quillfeather", "Z.Q.", "Stayed with him", "Longsight"):
        assert private not in body and private not in messages[0]["Subject"]


def test_without_a_safeguarding_lead_the_leads_are_told_to_name_one(team, db, smtp_server):
    team["dsl_membership"].is_safeguarding_lead = False
    db.session.commit()
    assert not safeguarding.has_safeguarding_lead(team["org"])
    _raise(team)
    messages = smtp_server.messages
    assert [m["To"] for m in messages] == ["lead@northside.example.org"]
    body = messages[0].get_body(("plain",)).get_content()
    assert "no designated safeguarding lead yet" in body and PHRASE not in body


def test_referred_needs_the_body_the_reference_and_the_date_closed_a_reason(team, db):
    concern, dsl = _raise(team), team["dsl"]
    change = safeguarding.StatusChange
    for step, code in [
        (change("referred"), "referral_body_required"),
        (change("referred", referred_to="other", referral_reference="X", referred_on=date(2026, 12, 4)),
         "referral_other_required"),
        (change("referred", referred_to="mash", referred_on=date(2026, 12, 4)), "referral_reference_required"),
        (change("referred", referred_to="mash", referral_reference="MASH/123"), "referred_on_required"),
        (change("referred", referred_to="mash", referral_reference="MASH/123", referred_on=date(2027, 1, 9)),
         "referred_on_future"),
        (change("closed", reason=" "), "reason_required"),
        (change("nonsense"), "invalid_status"),
    ]:
        with pytest.raises(ValidationError) as err:
            safeguarding.change_status(concern, dsl, step, now=NOW)
        assert err.value.code == code, step
        db.session.rollback()
    assert db.session.get(Concern, concern.id).status == "open"

    safeguarding.change_status(concern, dsl, change("under_review"), now=NOW + timedelta(minutes=1))
    with pytest.raises(ConflictError) as err:
        safeguarding.change_status(concern, dsl, change("open"), now=NOW)
    assert err.value.code == "not_allowed"
    db.session.rollback()
    safeguarding.change_status(concern, dsl, change("referred", referred_to="mash", referral_reference="MASH/123",
                                                    referred_on=date(2026, 12, 4)), now=NOW + timedelta(minutes=2))
    safeguarding.change_status(concern, dsl, change("closed", reason="MASH took it on; no further action here"),
                               now=NOW + timedelta(minutes=3))
    concern = db.session.get(Concern, concern.id)
    assert (concern.status, concern.referred_to, concern.referral_reference) == ("closed", "mash", "MASH/123")
    history = [(c.from_status, c.to_status, c.by_id) for c in concern.changes]
    assert history == [(None, "open", team["worker"].id), ("open", "under_review", dsl.id),
                       ("under_review", "referred", dsl.id), ("referred", "closed", dsl.id)]
    assert "MASH/123" in concern.changes[2].note and "no further action" in concern.changes[3].note


def test_every_view_and_change_is_in_the_audit_log_without_the_text(team, db):
    concern, dsl = _raise(team), team["dsl"]
    safeguarding.for_safeguarding_lead(team["org"], dsl, now=NOW)
    safeguarding.open_concern(concern, dsl, now=NOW)
    safeguarding.change_status(concern, dsl, safeguarding.StatusChange("closed", reason=f"Closing: {PHRASE}"),
                               now=NOW)
    events = db.session.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars().all()
    assert [(e.action, e.actor_id) for e in events] == [
        ("concern.raised", team["worker"].id), ("concerns.listed", dsl.id), ("concern.viewed", dsl.id),
        ("concern.status_changed", dsl.id)]
    assert all(e.organisation_id == team["org"].id for e in events)
    assert [e.subject_id for e in events if e.subject_type == "Concern"] == [concern.id] * 3
    for e in events:
        assert PHRASE not in str(e.detail) and "Zebedee" not in str(e.detail)


def test_the_raiser_sees_received_and_the_status_only(team, db):
    _raise(team)
    other = make_user()
    add_member(team["org"], other, "worker")
    safeguarding.raise_concern(team["org"], other, _details(None, unnamed_description="Girl by the gate"), now=NOW)
    mine = safeguarding.raised_by(team["org"], team["worker"])
    assert [(r.status, r.status_label) for r in mine] == [("open", "Open")]
    assert set(vars(mine[0])) == {"raised_at", "status", "status_label"}  # nothing of what it says


def test_the_purge_past_every_other_class_removes_no_concern(team, db):
    concern = _raise(team)
    safeguarding.raise_concern(team["org"], team["worker"], _details(None, unnamed_description="Older lad"), now=NOW)
    schedule = retention.Schedule(medical_notes_days=1, anonymise_days=1, outbox_keep_days=1, incident_years=1)
    far = datetime(2090, 1, 1, tzinfo=UTC)  # past every class, the concerns' review date too
    report = retention.purge_expired(schedule, now=far)
    assert report.anonymised >= 1 and report.concerns_due_for_review == 2
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Concern)) == 2 == report.concerns_kept
    kept = db.session.get(Concern, concern.id)
    assert kept.young_person.anonymised_at is not None
    assert "Zebedee" not in safeguarding.about(kept) and "Z.Q., born 4 Apr 2013" in safeguarding.about(kept)
    assert "concerns_due_for_review" in [c.key for c in report.classes]


def test_a_concern_comes_up_for_review_at_the_25th_birthday_plus_the_years_set(team, db):
    _raise(team)  # born 4 April 2013: 25 on 4 April 2038
    due = lambda day, years=0: safeguarding.due_for_review(now=datetime(*day, tzinfo=UTC), age=25,  # noqa: E731
                                                           years_after=years)
    assert (due((2038, 4, 4)), due((2038, 4, 5))) == (0, 1)
    assert (due((2044, 4, 5), 6), due((2044, 4, 3), 6)) == (1, 0)


def test_erasing_a_child_keeps_their_concerns_without_the_name_in_clear(team, db):
    concern = _raise(team, what_happened=f"Zebedee told me: {PHRASE}. Quillfeather family know.")
    family.erase_child(team["guardian"], team["yp"], now=NOW + timedelta(days=1))
    db.session.expire_all()
    kept = db.session.get(Concern, concern.id)
    assert kept is not None and kept.young_person.erased_at is not None
    assert "Zebedee" not in kept.what_happened and "Quillfeather" not in kept.what_happened
    assert kept.what_happened == f"Z. told me: {PHRASE}. Q. family know."
    assert safeguarding.about(kept) == "Z.Q., born 4 Apr 2013 (record erased by the family)"
    assert "erased by the family" in kept.changes[-1].note


def test_the_familys_download_says_safeguarding_records_exist_and_nothing_of_them(team, db):
    data = family.export_child(team["guardian"], team["yp"], now=NOW)
    assert "safeguarding_records" not in data  # none yet: nothing to say
    _raise(team)
    data = family.export_child(team["guardian"], team["yp"], now=NOW)
    records = data["safeguarding_records"]
    assert records["held_by"] == ["Northside Police Community Team"]
    assert "designated safeguarding lead decides what is disclosed" in records["note"]
    assert PHRASE not in str(data) and "Stayed with him" not in str(data)


def test_publishing_needs_a_safeguarding_lead_and_the_last_one_stays_while_published(team, db):
    org, lead, dsl_membership = team["org"], team["lead"], team["dsl_membership"]
    draft = make_programme(org, "Street Safe", is_published=False)
    make_session(draft, starts_at=datetime.now(UTC) + timedelta(days=3))
    dsl_membership.is_safeguarding_lead = False
    db.session.commit()
    with pytest.raises(PermissionDeniedError) as err:
        programmes.publish(draft, by=lead)
    assert err.value.code == "no_safeguarding_lead"
    db.session.rollback()
    # Published before the rule: stays published.
    assert db.session.get(Programme, team["programme"].id).is_published

    organisations.set_safeguarding_lead(org, dsl_membership.id, True, by=lead)
    programmes.publish(draft, by=lead)
    assert draft.is_published
    with pytest.raises(ConflictError) as err:
        organisations.set_safeguarding_lead(org, dsl_membership.id, False, by=lead)
    assert err.value.code == "last_safeguarding_lead"
    db.session.rollback()
    with pytest.raises(ConflictError) as err:
        organisations.remove_member(org, dsl_membership.id, by=lead)
    assert err.value.code == "last_safeguarding_lead"
    db.session.rollback()
    # With a second designated lead, the first can stop.
    lead_membership = next(m for m in org.memberships if m.user_id == lead.id)
    organisations.set_safeguarding_lead(org, lead_membership.id, True, by=lead)
    organisations.set_safeguarding_lead(org, dsl_membership.id, False, by=lead)
    assert [m.user_id for m in safeguarding.safeguarding_leads(org)] == [lead.id]
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("membership.safeguarding%"))
                                 ).all()
    assert actions == ["membership.safeguarding_lead_given", "membership.safeguarding_lead_given",
                       "membership.safeguarding_lead_removed"]
