"""Every metric on one small hand-built programme, with the arithmetic worked out here.

The programme "Friday Football" (an enrol course, 18:00–20:00 London, no clock
change in the period) has six past sessions and one to come:

    S1 4 Nov   S2 11 Nov   S3 18 Nov (cancelled)   S4 25 Nov   S5 2 Dec   S6 9 Dec   S7 16 Dec (future)

so five are held: S1 S2 S4 S5 S6 (S6: everyone absent). Young people:

    A  enrolled before S1; attended S1 S2 S4 S5; checked out 19:30 at S1 only   girl, 14
    B  enrolled before S1; attended S1                                           boy, 12
    D  enrolled before S1; never came                                            boy, 12
    C  enrolled between S2 and S4 (mid-programme); attended S4                   boy, 12
    W  walked in at S2 without a booking                                         boy, 12
    E  booked S5 alone, cancelled two days before it                             boy, 12
"""
from datetime import timedelta

import pytest
from sqlalchemy import text

from outreach.metrics import REGISTRY, MetricQuery, Scope, Settings, compute, compute_all
from outreach.metrics.base import Filters
from outreach.models import Attendance, FeedbackAnswer, FeedbackResponse, Survey, SurveyQuestion
from tests.course import AS_OF, DAYS, course  # noqa: F401  (course is a fixture)
from tests.factories import make_org, make_programme, make_session, make_young_person, session_on

def query(course, **filters):
    return MetricQuery(scope=Scope(programme_id=course["programme"].id), filters=Filters(**filters),
                       settings=Settings(recent_sessions=2, cohort_steps=5), as_of=AS_OF)


def test_reach_and_attendances(course):
    # A, B, C, W came; D never did. Attendances: A 4 + B 1 + C 1 + W 1 = 7.
    assert compute("reach", query(course)) == {"reach": 4, "attendances": 7}


def test_headcounts_list_every_held_session_with_zeros_and_count_cancelled_apart(course):
    got = compute("headcounts", query(course))
    s = course["s"]
    # S1: A B; S2: A W; S4: A C; S5: A; S6: nobody. S3 cancelled, S7 not yet held.
    assert [(x["session_id"], x["headcount"]) for x in got["sessions"]] == [
        (s[1].id, 2), (s[2].id, 2), (s[4].id, 2), (s[5].id, 1), (s[6].id, 0)]
    assert (got["held"], got["cancelled"], got["zero_attendance"]) == (5, 1, 1)
    # November: S1 2 + S2 2 + S4 2 = 6; December: S5 1 + S6 0 = 1.
    assert got["by_month"] == [{"month": "2026-11", "attendances": 6}, {"month": "2026-12", "attendances": 1}]


def test_show_up_rate_no_shows_walk_ins_and_early_cancellations(course):
    got = compute("show_up", query(course))
    per = {x["session_id"]: x for x in got["sessions"]}
    s = course["s"]
    # S1: booked A B D (3), came A B (2): 2/3, one no-show.
    assert (per[s[1].id]["booked"], per[s[1].id]["attended_booked"], per[s[1].id]["no_shows"]) == (3, 2, 1)
    assert per[s[1].id]["show_up_rate"] == pytest.approx(2 / 3)
    # S2: booked 3, came A (1); W walked in.
    assert (per[s[2].id]["attended_booked"], per[s[2].id]["walk_ins"]) == (1, 1)
    # S4: C enrolled mid-way, so booked A B D C = 4; came A C.
    assert (per[s[4].id]["booked"], per[s[4].id]["attended_booked"]) == (4, 2)
    # S5: E's single-session booking was cancelled in advance: counted apart, not booked.
    assert (per[s[5].id]["booked"], per[s[5].id]["cancelled_in_advance"]) == (4, 1)
    # S6: everyone absent: 0 of 4, a rate of 0 (not "no data").
    assert (per[s[6].id]["attended_booked"], per[s[6].id]["show_up_rate"]) == (0, 0.0)
    # Totals: booked 3+3+4+4+4 = 18; came 2+1+2+1+0 = 6; no-shows 12; rate 6/18.
    assert (got["booked"], got["attended_booked"], got["no_shows"], got["walk_ins"]) == (18, 6, 12, 1)
    assert got["show_up_rate"] == pytest.approx(1 / 3)


