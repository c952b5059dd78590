"""The follow-up list worked out by hand (tests/follow_up_course.py), contact attempts and closing."""
from datetime import timedelta

import pytest
from sqlalchemy import delete, select

from outreach.errors import DomainError
from outreach.extensions import db
from outreach.models import Attendance, AuditEvent, FollowUp, Registration
from outreach.services import follow_up
from tests import follow_up_course as course
from tests.factories import make_session

RULE = follow_up.rule_for  # with the defaults: 3 of the first 4, after 3 missed in a row


def names(lines):
    return [x.young_person.first_name for x in lines]


@pytest.fixture()
def c(db):
    return course.build()


def rule(c):
    return RULE(c["programme"])


def test_the_default_rule_reuses_the_evaluations_share(c):
    r = rule(c)
    assert (r.first_sessions, r.attended_at_least, r.missed_in_a_row) == (4, 3, 3)
    c["programme"].regular_sessions = 2  # the lead's own number for a regular attendee
    assert RULE(c["programme"]).attended_at_least == 2
    c["programme"].regular_sessions = 6  # more than the first 4: the first 6 are looked at
    assert (RULE(c["programme"]).first_sessions, RULE(c["programme"]).attended_at_least) == (6, 6)


@pytest.mark.parametrize("mode", ["enrol", "per_session"])
def test_the_list_holds_exactly_the_regular_who_missed_three_in_a_row(db, mode):
    c = course.build(mode=mode)
    lines = follow_up.follow_up_list(c["programme"], rule(c), now=course.NOW)
    assert names(lines) == ["Amara"]  # Bilal missed two, Chloe came back, Dev was never a regular
    assert lines[0].last_seen.id == c["sessions"][5].id and lines[0].missed == 3
    assert lines[0].first_missed.id == c["sessions"][6].id


def test_the_third_was_on_the_list_until_she_came_back(c):
    before_eight = c["sessions"][7].ends_at + timedelta(hours=1)
    lines = follow_up.follow_up_list(c["programme"], rule(c), now=before_eight)
    assert names(lines) == ["Chloe"]
    assert lines[0].last_seen.id == c["sessions"][3].id and lines[0].missed == 3  # 5 6 7; 4 was cancelled
    assert "Chloe" not in names(follow_up.follow_up_list(c["programme"], rule(c), now=course.NOW))


def test_cancelled_sessions_never_count_as_missed(c):
    for k in (6, 7):
        c["sessions"][k].status = "cancelled"
    db.session.commit()
    assert names(follow_up.follow_up_list(c["programme"], rule(c), now=course.NOW)) == []  # Amara missed only 8


def test_a_session_with_no_register_taken_counts_neither_way(c):
    db.session.execute(delete(Attendance).where(Attendance.session_id == c["sessions"][8].id))
    db.session.commit()
    # Session 8 has nobody checked in: Amara has missed 6 and 7 only (off the list), Chloe's return
    # at 8 is not on record (so she is on it, seen last at 3), and 8 is on the leads' list.
    assert names(follow_up.follow_up_list(c["programme"], rule(c), now=course.NOW)) == ["Chloe"]
    assert c["sessions"][8] not in follow_up.registers_not_taken(c["org"], now=course.NOW)  # under a day
    assert c["sessions"][8] in follow_up.registers_not_taken(c["org"], now=course.NOW + timedelta(days=1))


def test_per_session_only_sessions_they_were_booked_on_are_offered(db):
    c = course.build(mode="per_session")
    amara = c["people"]["Amara"]
    # Amara cancelled her bookings for 6 and 7 in good time: only 8 was offered and missed.
    for k in (6, 7):
        reg = db.session.execute(select(Registration).where(
            Registration.young_person_id == amara.id, Registration.session_id == c["sessions"][k].id)).scalar_one()
        reg.status, reg.cancelled_at = "cancelled", c["sessions"][k].starts_at - timedelta(days=1)
    db.session.commit()
    assert names(follow_up.follow_up_list(c["programme"], rule(c), now=course.NOW)) == []


def test_enrolled_after_the_start_sessions_before_do_not_count(db):
    c = course.build()
    late = course.make_young_person("Farah", "Follow")
    db.session.add(Registration(young_person_id=late.id, programme_id=c["programme"].id, status="confirmed",
                                created_at=c["sessions"][3].starts_at, confirmed_at=c["sessions"][3].starts_at))
    for k in (3, 5, 6):  # her first three offered, then missed 7 and 8: not yet three in a row
        db.session.add(Attendance(session_id=c["sessions"][k].id, young_person_id=late.id, method="qr",
                                  checked_in_at=c["sessions"][k].starts_at))
    db.session.commit()
    assert "Farah" not in names(follow_up.follow_up_list(c["programme"], rule(c), now=course.NOW))
    later = make_session(c["programme"], c["sessions"][8].starts_at + timedelta(days=7), hours=2)
    db.session.add(Attendance(session_id=later.id, young_person_id=c["people"]["Eve"].id, method="qr",
                              checked_in_at=later.starts_at))
    db.session.commit()
    assert "Farah" in names(follow_up.follow_up_list(c["programme"], rule(c), now=later.ends_at + timedelta(hours=1)))


def _attempt(c, **kw):
    values = dict(method="phone", outcome="left_message", made_at=course.NOW - timedelta(hours=2), note="Left voicemail")
    values.update(kw)
    return follow_up.ContactDetails(**values)


