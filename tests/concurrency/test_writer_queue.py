"""SQLite writers queue for their turn (outreach/writer_queue.py) and always hand it on.

A turn that outlived its transaction would stop every later writer for the busy
timeout, so each way a transaction can end is checked to hand the turn on at once.
"""
import multiprocessing
import os
import sqlite3
import time

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from outreach.writer_queue import QueuedConnection, queue_for
from tests.concurrency.helpers import counter, errors_in_threads, writes_within

pytestmark = pytest.mark.concurrency


def test_connections_queue_for_their_database_file(counter_engine):
    with counter_engine.connect() as conn:
        driver = conn.connection.driver_connection
        assert isinstance(driver, QueuedConnection)
        assert driver.writer_queue is queue_for(counter_engine.url.database)


@pytest.mark.parametrize("ending", ["commit", "rollback", "close", "error"])
def test_every_way_a_write_ends_hands_the_turn_on(counter_engine, ending):
    s = Session(counter_engine)
    s.execute(text("UPDATE counter SET n = n + 10 WHERE id = 1"))
    assert not writes_within(counter_engine, 0.5)  # holding the turn: the other writer waits
    if ending == "commit":
        s.commit()
    elif ending == "rollback":
        s.rollback()
    elif ending == "close":
        s.close()
    else:
        with pytest.raises(Exception):
            s.execute(text("INSERT INTO counter (id, n) VALUES (1, 0)"))  # primary key taken
        s.rollback()
    s.close()
    time.sleep(0.5)  # the waiting writer goes through now
    with Session(counter_engine) as check:
        n = counter(check)
    assert n == (11 if ending == "commit" else 1)


def test_many_writers_each_get_a_turn(counter_engine):
    def add_twenty():
        for _ in range(20):
            with Session(counter_engine) as s:
                s.execute(text("SELECT n FROM counter WHERE id = 1"))
                s.execute(text("UPDATE counter SET n = n + 1 WHERE id = 1"))
                s.commit()

    errors = errors_in_threads(add_twenty, 16, timeout=60)
    with Session(counter_engine) as check:
        assert (errors, counter(check)) == ([], 320)


def _hold_turn(path, ready, release):
    queue = queue_for(path)
    queue.acquire(5)
    ready.set()
    release.wait(20)
    queue.release()


def test_another_process_waits_for_the_turn_and_gets_it_when_freed(tmp_path):
    path = str(tmp_path / "x.db")
    ctx = multiprocessing.get_context("spawn")
    ready, release = ctx.Event(), ctx.Event()
    child = ctx.Process(target=_hold_turn, args=(path, ready, release))
    child.start()
    try:
        assert ready.wait(30)
        queue = queue_for(path)
        with pytest.raises(sqlite3.OperationalError, match="database is locked"):
            queue.acquire(0.3)
        release.set()
        queue.acquire(10)
        queue.release()
    finally:
        release.set()
        child.join(20)


def _try_turn(queue, go, out):
    go.wait(20)
    try:
        queue.acquire(0.3)
        out.put("got the turn")
    except sqlite3.OperationalError as exc:
        out.put(str(exc))


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork only")
def test_a_forked_child_does_not_share_its_parents_turn(tmp_path):
    # The queue is opened before the fork (as an app created before gunicorn forks
    # would), and the parent takes its turn after it: an inherited descriptor would
    # share the parent's flock, and the child would think the turn was its own.
    queue = queue_for(str(tmp_path / "y.db"))
    ctx = multiprocessing.get_context("fork")
    go, out = ctx.Event(), ctx.Queue()
    child = ctx.Process(target=_try_turn, args=(queue, go, out))
    child.start()
    queue.acquire(1)
    try:
        go.set()
        answer = out.get(timeout=20)
        child.join(20)
    finally:
        queue.release()
    assert answer == "database is locked"



def test_where_no_lock_file_can_be_made_a_connection_writes_without_a_queue(counter_engine, tmp_path):
    assert queue_for(str(tmp_path / "no-such-folder" / "z.db")) is None
    with counter_engine.connect() as conn:
        conn.connection.driver_connection.writer_queue = None  # as _on_connect leaves it then
        conn.execute(text("UPDATE counter SET n = 7 WHERE id = 1"))
        conn.commit()
    with Session(counter_engine) as check:
        assert counter(check) == 7