def test_attendance_rate_counts_sessions_offered_since_enrolment(course):
    got = compute("attendance_rate", query(course))
    # Offered since start: A 5 (4 came) 0.8; B 5 (1) 0.2; D 5 (0) 0; C 3 (S4 S5 S6; 1) 1/3;
    # W from S2: 4 (1) 0.25. Average (0.8 + 0.2 + 0 + 1/3 + 0.25) / 5.
    assert got["participants"] == 5
    assert got["average_rate"] == pytest.approx((0.8 + 0.2 + 0 + 1 / 3 + 0.25) / 5)
    # Retention (at least 60%): only A: 1 of 5.
    assert (got["retained"], got["retention"]) == (1, pytest.approx(0.2))
    assert [b["participants"] for b in got["bands"]] == [2, 2, 0, 1]  # B D | C W | - | A


def test_attendance_rate_inside_a_date_range(course):
    got = compute("attendance_rate", query(course, start=course["s"][4].starts_at))
    # Held in range: S4 S5 S6. A 2/3, B 0/3, D 0/3, C 1/3, W 0/3: average (2/3 + 1/3) / 5 = 0.2.
    assert got["participants"] == 5
    assert got["average_rate"] == pytest.approx(0.2)


def test_regular_attendees_by_default_came_to_three_quarters_of_the_sessions_offered(course):
    got = compute("regular", query(course))
    # Sessions offered since each start (as in the attendance rate): A 5, came 4 = 80%: regular.
    # B 1 of 5 = 20%, D 0 of 5, C 1 of 3 = 33%, W 1 of 4 = 25%: not regular. So 1 of the 4 who came.
    assert (got["young_people"], got["regular"]) == (4, 1)
    assert got["rule"] == ("Regular attendees: young people who came to at least 75% of the sessions offered "
                           "to them (the default rule).")
    assert got["rule_short"] == "75%+ of sessions offered"
    # All four attendees are in the 1–9 band (A 4, B 1, C 1, W 1 sessions).
    assert [b["young_people"] for b in got["bands"]] == [4, 0, 0, 0]


def test_regular_attendees_at_another_share(course):
    # At 25%: A 80%, C 33% and W exactly 25% (1 of 4) are regular; B 20% and D 0% are not.
    q = MetricQuery(scope=Scope(programme_id=course["programme"].id), settings=Settings(regular_share=0.25),
                    as_of=AS_OF)
    assert compute("regular", q)["regular"] == 3


@pytest.mark.parametrize("sessions, regular", [(1, 4), (4, 1), (5, 0)])
def test_regular_attendees_with_the_number_of_sessions_a_lead_set(course, db, sessions, regular):
    # Sessions attended: A 4, B 1, C 1, W 1. At least 1: all four; at least 4: A; at least 5: nobody.
    course["programme"].regular_sessions = sessions
    db.session.flush()
    got = compute("regular", query(course))
    assert got["regular"] == regular
    assert got["set_by_programme"] == [{"programme_id": course["programme"].id, "title": "Friday Football",
                                        "sessions": sessions}]
    assert got["rule_short"] == f"{sessions}+ sessions"
    assert f"Friday Football: at least {sessions} session" in got["rule"]


def test_regular_attendees_across_programmes_with_their_own_rules_count_each_young_person_once(course, db):
    # Art Club, same organisation: its lead counts 2 sessions as regular. B comes to both of its
    # sessions (regular there, though not at football); W comes to one (not regular); A comes to
    # one (not regular there, but regular at football).
    art = make_programme(course["org"], title="Art Club", registration_mode="drop_in")
    art.regular_sessions = 2
    first, second = session_on(art, DAYS[0]), session_on(art, DAYS[1])
    people = course["people"]
    for key, session in (("B", first), ("B", second), ("W", first), ("A", second)):
        db.session.add(Attendance(session_id=session.id, young_person_id=people[key].id,
                                  checked_in_at=session.starts_at, method="qr"))
    db.session.flush()
    got = compute("regular", MetricQuery(scope=Scope(organisation_id=course["org"].id), as_of=AS_OF))
    # Regular: A (football, 4 of 5) and B (art, 2 sessions): 2 young people of the 4 who came.
    assert (got["young_people"], got["regular"]) == (4, 2)
    assert got["rule"] == ("Regular attendees: young people who came to at least 75% of the sessions offered "
                           "to them (the default rule), or, in a programme whose lead set a number of sessions, "
                           "came to at least that many (Art Club: at least 2 sessions).")
    assert got["rule_short"] == "75%+ of sessions offered, or as set per programme"
    # Bands count sessions across both programmes: A 5, B 3, C 1, W 2: all 1–9.
    assert [b["young_people"] for b in got["bands"]] == [4, 0, 0, 0]


