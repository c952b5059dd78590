"""The timeline's records (issue #18, point 3): the rules of each service, what erasure,
anonymisation and the retention purge do to them, the family's download, and the referrals
figures of the dashboard and the report to share, counted by hand."""
from datetime import date, datetime, timedelta

import pytest

from outreach.errors import ConflictError, ValidationError
from outreach.metrics import MetricQuery, Scope, Settings, compute
from outreach.metrics.referrals import referrals_view
from outreach.models import ContactNote, Milestone, Referral, Registration
from outreach.services import contact_notes, family, milestones, referrals, retention
from outreach.timeutil import UTC
from tests.factories import make_org, make_programme, make_session, make_user, make_young_person

NOW = datetime(2026, 12, 4, 18, 0, tzinfo=UTC)
TODAY = NOW.date()


@pytest.fixture()
def team(db):
    lead, worker, guardian = make_user("lead@a.example.org"), make_user("worker@a.example.org"), make_user("g@x.org")
    org = make_org("Partner A", slug="partner-a", lead=lead, worker=worker)
    club, boxing = make_programme(org, "Youth Club"), make_programme(org, "Boxing")
    session = make_session(club, starts_at=NOW - timedelta(days=1))
    yp = make_young_person("Zara", "Quint", dob=date(2012, 4, 4), guardian=guardian)
    db.session.add(Registration(young_person_id=yp.id, session_id=session.id, status="confirmed"))
    db.session.commit()
    return {"org": org, "lead": lead, "worker": worker, "guardian": guardian, "club": club, "boxing": boxing,
            "yp": yp}


def _fill(t):
    org, w, yp = t["org"], t["worker"], t["yp"]
    contact_notes.add_note(org, w, yp, contact_notes.NoteDetails("Zara asked about the gym", TODAY), now=NOW)
    contact_notes.add_note(org, w, yp, contact_notes.NoteDetails("Zara Quint's dad is in hospital", TODAY,
                                                                 restricted=True), now=NOW)
    kind = milestones.add_kind(org, t["lead"], "Joined a club", now=NOW)
    milestones.record_milestone(org, w, yp, milestones.MilestoneDetails(kind.id, TODAY, t["club"].id,
                                                                        "Zara joined the rowing club"), now=NOW)
    referrals.record_referral(org, w, yp, referrals.ReferralDetails("in", TODAY, t["club"].id, source="school",
                                                                    note="Zara's tutor rang"), now=NOW)
    out = referrals.record_referral(org, w, yp, referrals.ReferralDetails(
        "out", TODAY, t["club"].id, signposted_to="Zara's counsellor at Harbourside", note="Zara agreed"), now=NOW)
    referrals.record_outcome(org, w, out, "engaged", "Zara goes weekly", now=NOW)


def test_a_note_needs_text_a_known_young_person_and_a_date_not_in_the_future(team, db):
    org, w, yp = team["org"], team["worker"], team["yp"]
    cases = [(contact_notes.NoteDetails("  ", TODAY), "text_required"),
             (contact_notes.NoteDetails("x", TODAY + timedelta(days=2)), "date_in_future"),
             (contact_notes.NoteDetails("x", TODAY, contact="pigeon"), "unknown_contact"),
             (contact_notes.NoteDetails("x", TODAY, programme_id=make_programme(make_org()).id), "unknown_programme")]
    for details, code in cases:
        with pytest.raises(ValidationError) as err:
            contact_notes.add_note(org, w, yp, details, now=NOW)
        assert err.value.code == code
        db.session.rollback()
    with pytest.raises(ValidationError) as err:
        contact_notes.add_note(org, w, make_young_person("Stranger"), contact_notes.NoteDetails("x", TODAY), now=NOW)
    assert err.value.code == "unknown_young_person"


def test_the_milestone_list_is_the_leads_names_unique_retired_ones_not_offered(team, db):
    org, lead = team["org"], team["lead"]
    kind = milestones.add_kind(org, lead, "  Back into   education ", now=NOW)
    assert kind.name == "Back into education"
    with pytest.raises(ConflictError) as err:
        milestones.add_kind(org, lead, "back into education", now=NOW)
    assert err.value.code == "name_taken"
    db.session.rollback()
    milestones.retire_kind(org, kind, lead, now=NOW)
    assert milestones.kinds(org) == []
    with pytest.raises(ValidationError) as err:
        milestones.record_milestone(org, team["worker"], team["yp"], milestones.MilestoneDetails(kind.id, TODAY),
                                    now=NOW)
    assert err.value.code == "unknown_kind"
    db.session.rollback()
    assert milestones.add_kind(org, lead, "Back into education", now=NOW).id == kind.id  # offered again
    assert milestones.kinds(org) == [kind]


