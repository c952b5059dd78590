"""`flask backup` and `flask restore`: every row comes back exactly, on SQLite and on PostgreSQL,
and the SQLite backup is taken while other connections go on writing."""
import re
import sqlite3
import stat
import threading
import time
from contextlib import closing
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert, make_url, select

from outreach.extensions import db as _db
from outreach.models import Attendance, AuditEvent, AuthorisedCollector, Registration, ReminderSent, User
from outreach.services import (audit, benchmarks, checkin, comparison, consent, delivery, equality, health,
                               incidents, one_time, organisations, passes, registration, safeguarding, surveys)
from outreach.services import calendar_feed, dashboard_snapshots, mobile, programmes
from outreach.models import FollowUp, FollowUpContact
from outreach.timeutil import UTC
from tests import factories
from tests.conftest import make_test_app

NOW = datetime.now(UTC).replace(microsecond=0)
STORED_NOW = NOW.strftime("%Y-%m-%d %H:%M:%S.%f")  # as SQLAlchemy writes a UTC timestamp to SQLite


@pytest.fixture()
def fresh_app(databases, tmp_path):
    """An app on a fresh database of its own: the commits, the wipe and the restore are all real."""
    app = make_test_app(databases.new("backup"), tmp_path)
    # `flask backup` with no path writes under the instance folder: keep it out of the real one.
    app.instance_path = str(tmp_path / "instance")
    with app.app_context():
        yield app
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture()
def cli(fresh_app):
    return fresh_app.test_cli_runner()


