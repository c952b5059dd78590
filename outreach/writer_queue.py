"""One SQLite writer at a time, handed on at once instead of found by polling.

SQLite lets one transaction write at a time; the others wait in its busy
handler, which sleeps 1, 2, 5, 10 ... up to 100 ms between tries and never
learns that the lock was freed in between. Under a burst of check-ins most
waiters were asleep while the lock stood free (the machine 40% idle, a
check-in's p95 in the hundreds of milliseconds).

So writers to the same database file queue here before they ask SQLite:
threads of one process on a lock that wakes the next one as soon as it is
released, and processes (gunicorn's workers) on an flock of a file next to the
database, tried every half millisecond. The turn ends when the transaction
does (commit, rollback or close), and a waiter gives up after the same busy
timeout as SQLite's, with SQLite's own "database is locked" error.
"""
import fcntl
import logging
import os
import sqlite3
import threading
import time
import weakref

POLL_S = 0.0005
log = logging.getLogger(__name__)
# A queue lives as long as a connection to its database does (each holds it), so the
# test suite's many short-lived databases do not each keep a lock file open.
_queues: "weakref.WeakValueDictionary[str, WriterQueue]" = weakref.WeakValueDictionary()
_queues_lock = threading.Lock()


class WriterQueue:
    """The queue of writers to one database file, in this process."""

    def __init__(self, path: str):
        self.path = path
        self._start()

    def _start(self):
        self.pid = os.getpid()
        self.threads = threading.Lock()
        # Opened by each process for itself: a descriptor inherited across fork would
        # share its flock with the parent.
        self.fd = os.open(self.path + ".writer-lock", os.O_RDWR | os.O_CREAT, 0o600)

    def acquire(self, timeout: float) -> None:
        if self.pid != os.getpid():
            # A forked child: the parent's lock stays with the parent's descriptor.
            os.close(self.fd)
            self._start()
        deadline = time.monotonic() + timeout
        if not self.threads.acquire(timeout=timeout):
            raise sqlite3.OperationalError("database is locked")
        try:
            while True:
                try:
                    fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    return
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise sqlite3.OperationalError("database is locked") from None
                    time.sleep(POLL_S)
        except BaseException:
            self.threads.release()
            raise

    def release(self) -> None:
        fcntl.flock(self.fd, fcntl.LOCK_UN)
        self.threads.release()

    def __del__(self):
        if self.pid == os.getpid() and hasattr(self, "fd"):
            os.close(self.fd)


def queue_for(path: str) -> WriterQueue | None:
    """The queue for this database file, or None where no lock file can be made next to
    it (its writers then wait in SQLite's busy handler, as they would without a queue)."""
    path = os.path.realpath(path)
    with _queues_lock:
        queue = _queues.get(path)
        if queue is None:
            try:
                queue = _queues[path] = WriterQueue(path)
            except OSError as exc:
                log.warning("no writer queue for %s: %s", path, exc)
                return None
        return queue


class QueuedConnection(sqlite3.Connection):
    """A sqlite3 connection that ends its writer's turn when its transaction ends."""

    writer_queue: WriterQueue | None = None
    _has_turn = False

    def take_turn(self, timeout: float) -> None:
        if self.writer_queue is not None and not self._has_turn:
            self.writer_queue.acquire(timeout)
            self._has_turn = True

    def end_turn(self) -> None:
        if self._has_turn:
            self._has_turn = False
            self.writer_queue.release()

    def commit(self):
        try:
            super().commit()
        finally:
            self.end_turn()

    def rollback(self):
        try:
            super().rollback()
        finally:
            self.end_turn()

    def close(self):
        try:
            super().close()
        finally:
            self.end_turn()
