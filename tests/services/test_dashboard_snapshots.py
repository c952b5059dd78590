"""Kept dashboards (issue 17, point 8): what is kept is what a live computation gives, and
the worker works a view out again when, and only when, it is due."""
from datetime import date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from sqlalchemy import select

from outreach.metrics import Settings
from outreach.models import Attendance, DashboardSnapshot, FeedbackAnswer, FeedbackResponse, Registration, Survey, \
    SurveyQuestion
from outreach.services import dashboard_snapshots as snapshots, snapshot_json
from outreach.timeutil import UTC, utcnow
from outreach.web.evaluation.dashboard import build
from tests.course import AS_OF, DAYS, at, course  # noqa: F401  (course is a fixture)
from tests.factories import make_org, make_programme, make_young_person, session_on

OPTIONS = snapshots.Options()


def views_of(course):
    org, programme = course["org"], course["programme"]
    return [snapshots.View(level, i, period) for level, i in (("programme", programme.id),
                                                              ("organisation", org.id), ("platform", None))
            for period in ("all", "term")]


def live(view, now):
    tz = snapshots.timezone_of(view, OPTIONS)
    return build(snapshots.query_for(view, now, tz, OPTIONS), tz=tz, programme_titles=snapshots.titles_of(view))


def add_surveys(db, course):
    """Start and end answers for A, B and D on the course, so the change sections have figures."""
    programme, people = course["programme"], course["people"]
    for kind, values in (("start", {"A": 2, "B": 3, "D": 4}), ("end", {"A": 4, "B": 3, "D": 5})):
        survey = Survey(programme_id=programme.id, kind=kind, title=kind)
        db.session.add(survey)
        db.session.flush()
        question = SurveyQuestion(survey_id=survey.id, position=1, code="felt_safe", text="I felt safe")
        # An instrument's item too: the dashboard then holds the instrument itself (with its
        # scoring function), which is kept by its name in the registry.
        item = SurveyQuestion(survey_id=survey.id, position=2, code="swemwbs_1", instrument="swemwbs",
                              item_number=1, text="I've been feeling optimistic about the future")
        db.session.add_all([question, item])
        db.session.flush()
        for key, value in values.items():
            response = FeedbackResponse(survey_id=survey.id, young_person_id=people[key].id,
                                        submitted_at=at(DAYS[0 if kind == "start" else 5], 20))
            db.session.add(response)
            db.session.flush()
            db.session.add(FeedbackAnswer(response_id=response.id, question_id=question.id, value=value))
            db.session.add(FeedbackAnswer(response_id=response.id, question_id=item.id, value=value))
    db.session.commit()


def test_a_kept_view_is_the_live_computation_on_the_course(db, course):
    add_surveys(db, course)
    for view in views_of(course):
        worked = snapshots.work_out(view, build, OPTIONS, now=AS_OF)
        opened = snapshots.open_view(view, build, OPTIONS, now=AS_OF + timedelta(minutes=1))
        assert opened.stored and opened.as_of == AS_OF
        expected = live(view, AS_OF)
        assert opened.data == expected == worked.data, view.key
        assert snapshot_json.encode(opened.data) == snapshot_json.encode(expected)
        # The figures are really there, not an empty page: the course's reach of 4.
        assert opened.data["metrics"]["reach"]["reach"] == 4
        assert opened.data["surveys"]["change"], view.key
        assert any(t["scale"][2] is not None for sv in opened.data["surveys"]["surveys"] for t in sv["tables"])


@st.composite
def outreach_data(draw):
    """A small random platform: two partners, up to four programmes, random sessions,
    bookings, attendances (some checked out) and cancellations."""
    programmes = draw(st.lists(st.tuples(st.integers(0, 1), st.integers(1, 5), st.sampled_from(["sport", "arts"])),
                               min_size=1, max_size=4))
    people = draw(st.lists(st.tuples(st.integers(2006, 2016), st.sampled_from(["girl", "boy", None]),
                                     st.sampled_from(["M13", "M14", None])), min_size=1, max_size=8))
    attended = draw(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 4), st.integers(0, 7), st.booleans()),
                             max_size=30))
    booked = draw(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 7),
                                     st.sampled_from(["confirmed", "waitlisted", "cancelled"])), max_size=15))
    cancelled = draw(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 4)), max_size=3))
    return programmes, people, attended, booked, cancelled


