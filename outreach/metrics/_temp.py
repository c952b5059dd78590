"""Intermediate results that several metrics read, worked out once per dashboard.

A dashboard runs a dozen metrics over the same scope and filters, and several
of them start from the same per-participant figures (who takes part in which
programme, since when, how often they came). Inside `open()` such a figure is
worked out once into a temporary table and every metric reads that table;
outside it (an export, a single metric) the same statement is used as a CTE,
so there is still one definition.

Temporary tables belong to this database connection: no other request sees
them. On SQLite they live in the connection's own `temp` database, so writing
them takes no write lock on the main file (see database.py), and on both
databases a rollback removes them with the rest of the transaction.
"""
import secrets
from contextlib import contextmanager

from sqlalchemy import text
from sqlalchemy.schema import DropTable

from ..extensions import db

# The schema a temporary table is made in, named outright so every statement that
# touches one says so (SQLite's write-lock hook relies on it).
TEMP_SCHEMA = {"sqlite": "temp", "postgresql": "pg_temp"}


class TempTables:
    def __init__(self):
        self._tables: dict | None = None

    @contextmanager
    def open(self):
        if self._tables is not None:  # already open: the outer one cleans up
            yield
            return
        self._tables = {}
        try:
            yield
        except BaseException:
            # The transaction is rolled back by whoever handles the error, and the
            # tables with it; dropping them here could fail on an aborted transaction.
            self._tables = None
            raise
        tables, self._tables = self._tables, None
        for table in tables.values():
            db.session.execute(DropTable(table))

    def get(self, key: str, stmt, index: str | None = None):
        """The temporary table holding `stmt`'s rows, made on first use; None when not open.
        `index` names a column its readers join on. SQLite needs it: a temporary table has no
        index of its own, and its planner did not build an automatic one for a join from a
        grouped subquery (15 s row by row for the regular attendees). PostgreSQL hashes."""
        if self._tables is None:
            return None
        if key not in self._tables:
            dialect = db.session.get_bind().dialect.name
            schema = TEMP_SCHEMA.get(dialect)
            if schema is None:
                return None
            create = stmt.into(f"report_{key}_{secrets.token_hex(4)}", schema=schema)
            db.session.execute(create)
            if index and dialect == "sqlite":
                name = create.table.name
                db.session.execute(text(f'CREATE INDEX temp."{name}_{index}" ON "{name}" ("{index}")'))
            if dialect == "postgresql":
                # Autovacuum never analyses a temporary table; without row counts the
                # planner guesses, and joins on it go wrong.
                db.session.execute(text(f"ANALYZE {schema}.{create.table.name}"))
            self._tables[key] = create.table
        return self._tables[key]
