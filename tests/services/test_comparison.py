"""Who is in a programme's comparison group, which surveys they are offered, and how their
answers are stored (services/comparison.py; issue 17, point 4). One rule per test."""
from datetime import date, datetime, timedelta, timezone

import pytest

from outreach.errors import NotFoundError, ValidationError
from outreach.extensions import db
from outreach.models import Attendance, AuditEvent, ComparisonMember, Registration
from outreach.services import comparison, family, surveys
from tests.factories import make_org, make_programme, make_session, make_user, make_young_person

NOW = datetime(2026, 9, 1, 12, 0, tzinfo=timezone.utc)


@pytest.fixture()
def setting(db):
    org = make_org()
    lead = make_user()
    programme = make_programme(org, title="Street Safe", registration_mode="enrol", min_age=14, max_age=19)
    return {"org": org, "lead": lead, "programme": programme}


def register(yp, programme=None, session=None, status="waitlisted", confirmed=False):
    reg = Registration(young_person_id=yp.id, programme_id=getattr(programme, "id", None),
                       session_id=getattr(session, "id", None), status=status,
                       waitlisted_at=NOW - timedelta(days=2) if status == "waitlisted" else None,
                       confirmed_at=NOW - timedelta(days=2) if confirmed else None)
    db.session.add(reg)
    db.session.flush()
    return reg


def members(programme):
    return {m.young_person_id: m for m in db.session.query(ComparisonMember).filter_by(programme_id=programme.id)}


def test_including_the_waiting_list_adds_those_waiting_and_nobody_served(setting):
    p = setting["programme"]
    waiting, placed, came, cancelled = (make_young_person(n) for n in ("Wait", "Placed", "Came", "Gone"))
    register(waiting, p)
    register(placed, p, status="confirmed", confirmed=True)
    register(came, p)  # waiting, but came to a session as a walk-in
    session = make_session(p, starts_at=NOW - timedelta(days=1))
    db.session.add(Attendance(session_id=session.id, young_person_id=came.id, checked_in_at=session.starts_at,
                              method="walk_in"))
    register(cancelled, p, status="cancelled")
    db.session.flush()
    assert comparison.include_waiting_list(p, by=setting["lead"], now=NOW) == 1
    assert set(members(p)) == {waiting.id} and members(p)[waiting.id].source == "waiting_list"


def test_including_the_waiting_list_again_adds_only_newcomers(setting):
    p = setting["programme"]
    register(make_young_person(), p)
    assert comparison.include_waiting_list(p, by=setting["lead"], now=NOW) == 1
    assert comparison.include_waiting_list(p, by=setting["lead"], now=NOW) == 0
    register(make_young_person(), p)
    assert comparison.include_waiting_list(p, by=setting["lead"], now=NOW) == 1
    assert len(members(p)) == 2


def test_the_waiting_list_of_a_session_counts_for_a_programme_booked_per_session(db):
    org = make_org()
    p = make_programme(org, registration_mode="per_session")
    session = make_session(p, starts_at=NOW + timedelta(days=3))
    yp = make_young_person()
    register(yp, session=session)
    assert comparison.include_waiting_list(p, by=None, now=NOW) == 1


def test_another_programmes_waiting_list_is_not_this_ones(setting):
    other = make_programme(setting["org"])
    register(make_young_person(), other)
    assert comparison.include_waiting_list(setting["programme"], by=setting["lead"], now=NOW) == 0


def test_an_erased_young_person_is_not_added(setting):
    yp = make_young_person()
    register(yp, setting["programme"])
    yp.erased_at = NOW
    db.session.flush()
    assert comparison.include_waiting_list(setting["programme"], by=setting["lead"], now=NOW) == 0


def test_adding_is_written_to_the_audit_log_with_how_many(setting):
    register(make_young_person(), setting["programme"])
    comparison.include_waiting_list(setting["programme"], by=setting["lead"], now=NOW)
    event = db.session.query(AuditEvent).filter_by(action="comparison.added").one()
    assert (event.organisation_id, event.actor_id, event.detail["young_people"]) == (
        setting["org"].id, setting["lead"].id, 1)


def test_young_people_not_yet_served_come_from_another_programmes_registrations(setting):
    p, later = setting["programme"], make_programme(setting["org"], title="Street Safe (spring)")
    next_term, both, gone = make_young_person("Next"), make_young_person("Both"), make_young_person("Gone")
    register(next_term, later, status="confirmed", confirmed=True)
    register(both, later, status="confirmed", confirmed=True)
    register(both, p, status="confirmed", confirmed=True)  # served by this one already
    register(gone, later, status="cancelled")
    assert comparison.add_not_yet_served(p, later, by=setting["lead"], now=NOW) == 1
    member = members(p)[next_term.id]
    assert (member.source, member.via_programme_id) == ("not_yet_served", later.id)


def test_not_yet_served_from_another_organisations_programme_is_refused(setting):
    theirs = make_programme(make_org())
    register(make_young_person(), theirs, status="confirmed", confirmed=True)
    with pytest.raises(NotFoundError) as err:
        comparison.add_not_yet_served(setting["programme"], theirs, by=setting["lead"], now=NOW)
    assert err.value.code == "unknown_cohort" and members(setting["programme"]) == {}


def test_not_yet_served_from_the_same_programme_is_refused(setting):
    with pytest.raises(ValidationError) as err:
        comparison.add_not_yet_served(setting["programme"], setting["programme"], by=setting["lead"], now=NOW)
    assert err.value.code == "same_programme"