def wipe(db):
    """Every row from the example before (the test's own rollback comes only at its end)."""
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(data=outreach_data())
def test_a_kept_view_is_the_live_computation_on_random_data(db, data):
    programmes, people, attended, booked, cancelled = data
    wipe(db)
    if True:
        orgs = [make_org(f"Partner {i}") for i in range(2)]
        progs, sessions = [], []
        for org_i, n, category in programmes:
            p = make_programme(orgs[org_i], category=category)
            progs.append(p)
            sessions.append([session_on(p, DAYS[k]) for k in range(n)])
        for p_i, s_i in cancelled:
            if p_i < len(progs) and s_i < len(sessions[p_i]):
                sessions[p_i][s_i].status = "cancelled"
        yps = [make_young_person(f"P{i}", dob=date(y, 3, 1), gender=g, postcode_district=d)
               for i, (y, g, d) in enumerate(people)]
        seen = set()
        for p_i, s_i, y_i, out in attended:
            if p_i >= len(progs) or s_i >= len(sessions[p_i]) or y_i >= len(yps) or (p_i, s_i, y_i) in seen:
                continue
            seen.add((p_i, s_i, y_i))
            day = DAYS[s_i]
            db.session.add(Attendance(session_id=sessions[p_i][s_i].id, young_person_id=yps[y_i].id,
                                      checked_in_at=at(day, 18, 5), method="qr",
                                      checked_out_at=at(day, 19, 40) if out else None))
        once = set()
        for p_i, y_i, status in booked:
            if p_i >= len(progs) or y_i >= len(yps) or (p_i, y_i) in once:
                continue
            once.add((p_i, y_i))
            when = at(DAYS[0], 9) - timedelta(days=3)
            db.session.add(Registration(young_person_id=yps[y_i].id, programme_id=progs[p_i].id, status=status,
                                        created_at=when, confirmed_at=when if status == "confirmed" else None,
                                        cancelled_at=when if status == "cancelled" else None))
        db.session.flush()
        views = [snapshots.View("platform", None, "all"), snapshots.View("platform", None, "term")]
        views += [snapshots.View("organisation", o.id, "all") for o in orgs]
        views += [snapshots.View("programme", p.id, "all") for p in progs]
        for view in views:
            snapshots.work_out(view, build, OPTIONS, now=AS_OF)
            opened = snapshots.open_view(view, build, OPTIONS, now=AS_OF)
            assert opened.stored
            assert opened.data == live(view, AS_OF), view.key


# ------------------------------------------------------------------ the JSON

def test_the_json_gives_back_every_kind_of_value_a_dashboard_holds():
    from outreach.metrics.base import Scope
    from outreach.web.evaluation.charts import Chart

    value = {"tuple": (1, "a", None), 3: "int key", "~tilde": 1, "nan": float("nan") != 0, "inf": float("inf"),
             "when": datetime(2026, 12, 1, 18, 42, tzinfo=UTC), "day": date(2026, 12, 1), "td": timedelta(hours=2),
             "chart": Chart("t", "d", 10, "hbar", [{"x": 1.5}]), "scope": Scope(programme_id=4),
             "nested": [[("a", 1)], {"k": (2.5,)}]}
    back = snapshot_json.loads(snapshot_json.dumps(value))
    assert back == value
    assert isinstance(back["tuple"], tuple) and isinstance(back["chart"], Chart) and 3 in back


def test_the_json_refuses_what_it_cannot_give_back_and_classes_from_elsewhere():
    with pytest.raises(TypeError):
        snapshot_json.dumps({"x": object()})
    with pytest.raises(ValueError):
        snapshot_json.loads('{"~dc": "subprocess:Popen", "v": {"args": ["true"]}}')


# ------------------------------------------------------------------ when a view is due

def stored(key):
    from outreach.extensions import db

    return db.session.execute(select(DashboardSnapshot).where(DashboardSnapshot.view_key == key)).scalar_one_or_none()


def test_every_default_view_is_worked_out_by_the_worker_first_time(db, course):
    other = make_programme(make_org("Elsewhere"))
    db.session.commit()
    done = snapshots.refresh_due(build, OPTIONS, now=lambda: AS_OF)
    keys = {f"programme:{course['programme'].id}:all", f"programme:{other.id}:term",
            f"organisation:{course['org'].id}:all", "platform:all", "platform:term"}
    assert keys <= set(done)
    assert snapshots.due(build, OPTIONS, now=AS_OF) == []


