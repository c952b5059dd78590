"""Every organisation keeps a lead, however the leads' clicks race."""
import pytest
from sqlalchemy import func, select

from outreach.extensions import db
from outreach.models import Membership
from tests.concurrency.helpers import post_all_at_once, session_cookie
from tests.factories import add_member, make_org, make_user

pytestmark = pytest.mark.concurrency


def test_two_leads_removing_each_other_at_once_leave_one_lead(live_server):
    app = live_server.app
    with app.app_context():
        requests, org_ids = [], []
        for n in range(5):  # five organisations, each with two leads who remove each other at the same moment
            leads = [make_user(f"lead{n}a@pair.example.org"), make_user(f"lead{n}b@pair.example.org")]
            org = make_org(f"Pair Club {n}", slug=f"pair-{n}")
            first, second = add_member(org, leads[0], "lead"), add_member(org, leads[1], "lead")
            requests += [(f"/org/pair-{n}/members/{second.id}/remove", {"confirm": "y"}, session_cookie(app, leads[0])),
                         (f"/org/pair-{n}/members/{first.id}/remove", {"confirm": "y"}, session_cookie(app, leads[1]))]
            org_ids.append(org.id)
        db.session.commit()

    statuses = post_all_at_once(live_server.url, requests)

    # The loser is refused ("every organisation needs a lead") or, removed a moment ago, is no longer a member.
    assert all(s in (302, 403, 404) for s in statuses), statuses
    with app.app_context():
        leads_left = [db.session.scalar(select(func.count()).select_from(Membership).where(
            Membership.organisation_id == org_id, Membership.role == "lead")) for org_id in org_ids]
        assert leads_left == [1] * 5