def test_a_referral_in_says_who_referred_one_out_to_whom_and_later_what_came_of_it(team, db):
    org, w, yp = team["org"], team["worker"], team["yp"]
    for details, code in [(referrals.ReferralDetails("in", TODAY), "source_required"),
                          (referrals.ReferralDetails("in", TODAY, source="other"), "source_other_required"),
                          (referrals.ReferralDetails("out", TODAY), "signposted_to_required"),
                          (referrals.ReferralDetails("sideways", TODAY), "unknown_direction")]:
        with pytest.raises(ValidationError) as err:
            referrals.record_referral(org, w, yp, details, now=NOW)
        assert err.value.code == code
        db.session.rollback()
    r_in = referrals.record_referral(org, w, yp, referrals.ReferralDetails("in", TODAY, source="police"), now=NOW)
    with pytest.raises(ValidationError) as err:
        referrals.record_outcome(org, w, r_in, "engaged", now=NOW)
    assert err.value.code == "not_a_referral_out"


def test_the_family_download_has_staff_notes_milestones_referrals_and_only_says_restricted_notes_exist(team, db):
    _fill(team)
    data = family.export_child(team["guardian"], team["yp"], now=NOW)
    text = repr(data)
    assert [n["note"] for n in data["contact_notes"]] == ["Zara asked about the gym"]
    assert "hospital" not in text
    assert data["restricted_notes"]["held_by"] == ["Partner A"] and "leads" in data["restricted_notes"]["note"]
    assert data["milestones"][0]["milestone"] == "Joined a club"
    assert {r["direction"] for r in data["referrals"]} == {"referred in", "signposted out"}
    assert any(r.get("what_came_of_it") == "Took it up" for r in data["referrals"])


def test_without_a_restricted_note_the_download_does_not_mention_them(team, db):
    contact_notes.add_note(team["org"], team["worker"], team["yp"], contact_notes.NoteDetails("Hello", TODAY), now=NOW)
    assert "restricted_notes" not in family.export_child(team["guardian"], team["yp"], now=NOW)


def _q(**scope):
    return MetricQuery(scope=Scope(**scope), settings=Settings(), as_of=NOW)


def test_erasing_the_child_removes_every_note_and_keeps_milestones_and_referrals_anonymous(team, db):
    _fill(team)
    before = compute("referrals", _q(programme_id=team["club"].id))
    family.erase_child(team["guardian"], team["yp"], now=NOW)
    db.session.expire_all()
    assert db.session.query(ContactNote).count() == 0
    m = db.session.query(Milestone).one()
    assert m.note is None and m.young_person_id == team["yp"].id
    rows = db.session.query(Referral).order_by(Referral.id).all()
    assert [r.note for r in rows] == [None, None] and rows[1].outcome_note is None
    assert rows[1].signposted_to == "Z.'s counsellor at Harbourside" and rows[1].outcome == "engaged"
    assert compute("referrals", _q(programme_id=team["club"].id)) == before  # the counts stay


def test_anonymising_keeps_restricted_notes_without_the_name_and_removes_staff_notes(team, db):
    _fill(team)
    later = NOW + timedelta(days=3 * 365 + 5)
    report = retention.purge_expired(retention.Schedule(medical_notes_days=365, anonymise_days=3 * 365,
                                                        contact_notes_days=10 * 365), now=later)
    assert report.anonymised == 1
    note = db.session.query(ContactNote).one()
    assert note.restricted and note.text == "Z. Q.'s dad is in hospital"
    assert db.session.query(Milestone).one().note is None


def test_the_purge_applies_each_timeline_class_at_its_own_date(team, db):
    _fill(team)
    schedule = retention.Schedule(medical_notes_days=99999, anonymise_days=99999, contact_notes_days=100,
                                  restricted_notes_days=200, milestones_days=300, referrals_days=400)

    def left(days):
        report = retention.purge_expired(schedule, now=NOW + timedelta(days=days))
        return ({k: report.count(k) for k in ("contact_notes", "restricted_notes", "milestones", "referrals")},
                db.session.query(ContactNote).count(), db.session.query(Milestone).count(),
                db.session.query(Referral).count())

    dry = retention.purge_expired(schedule, now=NOW + timedelta(days=500), dry_run=True)
    assert [dry.count(k) for k in ("contact_notes", "restricted_notes", "milestones", "referrals")] == [1, 1, 1, 2]
    assert "Contact notes for leads only would be removed: 1" in " ".join(c.line for c in dry.classes)
    assert left(99)[1:] == (2, 1, 2)
    assert left(101) == ({"contact_notes": 1, "restricted_notes": 0, "milestones": 0, "referrals": 0}, 1, 1, 2)
    assert left(201)[1:] == (0, 1, 2)
    assert left(301)[1:] == (0, 0, 2)
    assert left(401)[1:] == (0, 0, 0)
    assert left(402)[0] == {"contact_notes": 0, "restricted_notes": 0, "milestones": 0, "referrals": 0}
    from outreach.models import AuditEvent
    removed = {e.action: e.detail["removed"] for e in db.session.query(AuditEvent).filter(
        AuditEvent.action.like("%.removed"))}
    assert removed == {"contact_notes.removed": 1, "restricted_notes.removed": 1, "milestones.removed": 1,
                       "referrals.removed": 2}


