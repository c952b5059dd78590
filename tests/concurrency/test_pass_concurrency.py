"""One live pass per young person, however often "replace" is tapped at once."""
from datetime import date

import pytest
from sqlalchemy import func, select

from outreach.extensions import db
from outreach.models import Pass
from outreach.services import passes
from tests.concurrency.helpers import post_all_at_once, session_cookie
from tests.factories import make_user, make_young_person

pytestmark = pytest.mark.concurrency


def test_replace_tapped_four_times_at_once_leaves_one_live_pass(live_server):
    app = live_server.app
    with app.app_context():
        children = []
        for n in range(5):
            guardian = make_user(f"tapper{n}@example.org")
            child = make_young_person(f"Tap{n}", dob=date(2013, 1, 1), guardian=guardian)
            passes.ensure_pass(child, commit=False)
            children.append((guardian, child))
        db.session.commit()
        requests = [(f"/family/children/{child.id}/pass/replace", {"confirm": "y"}, session_cookie(app, guardian))
                    for guardian, child in children for _ in range(4)]
        ids = [child.id for _, child in children]

    statuses = post_all_at_once(live_server.url, requests)

    assert statuses == [302] * 20, statuses
    with app.app_context():
        live = [db.session.scalar(select(func.count()).select_from(Pass).where(
            Pass.young_person_id == i, Pass.revoked_at.is_(None))) for i in ids]
        assert live == [1] * 5