def test_dosage_uses_check_out_or_the_scheduled_length(course):
    got = compute("dosage", query(course))
    # Measured: A at S1, 18:00 to 19:30 = 1.5 h. Scheduled 2 h for the other six attendances = 12 h.
    assert got["measured_hours"] == pytest.approx(1.5)
    assert got["scheduled_hours"] == pytest.approx(12.0)
    assert (got["checked_out_attendances"], got["attendances"]) == (1, 7)
    # Per person: A 1.5 + 6 = 7.5; B, C, W 2 each: mean 13.5 / 4.
    assert got["mean_hours"] == pytest.approx(13.5 / 4)
    # Weeks: A from S1 to S5 = 4 weeks, others 0: mean 1.
    assert got["mean_weeks"] == pytest.approx(1.0)
    assert got["mean_categories"] == pytest.approx(1.0)
    assert [b["participants"] for b in got["bands"]] == [0, 3, 1, 0, 0]


def test_first_session_dropout(course):
    got = compute("first_session_dropout", query(course))
    # First attendances: A (S1, came 4 times), B (S1, once), C (S4, once), W (S2, once); each had
    # later held sessions. Dropped out after the first: B, C, W = 3 of 4.
    assert (got["newcomers"], got["could_return"], got["dropped_out"]) == (4, 4, 3)
    assert got["rate"] == pytest.approx(0.75)


def test_first_time_and_returning(course):
    got = compute("returning", query(course))
    s = course["s"]
    per = {x["session_id"]: (x["first_time"], x["returning"]) for x in got["sessions"]}
    # S1: A B new. S2: A back, W new. S4: A back, C new. S5: A back.
    assert per == {s[1].id: (2, 0), s[2].id: (1, 1), s[4].id: (1, 1), s[5].id: (0, 1)}
    assert (got["first_time"], got["returning"]) == (4, 3)
    assert got["returning_share"] == pytest.approx(3 / 7)


def test_recent_engagement_over_the_last_two_sessions(course):
    got = compute("recent_engagement", query(course))
    # Last two held: S5 S6. Attendees A B C W; only A came to one of them.
    assert (got["participants"], got["active"], got["dropped_out"]) == (4, 1, 3)
    # Offered 2 each (all started before S5) = 8; attended 1.
    assert got["recent_rate"] == pytest.approx(1 / 8)


def test_recent_engagement_counts_only_the_filtered_young_people(course):
    # Boys who came in the range: B C W; none came to S5 or S6 (only A, a girl, did).
    got = compute("recent_engagement", query(course, gender="boy"))
    assert (got["participants"], got["active"], got["dropped_out"]) == (3, 0, 3)
    assert got["recent_rate"] == 0  # offered 2 each = 6, attended 0
    got = compute("recent_engagement", query(course, gender="girl"))
    assert (got["participants"], got["active"], got["dropped_out"]) == (1, 1, 0)
    assert got["recent_rate"] == pytest.approx(1 / 2)  # A: offered S5 S6, came to S5


def test_cohort_retention_curve(course):
    got = compute("cohort_retention", query(course))
    # Held sessions numbered S1=1 S2=2 S4=3 S5=4 S6=5. Spans: A 1..4, B 1..1, W 2..2, C 3..3.
    cohorts = {c["cohort"]: [(p["eligible"], p["retained"]) for p in c["curve"]] for c in got["cohorts"]}
    # Cohort 1 (A, B): k=1..3 both eligible, A retained; k=4 (session 5) A's last is 4: 0 of 2;
    # k=5 would be session 6: nobody eligible.
    assert cohorts[1] == [(2, 1), (2, 1), (2, 1), (2, 0), (0, 0)]
    # Cohort 2 (W): sessions 3, 4, 5 follow; W never came back.
    assert cohorts[2] == [(1, 0), (1, 0), (1, 0), (0, 0), (0, 0)]
    # Cohort 3 (C): sessions 4, 5 follow.
    assert cohorts[3] == [(1, 0), (1, 0), (0, 0), (0, 0), (0, 0)]
    overall = [(p["eligible"], p["retained"], p["share"]) for p in got["overall"]]
    assert overall[0] == (4, 1, 0.25)
    assert overall[4] == (0, 0, None)


