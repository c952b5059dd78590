"""A one-row SQLite counter database, for the tests of how SQLite writers take turns."""
import pytest
from sqlalchemy import create_engine, text

import outreach.database  # noqa: F401  (the engine listeners under test)


@pytest.fixture()
def counter_engine(databases):
    if databases.backend != "sqlite":
        pytest.skip("SQLite's writers; PostgreSQL locks rows (covered by the booking races)")
    engine = create_engine(databases.new("counter"))
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)"))
        conn.execute(text("INSERT INTO counter (id, n) VALUES (1, 0)"))
    yield engine
    engine.dispose()
