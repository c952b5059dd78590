"""Two leads (or one double click) including the waiting list at the same moment: each young
person joins the comparison group once, and nobody sees an error page."""
import pytest
from sqlalchemy import func, select

from outreach.extensions import db
from outreach.models import ComparisonMember, Registration
from outreach.timeutil import utcnow
from tests.concurrency.helpers import post_all_at_once, session_cookie
from tests.factories import add_member, make_org, make_programme, make_user, make_young_person

pytestmark = pytest.mark.concurrency


def test_including_the_waiting_list_twice_at_once_adds_each_person_once(live_server):
    app = live_server.app
    with app.app_context():
        org = make_org()
        programme = make_programme(org, registration_mode="enrol")
        leads = [make_user(f"lead{n}@comparison.example.org") for n in range(2)]
        for lead in leads:
            add_member(org, lead, "lead")
        for n in range(12):
            yp = make_young_person(f"Waiting{n}")
            db.session.add(Registration(young_person_id=yp.id, programme_id=programme.id, status="waitlisted",
                                        waitlisted_at=utcnow()))
        db.session.commit()
        path = f"/org/{org.slug}/evaluation/programmes/{programme.id}/comparison/waiting-list"
        requests = [(path, {}, session_cookie(app, lead)) for lead in leads for _ in range(3)]
        programme_id = programme.id

    statuses = post_all_at_once(live_server.url, requests)

    assert all(s == 302 for s in statuses), statuses
    with app.app_context():
        counts = db.session.execute(select(ComparisonMember.young_person_id, func.count())
                                    .where(ComparisonMember.programme_id == programme_id)
                                    .group_by(ComparisonMember.young_person_id)).all()
        assert sorted(n for _, n in counts) == [1] * 12


def test_a_force_area_figure_saved_twice_at_once_is_one_row(live_server):
    app = live_server.app
    with app.app_context():
        org = make_org()
        programme = make_programme(org)
        lead = make_user("figure@comparison.example.org")
        add_member(org, lead, "lead")
        db.session.commit()
        path = f"/org/{org.slug}/evaluation/programmes/{programme.id}/benchmarks/csew_police_1"
        requests = [(path, {"area": "Greater Manchester Police", "percent": str(40 + n), "year": "Year ending "
                            "March 2025", "source": "ONS"}, session_cookie(app, lead)) for n in range(6)]
        programme_id = programme.id

    statuses = post_all_at_once(live_server.url, requests)

    assert all(s == 302 for s in statuses), statuses
    with app.app_context():
        from outreach.models import AreaBenchmark
        rows = db.session.execute(select(AreaBenchmark).where(AreaBenchmark.programme_id == programme_id)).scalars()
        assert [r.percent in range(40, 46) for r in rows] == [True]
