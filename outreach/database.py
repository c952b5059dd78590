"""Engine-level behaviour that the rest of the code relies on.

SQLite: foreign keys on, WAL so readers never block the writer, a busy timeout
so concurrent writers wait instead of failing, and every transaction opened
with BEGIN IMMEDIATE. The last one is what keeps the embedded default from
overbooking: a transaction that reads a session's free places holds the write
lock from its first statement, so two bookings cannot both read "one place
left". PostgreSQL gets the same guarantee from row locks (SELECT ... FOR UPDATE)
in the services.
"""
import sqlite3

from sqlalchemy import event
from sqlalchemy.engine import Engine

BUSY_TIMEOUT_MS = 15000


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
    cursor.close()


@event.listens_for(Engine, "begin")
def _on_begin(connection):
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def is_sqlite(engine) -> bool:
    return engine.dialect.name == "sqlite"