def test_a_contact_attempt_is_kept_with_who_when_how_and_outcome_and_audited(c):
    amara = c["people"]["Amara"]
    contact = follow_up.record_contact(c["programme"], amara, c["worker"], _attempt(c), rule(c), now=course.NOW)
    line = follow_up.line_for(c["programme"], amara, rule(c), now=course.NOW)
    assert [(x.made_by_id, x.method, x.outcome, x.note) for x in line.contacts] == \
        [(c["worker"].id, "phone", "left_message", "Left voicemail")]
    assert contact.made_at == course.NOW - timedelta(hours=2)
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "follow_up.contact_recorded")).scalar_one()
    assert (event.subject_id, event.actor_id, event.detail["outcome"]) == (amara.id, c["worker"].id, "left_message")


@pytest.mark.parametrize("bad, code", [
    (dict(method="carrier_pigeon"), "invalid_method"), (dict(outcome="maybe"), "invalid_outcome"),
    (dict(made_at=course.NOW + timedelta(days=1)), "made_in_future"),
    (dict(made_at=course.FIRST - timedelta(days=1)), "made_before_last_seen"),
    (dict(outcome="other", note=" "), "note_required"), (dict(note="x" * 2001), "note_too_long")])
def test_a_contact_attempt_is_checked(c, bad, code):
    with pytest.raises(DomainError) as err:
        follow_up.record_contact(c["programme"], c["people"]["Amara"], c["worker"], _attempt(c, **bad), rule(c),
                                 now=course.NOW)
    assert err.value.code == code
    assert db.session.scalar(select(FollowUp.id)) is None


@pytest.mark.parametrize("who", ["Bilal", "Chloe", "Dev"])
def test_only_someone_on_the_list_can_be_followed_up(c, who):
    with pytest.raises(DomainError) as err:
        follow_up.record_contact(c["programme"], c["people"][who], c["worker"], _attempt(c), rule(c), now=course.NOW)
    assert err.value.code == "not_on_list"
    with pytest.raises(DomainError):
        follow_up.close_follow_up(c["programme"], c["people"][who], c["worker"], "Moved", rule(c), now=course.NOW)


def test_closing_needs_a_reason_and_takes_them_off_until_they_come_back(c):
    amara = c["people"]["Amara"]
    with pytest.raises(DomainError) as err:
        follow_up.close_follow_up(c["programme"], amara, c["worker"], "  ", rule(c), now=course.NOW)
    assert err.value.code == "reason_required"
    follow_up.close_follow_up(c["programme"], amara, c["worker"], "Moved to Leeds", rule(c), now=course.NOW)
    assert names(follow_up.follow_up_list(c["programme"], rule(c), now=course.NOW)) == []
    record = db.session.execute(select(FollowUp)).scalar_one()
    assert (record.close_reason, record.closed_by_id) == ("Moved to Leeds", c["worker"].id)
    # She comes back once, then stops again: a new spell, on the list again.
    extra = [make_session(c["programme"], c["sessions"][8].starts_at + timedelta(days=7 * k), hours=2)
             for k in (1, 2, 3, 4)]
    for s in extra:
        for name in ("Eve",) + (("Amara",) if s is extra[0] else ()):
            db.session.add(Attendance(session_id=s.id, young_person_id=c["people"][name].id, method="qr",
                                      checked_in_at=s.starts_at))
    db.session.commit()
    later = extra[-1].ends_at + timedelta(hours=1)
    lines = follow_up.follow_up_list(c["programme"], rule(c), now=later)
    assert "Amara" in names(lines)
    assert [x for x in lines if x.young_person.id == amara.id][0].last_seen.id == extra[0].id


def test_erased_young_people_are_left_off(c):
    c["people"]["Amara"].erased_at = course.NOW
    db.session.commit()
    assert follow_up.follow_up_list(c["programme"], rule(c), now=course.NOW) == []


def test_registers_not_taken_lists_held_sessions_with_nobody_checked_in_a_day_after(c):
    programme, now = c["programme"], course.NOW
    empty = make_session(programme, now - timedelta(days=3), hours=2)
    yesterday_evening = make_session(programme, now - timedelta(hours=20), hours=2)  # ended under a day ago
    cancelled = make_session(programme, now - timedelta(days=4), hours=2, status="cancelled")
    db.session.commit()
    found = follow_up.registers_not_taken(c["org"], now=now)
    assert empty in found and yesterday_evening not in found and cancelled not in found
    assert not any(s in found for s in c["sessions"])  # every held course session has someone checked in
    assert found == [empty]


def test_erasing_a_child_removes_their_follow_up_and_contact_notes(c):
    from outreach.models import FollowUpContact, GuardianLink
    from outreach.services import family
    from tests.factories import make_user

    amara = c["people"]["Amara"]
    guardian = make_user("amara.parent@example.org")
    db.session.add(GuardianLink(young_person_id=amara.id, guardian_id=guardian.id))
    db.session.commit()
    follow_up.record_contact(c["programme"], amara, c["worker"], _attempt(c, note="Mum says Amara is unwell"),
                             rule(c), now=course.NOW)
    family.erase_child(guardian, amara, now=course.NOW)
    assert db.session.scalar(select(FollowUp.id)) is None
    assert db.session.scalar(select(FollowUpContact.id)) is None
