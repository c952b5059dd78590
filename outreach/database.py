"""Engine-level behaviour that the rest of the code relies on.

SQLite: foreign keys on, WAL so readers never block the writer, and a busy
timeout so concurrent writers wait instead of failing.

SQLite has one writer at a time. A transaction starts as a plain reader, so
page views and look-ups never queue behind one another; it takes the write
lock (BEGIN IMMEDIATE) just before its first write, or earlier when a service
asks with `hold_write_lock()` because it must read and write under the same
lock (counting free places before a booking). Taking the lock that late is
safe only because the read-only part before it is committed and a fresh
transaction begun: SQLite refuses to turn a reader whose snapshot has gone
stale into a writer (SQLITE_BUSY at once, with no waiting), so upgrading in
place would fail under load. Reads made before the lock see the state as of
their own snapshot, as READ COMMITTED does on PostgreSQL; anything that
decides on a count takes the lock first. PostgreSQL gets the same guarantee
from row locks (SELECT ... FOR UPDATE) in the services.

Before BEGIN IMMEDIATE a writer waits its turn in `writer_queue.py`, which
hands the lock from one writer to the next as each transaction ends, instead
of leaving writers to SQLite's sleeping retries.
"""
import re
import sqlite3

from sqlalchemy import event, select, text
from sqlalchemy.engine import Engine

from .writer_queue import QueuedConnection, queue_for

BUSY_TIMEOUT_MS = 15000
_WRITING = "sqlite_holds_write_lock"
# Statements that read only. Anything else (INSERT, UPDATE, DELETE, DDL,
# SAVEPOINT) needs the write lock first.
_READ_ONLY = re.compile(r"\s*(SELECT|PRAGMA|EXPLAIN)\b", re.IGNORECASE)
_CTE_WRITES = re.compile(r"\b(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)
# Making or dropping a table in the connection's own temp database (a dashboard's
# intermediate results, metrics/_temp.py) writes nothing others can see.
_TEMP_ONLY = re.compile(r'\s*(CREATE|DROP)\s+TABLE\s+"?temp"?\.', re.IGNORECASE)


@event.listens_for(Engine, "do_connect")
def _queued_connections(dialect, connection_record, cargs, cparams):
    if dialect.name == "sqlite":
        cparams.setdefault("factory", QueuedConnection)


@event.listens_for(Engine, "connect")
def _on_connect(dbapi_connection, connection_record):
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    path = next((row[2] for row in cursor.execute("PRAGMA database_list") if row[1] == "main"), "")
    cursor.close()
    if path and isinstance(dbapi_connection, QueuedConnection):  # an in-memory database has no path
        dbapi_connection.writer_queue = queue_for(path)


@event.listens_for(Engine, "begin")
def _on_begin(connection):
    if connection.dialect.name == "sqlite":
        connection.connection.driver_connection.execute("BEGIN")
        connection.info[_WRITING] = False


@event.listens_for(Engine, "before_cursor_execute")
def _before_execute(connection, cursor, statement, parameters, context, executemany):
    if connection.dialect.name != "sqlite" or connection.info.get(_WRITING, True):
        return
    if _READ_ONLY.match(statement) or _TEMP_ONLY.match(statement):
        return
    if statement.lstrip()[:4].upper() == "WITH" and not _CTE_WRITES.search(statement):
        return
    _take_write_lock(connection)


def _take_write_lock(connection) -> None:
    driver = connection.connection.driver_connection
    if driver.in_transaction:
        # Only reads so far: ending them loses nothing.
        driver.execute("COMMIT")
    queued = isinstance(driver, QueuedConnection)
    if queued:
        # Waits its turn behind this database's other writers (writer_queue.py); the turn
        # ends with the transaction.
        driver.take_turn(BUSY_TIMEOUT_MS / 1000)
    try:
        # Waits up to the busy timeout for a writer that did not queue (another program).
        driver.execute("BEGIN IMMEDIATE")
    except BaseException:
        if queued:
            driver.end_turn()
        raise
    connection.info[_WRITING] = True


def hold_write_lock(session) -> None:
    """From here to the commit, this session's transaction is the only writer.

    SQLite only (PostgreSQL services lock the rows they count instead). Call
    it before the reads that a write depends on; objects loaded earlier keep
    the values they were loaded with until they are expired or reloaded.
    """
    connection = session.connection()
    if connection.dialect.name == "sqlite" and not connection.info.get(_WRITING, True):
        _take_write_lock(connection)


def lock_row(session, model, row_id):
    """Hold one row until the commit, and load it afresh: the row that a read-then-write
    depends on (a session's places, an organisation's leads, a young person's pass).

    SELECT ... FOR UPDATE on PostgreSQL; on SQLite, where FOR UPDATE is not rendered,
    the write lock. Returns the row's object with its current values, or None when the
    row is gone.
    """
    hold_write_lock(session)
    return session.execute(select(model).where(model.id == row_id).with_for_update()
                           .execution_options(populate_existing=True)).scalar_one_or_none()


# Sort and hash memory for one report query on PostgreSQL (the server's default is 4 MB):
# grouping 100,000 participants or sorting half a million export rows needs tens of MB,
# and with less it spills to disk.
REPORT_WORK_MEM = "64MB"


def tune_for_reports(session, *, reading_all=False) -> None:
    """For the rest of this transaction, plan for big read-only aggregates (PostgreSQL;
    nothing to do on SQLite): more sort memory, and no JIT compilation, which cost
    about half a second per dashboard query at 1M attendances and saved less. With
    `reading_all` the planner is told every row of a cursor will be read, or it favours
    plans that start fast and finish slow."""
    if session.get_bind().dialect.name != "postgresql":
        return
    session.execute(text(f"SET LOCAL work_mem = '{REPORT_WORK_MEM}'"))
    session.execute(text("SET LOCAL jit = off"))
    if reading_all:
        session.execute(text("SET LOCAL cursor_tuple_fraction = 1.0"))


def is_sqlite(engine) -> bool:
    return engine.dialect.name == "sqlite"