def test_a_check_in_marks_its_programme_its_organisation_and_the_platform_and_nothing_else(db, course):
    # Changes are marked at the real time of their commit.
    AS_OF = utcnow()
    other = make_programme(make_org("Elsewhere"))
    db.session.commit()
    snapshots.refresh_due(build, OPTIONS, now=lambda: AS_OF)
    later = AS_OF + timedelta(minutes=10)
    before = stored(f"programme:{course['programme'].id}:all").figures
    attended = snapshot_json.loads(before)["metrics"]["reach"]["attendances"]
    db.session.add(Attendance(session_id=course["s"][4].id, young_person_id=course["people"]["B"].id,
                              checked_in_at=at(DAYS[3], 18), method="manual"))
    db.session.commit()
    due = {v.key for v in snapshots.due(build, OPTIONS, now=later)}
    p, o = course["programme"].id, course["org"].id
    assert due == {f"programme:{p}:all", f"programme:{p}:term", f"organisation:{o}:all", f"organisation:{o}:term",
                   "platform:all", "platform:term"}
    assert not any(str(other.id) in key and "programme" in key for key in due)
    # The kept page still shows the old figures, saying there is news.
    opened = snapshots.open_view(snapshots.View("programme", p, "all"), build, OPTIONS, now=later)
    assert opened.stored and opened.changed_since and opened.data["metrics"]["reach"]["attendances"] == attended
    snapshots.refresh_due(build, OPTIONS, now=lambda: later)
    opened = snapshots.open_view(snapshots.View("programme", p, "all"), build, OPTIONS, now=later)
    assert opened.data["metrics"]["reach"]["attendances"] == attended + 1 and not opened.changed_since


def test_a_rolled_back_change_marks_nothing(db, course):
    # Changes are marked at the real time of their commit.
    AS_OF = utcnow()
    snapshots.refresh_due(build, OPTIONS, now=lambda: AS_OF)
    with db.session.begin_nested() as nested:
        db.session.add(Attendance(session_id=course["s"][5].id, young_person_id=course["people"]["B"].id,
                                  checked_in_at=at(DAYS[4], 18), method="manual"))
        db.session.flush()
        nested.rollback()
    assert snapshots.due(build, OPTIONS, now=AS_OF + timedelta(hours=1)) == []


def test_changes_are_worked_out_at_most_once_every_few_minutes(db, course):
    # Changes are marked at the real time of their commit.
    AS_OF = utcnow()
    p = course["programme"].id
    snapshots.refresh_due(build, OPTIONS, now=lambda: AS_OF)
    db.session.add(Attendance(session_id=course["s"][5].id, young_person_id=course["people"]["B"].id,
                              checked_in_at=at(DAYS[4], 18), method="manual"))
    db.session.commit()
    assert snapshots.due(build, OPTIONS, now=AS_OF + timedelta(minutes=2)) == []  # within the 3 minutes
    assert f"programme:{p}:all" in {v.key for v in snapshots.due(build, OPTIONS, now=AS_OF + timedelta(minutes=4))}


def test_work_out_now_skips_the_wait_and_asking_twice_queues_nothing_more(db, course):
    view = snapshots.View("programme", course["programme"].id, "all")
    snapshots.refresh_due(build, OPTIONS, now=lambda: AS_OF)
    assert snapshots.ask_for(view, now=AS_OF + timedelta(seconds=5))
    assert not snapshots.ask_for(view, now=AS_OF + timedelta(seconds=6))
    assert [v.key for v in snapshots.due(build, OPTIONS, now=AS_OF + timedelta(seconds=7))] == [view.key]
    snapshots.refresh_due(build, OPTIONS, now=lambda: AS_OF + timedelta(seconds=8))
    assert stored(view.key).requested_at is None and stored(view.key).as_of == AS_OF + timedelta(seconds=8)