def test_removing_someone_from_another_programmes_group_is_not_found(setting):
    other = make_programme(setting["org"])
    yp = make_young_person()
    register(yp, other)
    comparison.include_waiting_list(other, by=None, now=NOW)
    member = members(other)[yp.id]
    with pytest.raises(NotFoundError) as err:
        comparison.remove_member(setting["programme"], member.id, by=setting["lead"], now=NOW)
    assert err.value.code == "not_a_member" and yp.id in members(other)


# ---------------------------------------------------------------- surveys

@pytest.fixture()
def waiting_member(setting):
    p = setting["programme"]
    start = surveys.ensure_survey(p, "start", now=NOW)
    end = surveys.ensure_survey(p, "end", now=NOW)
    yp = make_young_person("Wait", dob=date(2009, 1, 1))
    reg = register(yp, p)
    comparison.include_waiting_list(p, by=None, now=NOW)
    return {**setting, "start": start, "end": end, "yp": yp, "reg": reg}


def test_a_member_is_offered_the_start_survey_while_waiting(waiting_member):
    offered = comparison.surveys_open_for(waiting_member["yp"].id, NOW)
    assert [(s.kind, title) for s, _, title in offered] == [("start", "Street Safe")]


def test_the_end_survey_opens_at_the_programmes_last_session(waiting_member):
    # The served group's rule (services/survey_timing.py): due from the start of the last session.
    p, yp = waiting_member["programme"], waiting_member["yp"]
    make_session(p, starts_at=NOW + timedelta(days=8))
    assert [s.kind for s, _, _ in comparison.surveys_open_for(yp.id, NOW + timedelta(days=7))] == ["start"]
    assert [s.kind for s, _, _ in comparison.surveys_open_for(yp.id, NOW + timedelta(days=8))] == ["end", "start"]


def test_an_answered_survey_is_not_offered_again(waiting_member):
    start, yp = waiting_member["start"], waiting_member["yp"]
    surveys.submit(start, {start.questions[0].id: 3}, young_person_id=yp.id, now=NOW)
    assert comparison.surveys_open_for(yp.id, NOW) == []


def test_a_member_given_a_place_is_offered_nothing_as_comparison(waiting_member):
    reg = waiting_member["reg"]
    reg.status, reg.confirmed_at = "confirmed", NOW
    db.session.flush()
    assert comparison.surveys_open_for(waiting_member["yp"].id, NOW) == []


def test_someone_outside_the_group_is_offered_nothing(waiting_member):
    stranger = make_young_person()
    register(stranger, make_programme(waiting_member["org"]))
    assert comparison.surveys_open_for(stranger.id, NOW) == []


def test_a_members_start_answer_is_stored_marked_as_comparison(waiting_member):
    start, yp = waiting_member["start"], waiting_member["yp"]
    response = surveys.submit(start, {start.questions[0].id: 3}, young_person_id=yp.id, now=NOW)
    assert response.comparison is True


def test_a_participants_answer_is_not_marked(waiting_member):
    start = waiting_member["start"]
    yp = make_young_person()
    register(yp, waiting_member["programme"], status="confirmed", confirmed=True)
    assert surveys.submit(start, {start.questions[0].id: 3}, young_person_id=yp.id, now=NOW).comparison is False


def test_an_after_session_answer_is_never_marked(waiting_member):
    p, yp = waiting_member["programme"], waiting_member["yp"]
    after = surveys.ensure_survey(p, "session", now=NOW)
    assert surveys.submit(after, {after.questions[0].id: 3}, young_person_id=yp.id, now=NOW).comparison is False


def test_erasing_a_member_takes_them_out_and_keeps_their_answers_marked(waiting_member):
    start, yp = waiting_member["start"], waiting_member["yp"]
    response = surveys.submit(start, {start.questions[0].id: 3}, young_person_id=yp.id, now=NOW)
    guardian = make_user()
    from outreach.models import GuardianLink
    db.session.add(GuardianLink(guardian_id=guardian.id, young_person_id=yp.id))
    db.session.flush()
    assert [g["how"] for g in family.export_child(guardian, yp, now=NOW)["comparison_groups"]] == ["Waiting list"]
    family.erase_child(guardian, yp, now=NOW)
    db.session.refresh(response)
    assert members(waiting_member["programme"]) == {}
    assert (response.young_person_id, response.comparison) == (None, True)


# ---------------------------------------------------------------- the email asking them

def test_joining_emails_the_family_once_with_the_pass_page(setting, app, outbox):
    from outreach.services import passes

    guardian = make_user("parent@example.org")
    ruby = make_young_person("Ruby", guardian=guardian)
    live = passes.ensure_pass(ruby)
    register(ruby, setting["programme"])
    make_session(setting["programme"], starts_at=NOW + timedelta(weeks=10))
    comparison.include_waiting_list(setting["programme"], by=setting["lead"], now=NOW)
    comparison.include_waiting_list(setting["programme"], by=setting["lead"], now=NOW)  # nobody new: no email
    [message] = outbox()
    assert message["to"] == "parent@example.org" and message["subject"] == "A short survey from Street Safe"
    body = " ".join(message["text"].split())
    assert "where Ruby is on the waiting list" in body
    assert passes.pass_url(app.config["BASE_URL"], live.secret) in body
    assert "Answering is up to Ruby: nothing changes about their place" in body
    assert "once now and once when it ends (around " in body


def test_a_young_person_with_no_family_address_is_added_without_an_email(setting, outbox):
    register(make_young_person("Alone"), setting["programme"])
    assert comparison.include_waiting_list(setting["programme"], by=setting["lead"], now=NOW) == 1
    assert outbox() == []