def fill(app):
    """A small but complete term: at least one row in every table, written through the services."""
    lead = factories.make_user("lead@partner.example.org", "Lee Lead")
    worker = factories.make_user("worker@partner.example.org", "Wyn Worker")
    guardian = factories.make_user("guardian@example.org", "Gail Guardian", phone="07700 900456")
    factories.make_user("admin@outreach.example", admin=True)
    org = factories.make_org("Northside Youth", lead=lead, worker=worker, timezone="Europe/London",
                             safeguarding_lead=True)
    weekly = factories.make_programme(org, "Friday Football", registration_mode="per_session", capacity=2)
    club = factories.make_programme(org, "Art Club", registration_mode="enrol", category="arts", capacity=1)
    # Friday Football in Urdu too, with directions to the door in both languages.
    programmes.update(weekly, programmes.ProgrammeDetails(
        title=weekly.title, description=weekly.description, category=weekly.category, venue_name=weekly.venue_name,
        venue_address=weekly.venue_address, postcode_district=weekly.postcode_district, min_age=weekly.min_age,
        max_age=weekly.max_age, capacity=weekly.capacity, registration_mode=weekly.registration_mode,
        venue_directions="Side door, by the car park",
        texts={"ur": programmes.LanguageText(title="جمعہ فٹ بال", venue_directions="کار پارک کے پاس والا دروازہ")}),
        by=lead, now=NOW)
    held = [factories.make_session(weekly, NOW - timedelta(days=7 * k), hours=2) for k in (3, 2, 1)]
    coming = factories.make_session(weekly, NOW + timedelta(days=6), hours=2)
    factories.make_session(club, NOW + timedelta(days=8), hours=1, status="cancelled")
    factories.make_session(club, NOW + timedelta(days=15), hours=1)
    children = [factories.make_young_person(name, "Okafor", dob=date(2012, 3, i + 1), guardian=guardian,
                                            gender=gender, postcode_district="M13", medical_notes=notes)
                for i, (name, gender, notes) in enumerate([("Ada", "girl", "Asthma: inhaler in bag"),
                                                            ("Ben", "boy", None), ("Cleo", "non_binary", None)])]
    for child in children:
        consent.record_consent(child, given_by=guardian, now=NOW - timedelta(days=30))
    _db.session.add(AuthorisedCollector(young_person_id=children[0].id, name="Nan Okafor",
                                        relationship_label="Grandparent", phone="07700 900789"))
    _db.session.commit()
    for child in children:
        passes.ensure_pass(child, now=NOW - timedelta(days=30))
    passes.reissue_pass(children[1], by=worker, reason="Lost at the park", now=NOW - timedelta(days=10))

    for child in children:
        for session in held:
            _db.session.add(Registration(young_person_id=child.id, session_id=session.id, status="confirmed",
                                         created_at=session.starts_at - timedelta(days=2),
                                         confirmed_at=session.starts_at - timedelta(days=2)))
    _db.session.commit()
    for child in children:  # the third finds the session full and waits
        registration.book_place(child, weekly, coming, booked_by=guardian, now=NOW)
    registration.book_place(children[0], club, booked_by=guardian, now=NOW)
    registration.book_place(children[1], club, source="staff", booked_by=lead, now=NOW)

    for k, session in enumerate(held):
        for child in children[: 3 - k]:
            checkin.check_in_by_name(child, session, by=worker, method="qr",
                                     client_ref=f"phone-1-{session.id}-{child.id}",
                                     now=session.starts_at + timedelta(minutes=5))
    first = _db.session.execute(select(Attendance).order_by(Attendance.id)).scalars().first()
    checkin.check_out(first, by=worker, collected_by="Nan Okafor", now=held[0].ends_at)
    _db.session.add(ReminderSent(session_id=coming.id, young_person_id=children[0].id, sent_at=NOW))

    survey = surveys.ensure_survey(weekly, "start", now=NOW - timedelta(days=21))
    surveys.add_question(survey, "I know where to go if I need help")
    surveys.submit(survey, {q.id: 4 for q in survey.questions}, young_person_id=children[0].id, now=NOW)
    organisations.invite(org, "new.worker@partner.example.org", "worker", by=lead,
                         base_url=app.config["BASE_URL"], max_age_days=14, now=NOW)
    audit.record("young_person.exported", actor=guardian, organisation=org, subject=children[0], now=NOW,
                 format="json", note="Sent to the family's email — “quoted”")
    # Art Club compares its young people with Friday Football's who have not been to it yet.
    comparison.add_not_yet_served(club, weekly, by=lead, now=NOW)
    benchmarks.set_area_figure(weekly, "csew_police_1", benchmarks.AreaFigure(
        area="Greater Manchester Police", percent=47.3, year="year ending March 2025", source="ONS CSEW"),
        by=lead, now=NOW)
    concern = safeguarding.raise_concern(org, worker, safeguarding.ConcernDetails(
        what_happened="Said she was scared to go home", occurred_at=held[0].starts_at,
        young_person_id=children[0].id, location="Hall"), session=held[0], now=NOW)
    safeguarding.change_status(concern, lead, safeguarding.StatusChange(to="under_review"), now=NOW)
    incidents.record_incident(org, held[1], worker, incidents.IncidentDetails(
        occurred_at=held[1].starts_at, what_happened="Fell on the court", first_aid="Ice pack",
        young_person_ids=[children[1].id], injured_ids=[children[1].id], staff_user_ids=[worker.id]), now=NOW)
    delivery.record_staff_time(held[0], name="Wyn Worker", role="staff", minutes=150, by=worker, now=NOW)
    delivery.add_programme_cost(weekly, delivery.TermCost(term="Autumn", first_day=(NOW - timedelta(days=60)).date(),
                                                          last_day=(NOW + timedelta(days=30)).date(),
                                                          amount_pence=91000), by=lead, now=NOW)
    equality.save_answers(guardian, children[0], ethnic_group="white_irish", disability="no", special_needs="yes",
                          now=NOW)
    calendar_feed.make_feed(guardian, now=NOW)  # the family's calendar link (only its hash is stored)
    # The timeline (issue 18 point 3): a note of each kind, a milestone, a referral in and out.
    from outreach.services import contact_notes, milestones, referrals
    contact_notes.add_note(org, worker, children[0], contact_notes.NoteDetails(
        "Asked about the art club", NOW.date(), programme_id=weekly.id), now=NOW)
    contact_notes.add_note(org, worker, children[0], contact_notes.NoteDetails(
        "Mum in hospital this week", NOW.date(), contact="phone", restricted=True), now=NOW)
    award = milestones.add_kind(org, lead, "Gained an award", now=NOW)
    milestones.record_milestone(org, worker, children[1], milestones.MilestoneDetails(
        award.id, NOW.date(), weekly.id, "Player of the month"), now=NOW)
    referrals.record_referral(org, worker, children[2], referrals.ReferralDetails(
        "in", NOW.date(), weekly.id, source="school"), now=NOW)
    signposted = referrals.record_referral(org, worker, children[2], referrals.ReferralDetails(
        "out", NOW.date(), weekly.id, signposted_to="Longsight Boxing"), now=NOW)
    referrals.record_outcome(org, worker, signposted, "engaged", "Goes on Tuesdays", now=NOW)
    # A follow-up with a contact attempt (tables follow_ups, follow_up_contacts): written directly,
    # since the term is too short for anyone to be on the follow-up list.
    spell = FollowUp(programme_id=weekly.id, young_person_id=children[2].id, last_seen_session_id=held[0].id,
                     created_at=NOW)
    _db.session.add(spell)
    _db.session.flush()
    _db.session.add(FollowUpContact(follow_up_id=spell.id, made_at=NOW, made_by_id=worker.id, recorded_at=NOW,
                                    method="phone", outcome="left_message", note="Left a message with dad"))
    mobile.start(guardian, "07700 900456", secret_key="backup-test", age_of_consent=13, now=NOW)  # a code waits
    dashboard_snapshots.ask_for(dashboard_snapshots.View("programme", weekly.id, "all"), now=NOW)  # a kept view's row
    made = one_time.claim(lead, "book_on_behalf", "t" * 22, now=NOW)  # a staff form's one-time token
    one_time.made(made, children[1])
    _db.session.commit()
    health.check(min_free_mb=0, now=NOW)  # the one row /healthz rewrites


