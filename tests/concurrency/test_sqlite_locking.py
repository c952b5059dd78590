"""SQLite's write lock is taken late and on purpose (outreach/database.py).

Readers never queue behind a writer; a transaction whose reads have gone stale
can still write; and a service that reads a count and writes from it under
`hold_write_lock` never loses an update to a racing one.
"""
import threading
import time

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

import outreach.database  # noqa: F401  (the engine listeners under test)
from outreach.database import hold_write_lock

pytestmark = pytest.mark.concurrency


@pytest.fixture()
def engine(databases):
    if databases.backend != "sqlite":
        pytest.skip("SQLite's locking; PostgreSQL locks rows (covered by the booking races)")
    engine = create_engine(databases.new("locks"))
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)"))
        conn.execute(text("INSERT INTO counter (id, n) VALUES (1, 0)"))
    yield engine
    engine.dispose()


def _n(session) -> int:
    return session.execute(text("SELECT n FROM counter WHERE id = 1")).scalar_one()


def test_a_reader_does_not_wait_for_a_writer(engine):
    with Session(engine) as writer, Session(engine) as reader:
        writer.execute(text("UPDATE counter SET n = 1 WHERE id = 1"))  # holds the write lock, not committed
        started = time.perf_counter()
        seen = _n(reader)
        waited = time.perf_counter() - started
        writer.commit()
    # Under a lock taken at BEGIN the reader would have waited out the 15 s busy timeout.
    assert (seen, waited < 1.0) == (0, True), waited


def test_a_transaction_whose_reads_went_stale_can_still_write(engine):
    with Session(engine) as a, Session(engine) as b:
        assert _n(a) == 0                       # a's snapshot starts here
        b.execute(text("UPDATE counter SET n = 2 WHERE id = 1"))
        b.commit()                              # ... and is now stale
        # Upgrading a stale reader in place fails at once with "database is locked".
        a.execute(text("UPDATE counter SET n = n + 10 WHERE id = 1"))
        a.commit()
    with Session(engine) as check:
        assert _n(check) == 12


def test_a_second_writer_waits_for_the_first_instead_of_failing(engine):
    errors = []
    with Session(engine) as first:
        first.execute(text("UPDATE counter SET n = 5 WHERE id = 1"))

        def second():
            try:
                with Session(engine) as s:
                    s.execute(text("UPDATE counter SET n = n * 2 WHERE id = 1"))
                    s.commit()
            except Exception as exc:  # recorded for the assertion below
                errors.append(repr(exc))

        thread = threading.Thread(target=second)
        thread.start()
        time.sleep(0.3)
        first.commit()
        thread.join(20)
    with Session(engine) as check:
        assert (errors, _n(check)) == ([], 10)


def test_read_then_write_under_hold_write_lock_loses_no_update(engine):
    barrier = threading.Barrier(8, timeout=20)
    errors = []

    def add_one():
        try:
            with Session(engine) as s:
                _n(s)                           # an earlier read, as a request makes when it loads the user
                barrier.wait()
                hold_write_lock(s)
                n = _n(s)
                time.sleep(0.01)                # the gap in which a racing reader would read the same n
                s.execute(text("UPDATE counter SET n = :n WHERE id = 1"), {"n": n + 1})
                s.commit()
        except Exception as exc:  # recorded for the assertion below
            errors.append(repr(exc))

    threads = [threading.Thread(target=add_one) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    with Session(engine) as check:
        assert (errors, _n(check)) == ([], 8)
