"""SQLite's write lock is taken late and on purpose (outreach/database.py).

Readers never queue behind a writer; a transaction whose reads have gone stale
can still write; and a service that reads a count and writes from it under
`hold_write_lock` never loses an update to a racing one.
"""
import threading
import time

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from outreach.database import hold_write_lock
from tests.concurrency.helpers import counter, errors_in_threads, writes_within

pytestmark = pytest.mark.concurrency


def test_a_reader_does_not_wait_for_a_writer(counter_engine):
    with Session(counter_engine) as writer, Session(counter_engine) as reader:
        writer.execute(text("UPDATE counter SET n = 1 WHERE id = 1"))  # holds the write lock, not committed
        started = time.perf_counter()
        seen = counter(reader)
        waited = time.perf_counter() - started
        writer.commit()
    # Under a lock taken at BEGIN the reader would have waited out the 15 s busy timeout.
    assert (seen, waited < 1.0) == (0, True), waited


def test_a_transaction_whose_reads_went_stale_can_still_write(counter_engine):
    with Session(counter_engine) as a, Session(counter_engine) as b:
        assert counter(a) == 0                  # a's snapshot starts here
        b.execute(text("UPDATE counter SET n = 2 WHERE id = 1"))
        b.commit()                              # ... and is now stale
        # Upgrading a stale reader in place fails at once with "database is locked".
        a.execute(text("UPDATE counter SET n = n + 10 WHERE id = 1"))
        a.commit()
    with Session(counter_engine) as check:
        assert counter(check) == 12


def test_a_second_writer_waits_for_the_first_instead_of_failing(counter_engine):
    errors = []
    with Session(counter_engine) as first:
        first.execute(text("UPDATE counter SET n = 5 WHERE id = 1"))

        def second():
            try:
                with Session(counter_engine) as s:
                    s.execute(text("UPDATE counter SET n = n * 2 WHERE id = 1"))
                    s.commit()
            except Exception as exc:  # recorded for the assertion below
                errors.append(repr(exc))

        thread = threading.Thread(target=second)
        thread.start()
        time.sleep(0.3)
        first.commit()
        thread.join(20)
    with Session(counter_engine) as check:
        assert (errors, counter(check)) == ([], 10)


def test_read_then_write_under_hold_write_lock_loses_no_update(counter_engine):
    barrier = threading.Barrier(8, timeout=20)

    def add_one():
        with Session(counter_engine) as s:
            counter(s)                      # an earlier read, as a request makes when it loads the user
            barrier.wait()
            hold_write_lock(s)
            n = counter(s)
            time.sleep(0.01)                # the gap in which a racing reader would read the same n
            s.execute(text("UPDATE counter SET n = :n WHERE id = 1"), {"n": n + 1})
            s.commit()

    errors = errors_in_threads(add_one, 8, timeout=30)
    with Session(counter_engine) as check:
        assert (errors, counter(check)) == ([], 8)


def test_a_report_making_temporary_tables_lets_others_write(counter_engine):
    # A dashboard keeps shared figures in temporary tables (metrics/_temp.py) for the
    # seconds it takes; check-ins must go on meanwhile.
    with Session(counter_engine) as report:
        assert counter(report) == 0
        report.execute(text('CREATE TABLE "temp".report_x AS SELECT n FROM counter'))
        # Holding the write lock, the report would keep the check-in waiting 15 s.
        assert writes_within(counter_engine, 5)
        # Still one snapshot: the report reads what it started with.
        assert report.execute(text('SELECT n FROM "temp".report_x')).scalar_one() == 0
        assert counter(report) == 0
        report.execute(text('DROP TABLE "temp".report_x'))
        report.commit()