def all_rows() -> dict[str, list[tuple]]:
    """Every row of every table of the models, in primary-key order."""
    _db.session.remove()
    with _db.engine.connect() as conn:
        return {table.name: [tuple(row) for row in conn.execute(
                    select(table).order_by(*table.primary_key.columns))]
                for table in _db.metadata.sorted_tables}


def drop_every_table():
    _db.session.remove()
    _db.drop_all()


def change_every_table():
    """Later work the restore must undo: every row gone, then a few new ones."""
    _db.session.remove()
    with _db.engine.begin() as conn:
        for table in reversed(_db.metadata.sorted_tables):
            conn.execute(table.delete())
    factories.make_user("after.the.backup@example.org")
    factories.make_org("Joined after the backup")
    _db.session.commit()


@pytest.mark.parametrize("wipe", [drop_every_table, change_every_table], ids=["tables-dropped", "rows-changed"])
def test_restore_brings_back_every_row_of_every_table(fresh_app, cli, databases, wipe):
    fill(fresh_app)
    before = all_rows()
    assert all(before.values()), [name for name, rows in before.items() if not rows]

    made = cli.invoke(args=["backup"])
    assert made.exit_code == 0, made.output
    suffix = ".sqlite3" if databases.backend == "sqlite" else ".dump"
    written = list((Path(fresh_app.instance_path) / "backups").iterdir())
    assert len(written) == 1 and re.fullmatch(r"outreach-\d{8}T\d{6}Z" + re.escape(suffix), written[0].name)
    backup = written[0]
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600  # it holds children's personal data
    assert str(backup) in made.output
    assert f"{len(before)} tables" in made.output
    assert f"attendances {len(before['attendances'])}," in made.output

    wipe()

    restored = cli.invoke(args=["restore", str(backup), "--yes"])
    assert restored.exit_code == 0, restored.output
    assert restored.output.startswith("Restored the ")
    assert "Not in the backup" not in restored.output

    assert all_rows() == before
    # Sequences and rowids came back too: the app goes on adding rows without clashing.
    factories.make_user("first.after.restore@example.org")
    _db.session.commit()
    newest = _db.session.execute(select(User.id).order_by(User.id.desc())).scalars().first()
    assert newest > max(row[0] for row in before["users"])


def test_restore_refuses_without_yes_and_says_what_it_would_overwrite(fresh_app, cli, tmp_path):
    fill(fresh_app)
    target = tmp_path / "before-the-refusal.bak"
    assert cli.invoke(args=["backup", str(target)]).exit_code == 0
    factories.make_user("still.here@example.org")
    _db.session.commit()
    before = all_rows()

    refused = cli.invoke(args=["restore", str(target)])

    assert refused.exit_code != 0
    assert "This replaces every table in the" in refused.output
    assert f"now {len(before)} tables, {sum(len(rows) for rows in before.values()):,} rows" in refused.output
    assert make_url(fresh_app.config["SQLALCHEMY_DATABASE_URI"]).database in refused.output
    assert str(target) in refused.output and "--yes" in refused.output
    assert all_rows() == before