def test_referrals_per_programme_counted_by_hand_and_suppressed_in_the_report(team, db):
    org, w, club, boxing = team["org"], team["worker"], team["club"], team["boxing"]
    people = [make_young_person(f"P{i}") for i in range(8)]
    for yp in people:
        db.session.add(Registration(young_person_id=yp.id, programme_id=club.id, status="confirmed"))
    db.session.commit()
    # Club: 6 in (4 school, 2 police), 2 out (1 engaged, 1 waiting). Boxing: 1 in (self). None: 1 out.
    for i, source in enumerate(["school"] * 4 + ["police"] * 2):
        referrals.record_referral(org, w, people[i], referrals.ReferralDetails("in", TODAY, club.id, source=source),
                                  now=NOW)
    referrals.record_referral(org, w, people[6], referrals.ReferralDetails("in", TODAY, boxing.id, source="self"),
                              now=NOW)
    done = referrals.record_referral(org, w, people[0], referrals.ReferralDetails("out", TODAY, club.id,
                                                                                 signposted_to="CAMHS"), now=NOW)
    referrals.record_outcome(org, w, done, "engaged", now=NOW)
    referrals.record_referral(org, w, people[1], referrals.ReferralDetails("out", TODAY, club.id,
                                                                           signposted_to="Food bank"), now=NOW)
    referrals.record_referral(org, w, people[2], referrals.ReferralDetails("out", TODAY, None,
                                                                           signposted_to="GP"), now=NOW)
    # Last year's: outside the range.
    referrals.record_referral(org, w, people[3], referrals.ReferralDetails("in", date(2025, 1, 5), club.id,
                                                                           source="family"), now=NOW)
    m = compute("referrals", _q(organisation_id=org.id))
    by_programme = {x["programme_id"]: (x["in"], x["out"]) for x in m["programmes"]}
    assert by_programme == {club.id: (7, 2), boxing.id: (1, 0), None: (0, 1)}
    from outreach.metrics.base import Filters
    ranged = MetricQuery(scope=Scope(organisation_id=org.id), settings=Settings(), as_of=NOW,
                         filters=Filters(start=datetime(2026, 1, 1, tzinfo=UTC), end=datetime(2027, 1, 1, tzinfo=UTC)))
    m = compute("referrals", ranged)
    assert {x["programme_id"]: (x["in"], x["out"]) for x in m["programmes"]} == \
        {club.id: (6, 2), boxing.id: (1, 0), None: (0, 1)}
    january = MetricQuery(scope=Scope(organisation_id=org.id), settings=Settings(), as_of=NOW,
                          filters=Filters(start=datetime(2025, 1, 1, tzinfo=UTC), end=datetime(2025, 2, 1, tzinfo=UTC)))
    assert compute("referrals", january)["programmes"] == [{"programme_id": club.id, "in": 1, "out": 0}]
    assert m["in_by_source"] == {"school": 4, "police": 2, "social_care": 0, "self": 1, "family": 0, "other": 0}
    assert m["out_by_outcome"]["engaged"] == 1 and m["out_by_outcome"]["waiting"] == 2
    titles = {club.id: "Youth Club", boxing.id: "Boxing"}
    own = referrals_view(m, shared=False, threshold=5, titles=titles)
    assert own["per_programme"]["rows"][0] == ("Youth Club", 6, 2, 8)
    shared = referrals_view(m, shared=True, threshold=5, titles=titles)
    rows = {r[0]: r[1:] for r in shared["per_programme"]["rows"]}
    assert rows["Youth Club"][1] == "<5"  # 2 signposted out
    assert rows["Boxing"][0] == "<5"
    # No hidden count can be worked out: wherever a line has a hidden cell, two are hidden or its total is.
    for line in shared["per_programme"]["rows"]:
        hidden = [v for v in line[1:] if isinstance(v, str)]
        assert len(hidden) != 1
    assert dict(shared["by_source"]["rows"])["Police"] == "<5" and dict(shared["by_source"]["rows"])["School"] == "<5"