def test_feedback_distribution_response_rate_and_paired_change(course, db):
    programme, p, s = course["programme"], course["people"], course["s"]

    def survey(kind, codes):
        sv = Survey(programme_id=programme.id, kind=kind, title=kind)
        sv.questions = [SurveyQuestion(position=i, code=c, text=c) for i, c in enumerate(codes)]
        db.session.add(sv)
        db.session.flush()
        return sv

    def answer(sv, who, value, session):
        r = FeedbackResponse(survey_id=sv.id, young_person_id=who.id if who else None, session_id=session.id,
                             submitted_at=session.ends_at)
        r.answers = [FeedbackAnswer(question_id=sv.questions[0].id, value=value)]
        db.session.add(r)

    start, end, after = survey("start", ["felt_safe"]), survey("end", ["felt_safe"]), survey("session", ["enjoyed"])
    answer(start, p["A"], 2, s[1])
    answer(start, p["B"], 3, s[1])
    answer(end, p["A"], 4, s[5])
    answer(end, p["C"], 3, s[5])
    answer(after, p["A"], 5, s[1])
    answer(after, None, 3, s[1])  # a phone handed round: no name
    db.session.flush()
    got = compute("feedback", query(course))
    by_kind = {x["kind"]: x for x in got["surveys"]}
    # After-session: 2 responses ÷ 7 attendances; values 3 and 5: mean 4.
    assert (by_kind["session"]["responses"], by_kind["session"]["eligible"]) == (2, 7)
    assert by_kind["session"]["questions"][0]["counts"] == [0, 0, 1, 0, 1]
    assert by_kind["session"]["questions"][0]["mean"] == pytest.approx(4.0)
    # Start: A and B of the 4 who attended.
    assert by_kind["start"]["response_rate"] == pytest.approx(0.5)
    # Change: only A answered both (2 -> 4). B (start only) and C (end only) are left out.
    [change] = got["change"]
    assert {k: v for k, v in change.items() if k != "stats"} == {
        "code": "felt_safe", "pairs": 1, "mean_start": 2.0, "mean_end": 4.0, "change": 2.0,
        "improved": 1, "same": 0, "worse": 0}
    # One pair is below the minimum: worked out, but not a finding.
    assert (change["stats"].pairs, change["stats"].enough) == (1, False)


def test_breakdown_by_age_band_gender_and_district(course, db):
    # Z, with no date of birth, gender or district recorded, came to S6 only.
    z = make_young_person("Z", dob=None, gender=None, postcode_district=None)
    db.session.add(Attendance(session_id=course["s"][6].id, young_person_id=z.id,
                              checked_in_at=course["s"][6].starts_at, method="manual"))
    db.session.flush()
    got = {d["key"]: [(g["key"], g["reach"], g["attendances"]) for g in d["groups"]]
           for d in compute("breakdown", query(course))}
    # On 10 Dec 2026 A is 14 (girl, M13, 4 attendances); B, C, W are 12 (boys, M14, 1 each); Z unknown, 1.
    assert got["age_band"] == [("11_13", 3, 3), ("14_16", 1, 4), ("unknown", 1, 1)]
    assert got["gender"] == [("girl", 1, 4), ("boy", 3, 3), ("unknown", 1, 1)]
    assert got["district"] == [("M13", 1, 4), ("M14", 3, 3), ("unknown", 1, 1)]
    labels = {g["key"]: g["label"] for d in compute("breakdown", query(course)) for g in d["groups"]}
    assert (labels["11_13"], labels["girl"], labels["unknown"]) == ("11–13", "Girl or young woman", "Not known")


def test_filters_by_gender_and_age_band(course):
    # A is the only girl, 14 on 10 Dec 2026.
    assert compute("reach", query(course, gender="girl")) == {"reach": 1, "attendances": 4}
    assert compute("reach", query(course, age_band="14_16")) == {"reach": 1, "attendances": 4}
    # B, C, W are 12; D never came.
    assert compute("reach", query(course, age_band="11_13")) == {"reach": 3, "attendances": 3}
    assert compute("reach", query(course, district="M14"))["reach"] == 3