def test_backup_never_overwrites_and_restore_refuses_a_file_that_is_not_a_backup(fresh_app, cli, tmp_path):
    fill(fresh_app)
    taken = tmp_path / "taken.bak"
    taken.write_text("an older backup someone wants to keep")
    again = cli.invoke(args=["backup", str(taken)])
    assert again.exit_code != 0 and "already exists" in again.output
    assert taken.read_text() == "an older backup someone wants to keep"

    before = all_rows()
    wrong = cli.invoke(args=["restore", str(taken), "--yes"])
    assert wrong.exit_code != 0 and "neither an SQLite backup nor a pg_dump" in wrong.output
    assert all_rows() == before


def test_backup_does_not_wait_for_a_write_in_progress_and_leaves_it_out(fresh_app, cli, tmp_path):
    fill(fresh_app)
    before = all_rows()
    with _db.engine.connect() as writer:
        in_progress = writer.begin()  # on SQLite the insert below takes the write lock, as a booking does
        writer.execute(insert(AuditEvent).values(occurred_at=NOW, action="written.during.backup", detail={}))

        made = cli.invoke(args=["backup", str(tmp_path / "during.bak")])

        in_progress.commit()  # and the writer was not disturbed either
    assert made.exit_code == 0, made.output
    assert f"audit_events {len(before['audit_events'])}," in made.output
    assert len(all_rows()["audit_events"]) == len(before["audit_events"]) + 1

    restored = cli.invoke(args=["restore", str(tmp_path / "during.bak"), "--yes"])
    assert restored.exit_code == 0, restored.output
    # The backup holds the last committed state: everything but the write still in progress.
    assert all_rows() == before


# ---------------------------------------------------------------- SQLite: online

@pytest.fixture()
def sqlite_file(fresh_app, databases):
    if databases.backend != "sqlite":
        pytest.skip("the online backup API is SQLite's; pg_dump reads one snapshot by design")
    return make_url(fresh_app.config["SQLALCHEMY_DATABASE_URI"]).database


def _rows_in(path, sql):
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        return conn.execute(sql).fetchall()


def test_sqlite_backup_is_consistent_while_another_connection_keeps_writing(fresh_app, cli, sqlite_file, tmp_path):
    fill(fresh_app)
    # Enough data that copying it takes a while, so writes land while the backup runs.
    with closing(sqlite3.connect(sqlite_file, isolation_level=None)) as conn:
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany("INSERT INTO audit_events (occurred_at, action, detail) VALUES (?, 'bulk', ?)",
                         [(STORED_NOW, '{"padding": "%s"}' % ("x" * 2000)) for _ in range(10000)])
        conn.execute("COMMIT")
    base = _rows_in(sqlite_file, "SELECT count(*) FROM audit_events")[0][0]

    # Each transaction adds a pair of rows: a backup that caught half of one would hold an odd number.
    stop, commits = threading.Event(), []

    def keep_writing():
        with closing(sqlite3.connect(sqlite_file, isolation_level=None, timeout=15)) as conn:
            while not stop.is_set():
                conn.execute("BEGIN IMMEDIATE")
                for half in ("first", "second"):
                    conn.execute("INSERT INTO audit_events (occurred_at, action, detail) VALUES (?, ?, '{}')",
                                 (STORED_NOW, f"pair.{half}"))
                conn.execute("COMMIT")
                commits.append(time.monotonic())

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        while len(commits) < 5:
            time.sleep(0.01)
        results = []
        for n in range(3):
            started = time.monotonic()
            made = cli.invoke(args=["backup", str(tmp_path / f"busy-{n}.sqlite3")])
            results.append((made, started, time.monotonic()))
    finally:
        stop.set()
        writer.join(timeout=30)
    assert not writer.is_alive()

    for n, (made, started, ended) in enumerate(results):
        assert made.exit_code == 0, made.output
        pairs = dict(_rows_in(tmp_path / f"busy-{n}.sqlite3",
                              "SELECT action, count(*) FROM audit_events WHERE action LIKE 'pair.%' GROUP BY action"))
        assert pairs["pair.first"] == pairs["pair.second"] > 0, pairs  # whole transactions, never half of one
        assert _rows_in(tmp_path / f"busy-{n}.sqlite3", "SELECT count(*) FROM audit_events WHERE action = 'bulk'") \
            == [(10000,)]
    # The writer went on committing while the backups were being taken: they did not lock it out.
    assert any(started < t < ended for _, started, ended in results for t in commits)
    assert _rows_in(sqlite_file, "SELECT count(*) FROM audit_events")[0][0] == base + 2 * len(commits)