def test_a_session_that_ends_makes_its_views_due_with_no_other_change(db, course):
    snapshots.refresh_due(build, OPTIONS, now=lambda: AS_OF)
    later = session_on(course["programme"], date(2026, 12, 16))  # after AS_OF: not held yet
    db.session.commit()
    snapshots.refresh_due(build, OPTIONS, now=lambda: AS_OF + timedelta(minutes=5))
    after = later.ends_at + timedelta(minutes=5)
    assert f"programme:{course['programme'].id}:all" in {v.key for v in snapshots.due(build, OPTIONS, now=after)}


def test_figures_from_other_settings_or_another_term_are_not_shown(db, course):
    view = snapshots.View("programme", course["programme"].id, "term")
    snapshots.work_out(view, build, OPTIONS, now=AS_OF)
    assert snapshots.open_view(view, build, OPTIONS, now=AS_OF).stored
    stricter = snapshots.Options(settings=Settings(suppression_threshold=10))
    assert not snapshots.open_view(view, build, stricter, now=AS_OF).stored
    snapshots.work_out(view, build, OPTIONS, now=AS_OF)
    next_term = datetime(2027, 1, 5, 12, tzinfo=UTC)
    fresh = snapshots.open_view(view, build, OPTIONS, now=next_term)
    assert not fresh.stored and fresh.first_day == date(2027, 1, 1)


def test_a_young_persons_details_changing_marks_every_view(db, course):
    # Changes are marked at the real time of their commit.
    AS_OF = utcnow()
    snapshots.refresh_due(build, OPTIONS, now=lambda: AS_OF)
    course["people"]["A"].postcode_district = "M20"
    db.session.commit()
    due = snapshots.due(build, OPTIONS, now=AS_OF + timedelta(hours=1))
    assert {v.key for v in due} == {v.key for v in snapshots.default_views()}


def test_terms():
    assert snapshots.term_of(date(2026, 12, 1)) == (date(2026, 9, 1), date(2026, 12, 31))
    assert snapshots.term_of(date(2027, 1, 1)) == (date(2027, 1, 1), date(2027, 3, 31))
    assert snapshots.term_of(date(2027, 8, 31)) == (date(2027, 4, 1), date(2027, 8, 31))
    assert snapshots.parse_term_starts("09-01, 01-05,04-20") == ((1, 5), (4, 20), (9, 1))
    assert snapshots.parse_term_starts("13-01") is None and snapshots.parse_term_starts("nonsense") is None



def test_staff_hours_a_term_cost_and_a_referral_mark_their_programme_and_equality_answers_mark_everything(db, course):
    # The delivery, referrals and equality sections read these tables: a change to one must make
    # the kept figures due again, or "Delivery and cost" would stay stale after hours are entered.
    from outreach.services import delivery, equality, referrals
    from tests.factories import add_member, make_user, make_young_person

    lead = make_user("kept.lead@example.org")
    add_member(course["org"], lead, "lead")
    guardian = make_user("kept.guardian@example.org")
    child = make_young_person("Noor", "Aziz", dob=date(2012, 5, 5), guardian=guardian)
    db.session.commit()
    p, o = course["programme"].id, course["org"].id
    mine = {f"programme:{p}:all", f"programme:{p}:term", f"organisation:{o}:all", f"organisation:{o}:term",
            "platform:all", "platform:term"}
    snapshots.refresh_due(build, OPTIONS, now=utcnow)
    changes = [
        lambda: delivery.record_staff_time(course["s"][1], name="Sam Staff", role="staff", minutes=90, by=lead),
        lambda: delivery.add_programme_cost(course["programme"], delivery.TermCost(
            term="Autumn", first_day=date(2026, 9, 1), last_day=date(2026, 12, 20), amount_pence=50000), by=lead),
        lambda: referrals.record_referral(course["org"], lead, course["people"]["A"], referrals.ReferralDetails(
            "in", course["s"][1].starts_at.date(), p, source="school")),
    ]
    for change in changes:
        change()
        # Due once the debounce has passed; worked out at the real time, as the worker does.
        assert {v.key for v in snapshots.due(build, OPTIONS, now=utcnow() + timedelta(minutes=10))} == mine
        snapshots.refresh_due(build, OPTIONS, now=utcnow)
    equality.save_answers(guardian, child, ethnic_group="white_irish", disability=None, special_needs=None)
    assert mine <= {v.key for v in snapshots.due(build, OPTIONS, now=utcnow() + timedelta(minutes=10))}