def test_a_programme_with_no_session_held_yet(db):
    programme = make_programme(make_org(), registration_mode="enrol")
    make_session(programme, starts_at=AS_OF + timedelta(days=3))
    q = MetricQuery(scope=Scope(programme_id=programme.id), as_of=AS_OF)
    assert compute("reach", q) == {"reach": 0, "attendances": 0}
    assert compute("headcounts", q)["held"] == 0
    rate = compute("attendance_rate", q)
    assert (rate["participants"], rate["average_rate"], rate["retention"]) == (0, None, None)
    assert compute("show_up", q)["show_up_rate"] is None
    assert compute("dosage", q)["mean_hours"] is None
    assert compute("first_session_dropout", q)["rate"] is None
    assert compute("cohort_retention", q)["overall"][0] == {"k": 1, "eligible": 0, "retained": 0, "share": None}
    assert compute("feedback", q) == {"surveys": [], "change": []}


def test_organisation_scope_leaves_out_other_partners(course, db):
    other = make_programme(make_org(), registration_mode="drop_in")
    session = session_on(other, DAYS[0])
    db.session.add(Attendance(session_id=session.id, young_person_id=course["people"]["D"].id,
                              checked_in_at=session.starts_at, method="qr"))
    db.session.flush()
    mine = MetricQuery(scope=Scope(organisation_id=course["org"].id), as_of=AS_OF)
    everyone = MetricQuery(as_of=AS_OF)
    assert compute("reach", mine)["reach"] == 4
    assert compute("reach", everyone)["reach"] >= 5


def test_first_time_when_two_sessions_of_a_programme_start_together(db):
    # A drop-in running two groups at 18:00 on the first night, and one group a week later.
    programme = make_programme(make_org(), registration_mode="drop_in")
    hall, field = session_on(programme, DAYS[0]), session_on(programme, DAYS[0])
    later = session_on(programme, DAYS[1])
    x, y = make_young_person("X"), make_young_person("Y")
    for person, session in ((x, hall), (y, field), (x, later), (y, later)):
        db.session.add(Attendance(session_id=session.id, young_person_id=person.id,
                                  checked_in_at=session.starts_at, method="qr"))
    db.session.flush()
    got = compute("returning", MetricQuery(scope=Scope(programme_id=programme.id), as_of=AS_OF))
    per = {s["session_id"]: (s["first_time"], s["returning"]) for s in got["sessions"]}
    # X is new in the hall only, Y on the field only; both return a week later.
    assert per == {hall.id: (1, 0), field.id: (1, 0), later.id: (0, 2)}


def _rounded(value):
    """Floats to 9 places: the same sums may be added up in another order by another plan."""
    if isinstance(value, float):
        return round(value, 9)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return value


def _temporary_tables(db):
    if db.session.get_bind().dialect.name == "sqlite":
        sql = "SELECT name FROM temp.sqlite_master WHERE type = 'table'"
    else:
        sql = "SELECT relname FROM pg_class WHERE relnamespace = pg_my_temp_schema() AND relkind = 'r'"
    return [row[0] for row in db.session.execute(text(sql))]


@pytest.mark.parametrize("filters", ["none", "from S2", "boys"])
def test_metrics_together_equal_each_metric_alone_and_leave_no_table_behind(course, db, filters):
    # Together, metrics share the participants' figures through temporary tables; a
    # metric run on its own (as an export runs them) reads the same statements as CTEs.
    # From S2: the range starts after some starts, which still count from before it.
    filters = {"none": {}, "from S2": {"start": course["s"][2].starts_at}, "boys": {"gender": "boy"}}[filters]
    together = compute_all(query(course, **filters))
    assert _temporary_tables(db) == []
    alone = {key: REGISTRY[key].fn(query(course, **filters)) for key in REGISTRY}
    assert _temporary_tables(db) == []
    assert _rounded(together) == _rounded(alone)
    assert together["reach"]["reach"] > 0


def test_postcode_districts_sort_as_people_expect(course, db):
    # Written in on purpose out of order; the number part sorts as a number, SW1A after SW1.
    for i, district in enumerate(["M40", "M11", "SW1A", "M1", "M8", "SW2", "M4", "SW1", None]):
        person = make_young_person(f"P{i}", postcode_district=district)
        db.session.add(Attendance(session_id=course["s"][6].id, young_person_id=person.id,
                                  checked_in_at=course["s"][6].starts_at, method="manual"))
    db.session.flush()
    districts = next(d for d in compute("breakdown", query(course)) if d["key"] == "district")
    assert [g["key"] for g in districts["groups"]] == [
        "M1", "M4", "M8", "M11", "M13", "M14", "M40", "SW1", "SW1A", "SW2", "unknown"]
