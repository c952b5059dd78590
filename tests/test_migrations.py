"""The Alembic migrations build exactly the schema the models describe.

Runs on the suite's backend (SQLite, or PostgreSQL with TEST_DATABASE_URL), on
a fresh empty database, so a model change without a migration fails here.
"""
import importlib.util

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError

from outreach import create_app
from outreach.extensions import db
from tests.conftest import ROOT


def _compare_options():
    # The very options env.py uses, so the test and `make migration` agree.
    spec = importlib.util.spec_from_file_location("outreach_migration_options_test",
                                                  ROOT / "migrations" / "options.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.CONFIGURE_OPTIONS


@pytest.fixture()
def migrated_app(databases, tmp_path):
    app = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": databases.new("migrations", empty=True),
        "SECRET_KEY": "test-secret-key",
        "MAIL_OUTBOX_DIR": str(tmp_path / "outbox"),
    })
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def _drift():
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts=_compare_options())
        return compare_metadata(context, db.metadata)


def _tables():
    with db.engine.connect() as conn:
        return set(inspect(conn).get_table_names())


def test_upgrade_builds_the_models_schema(migrated_app):
    flask_migrate.upgrade()

    assert _drift() == []
    assert set(db.metadata.tables) <= _tables()


def test_partial_unique_indexes_survive_the_migration(migrated_app):
    """The live-pass and live-registration rules are partial indexes; a migration
    that lost the WHERE would make a cancelled booking block a new one."""
    flask_migrate.upgrade()

    with db.engine.connect() as conn:
        indexes = {ix["name"]: ix for ix in inspect(conn).get_indexes("passes")}
    live = indexes["uq_passes_live"]
    assert live["unique"]
    where = live.get("dialect_options", {})
    assert any("revoked_at IS NULL" in str(v) for k, v in where.items() if k.endswith("_where"))


def test_downgrade_to_base_and_upgrade_again(migrated_app):
    flask_migrate.upgrade()
    flask_migrate.downgrade(revision="base")

    assert _tables() <= {"alembic_version"}

    flask_migrate.upgrade()
    assert _drift() == []


def test_drift_check_notices_a_missing_index(migrated_app):
    """The comparison itself can fail: a schema one index short is reported."""
    flask_migrate.upgrade()
    with db.engine.begin() as conn:
        conn.exec_driver_sql("DROP INDEX ix_sessions_start")

    assert [d[0] for d in _drift()] == ["add_index"]


def test_question_scales_migration_keeps_every_answer(migrated_app):
    """Questions asked before each question had its own scale get 1–5 and keep their
    answers; afterwards an answer off the widest scale (0–10) is still refused by the
    database, and one on it is accepted."""
    flask_migrate.upgrade(revision="944ec961627d")
    with db.engine.begin() as conn:
        sql = conn.exec_driver_sql
        sql("INSERT INTO organisations (id, name, slug, kind, description, contact_email, timezone, status, "
            "applied_at) VALUES (1, 'O', 'o', 'charity', '', 'o@example.org', 'Europe/London', 'approved', "
            "'2026-01-01')")
        sql("INSERT INTO programmes (id, organisation_id, title, description, category, venue_name, venue_address, "
            "postcode_district, min_age, max_age, capacity, registration_mode, is_published, created_at, "
            "updated_at) VALUES (1, 1, 'P', '', 'sport', 'V', 'A', 'M1', 10, 16, 10, 'enrol', false, '2026-01-01', "
            "'2026-01-01')")
        sql("INSERT INTO surveys (id, programme_id, kind, title, created_at) VALUES (1, 1, 'start', 'S', '2026-01-01')")
        sql("INSERT INTO survey_questions (id, survey_id, position, code, text) "
            "VALUES (1, 1, 1, 'felt_safe', 'I feel safe'), (2, 1, 2, NULL, 'Own')")
        sql("INSERT INTO feedback_responses (id, survey_id, submitted_at) VALUES (1, 1, '2026-01-02'), "
            "(2, 1, '2026-01-02')")
        sql("INSERT INTO feedback_answers (id, response_id, question_id, value) VALUES (1, 1, 1, 1), (2, 1, 2, 5), "
            "(3, 2, 1, 3)")

    flask_migrate.upgrade()

    with db.engine.begin() as conn:
        sql = conn.exec_driver_sql
        assert sql("SELECT id, min_value, max_value, instrument, item_number FROM survey_questions ORDER BY id"
                   ).all() == [(1, 1, 5, None, None), (2, 1, 5, None, None)]
        assert sql("SELECT id, response_id, question_id, value FROM feedback_answers ORDER BY id").all() == [
            (1, 1, 1, 1), (2, 1, 2, 5), (3, 2, 1, 3)]
        sql("INSERT INTO feedback_answers (id, response_id, question_id, value) VALUES (4, 2, 2, 0)")
    with pytest.raises(IntegrityError), db.engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO feedback_answers (id, response_id, question_id, value) VALUES (5, 2, 2, 11)")
    with pytest.raises(IntegrityError), db.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE survey_questions SET min_value = 5 WHERE id = 1")


def test_a_self_sign_ups_own_phone_stops_being_their_emergency_contact(migrated_app):
    """Old sign-ups copied the young person's own phone into the emergency contact, with no name."""
    flask_migrate.upgrade(revision="944ec961627d")
    with db.engine.begin() as conn:
        for n, phone in ((1, "07700 900001"), (2, "07700 900002")):
            conn.exec_driver_sql(
                "INSERT INTO users (id, email, full_name, phone, password_hash, is_platform_admin, "
                "is_active_account, email_confirmed, created_at, session_version) "
                f"VALUES ({n}, 'u{n}@example.org', 'U {n}', '{phone}', 'x', false, true, true, "
                "'2026-11-01 10:00:00', 1)")
        conn.exec_driver_sql(
            "INSERT INTO young_people (id, first_name, user_id, emergency_contact_phone, photo_consent, "
            "may_go_home_alone, created_at) VALUES (1, 'Own', 1, '07700 900001', false, false, '2026-11-01 10:00:00')")
        conn.exec_driver_sql(
            "INSERT INTO young_people (id, first_name, user_id, emergency_contact_name, emergency_contact_phone, "
            "photo_consent, may_go_home_alone, created_at) "
            "VALUES (2, 'Named', 2, 'Mum', '07700 900002', false, false, '2026-11-01 10:00:00')")
    flask_migrate.upgrade()
    with db.engine.connect() as conn:
        phones = dict(conn.exec_driver_sql("SELECT id, emergency_contact_phone FROM young_people").all())
    assert phones == {1: None, 2: "07700 900002"}
