"""/healthz fails when the database cannot take a write or (SQLite) the disk is nearly full, and a
500 shows the app's own page even when the database is what failed.

A database that cannot write is a real one: on SQLite the file opened read-only (mode=ro), on
PostgreSQL the test database set to default_transaction_read_only. Both answer reads, as a
database on a full disk does, and refuse every write.
"""
import shutil

import pytest
from sqlalchemy import create_engine, make_url, text

from outreach.extensions import db as _db
from tests.conftest import make_test_app
from tests.factories import make_org, make_user


def _dispose(app):
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()


def _sign_in(client, identity: str):
    with client.session_transaction() as sess:
        sess["_user_id"] = identity
        sess["_fresh"] = True


@pytest.fixture()
def read_only_app(databases, tmp_path):
    """The app on a database that answers reads and refuses writes; a worker's sign-in identity."""
    url = databases.new("readonly")
    setup = make_test_app(url, tmp_path / "setup")
    with setup.app_context():
        worker = make_user("worker@example.org")
        make_org("Read Only Club", worker=worker)
        _db.session.commit()
        identity = worker.get_id()
    _dispose(setup)
    if databases.backend == "sqlite":
        url = f"sqlite:///file:{make_url(url).database}?mode=ro&uri=true"
    else:
        admin = create_engine(make_url(databases.server_url).set(drivername="postgresql+psycopg"),
                              isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{make_url(url).database}" SET default_transaction_read_only = on'))
        admin.dispose()
    # TESTING off: errors are handled as in production instead of raised into the test.
    app = make_test_app(url, tmp_path / "app", TESTING=False)
    yield app, identity
    _dispose(app)


def test_healthz_fails_when_the_database_cannot_write(read_only_app):
    app, _ = read_only_app
    resp = app.test_client().get("/healthz")
    assert resp.status_code == 503
    assert resp.json["status"] == "unavailable" and resp.json["database"] == "cannot_write"


def test_a_failed_write_shows_the_apps_own_error_page(read_only_app):
    app, identity = read_only_app
    client = app.test_client()
    _sign_in(client, identity)
    assert client.get("/account").status_code == 200  # reads still work
    resp = client.post("/logout")  # a write: the account's session version moves on
    assert resp.status_code == 500
    page = resp.get_data(as_text=True)
    assert "Something went wrong on our side" in page and "Go to the start page" in page
    assert "Internal Server Error" not in page


def test_healthz_fails_when_the_disk_under_sqlite_is_nearly_full(tmp_path):
    free_mb = shutil.disk_usage(tmp_path).free // (1024 * 1024)
    url = f"sqlite:///{tmp_path / 'disk.db'}"
    tight = make_test_app(url, tmp_path / "a", HEALTH_MIN_FREE_MB=free_mb + 1024)
    roomy = make_test_app(url, tmp_path / "b", HEALTH_MIN_FREE_MB=1)
    try:
        resp = tight.test_client().get("/healthz")
        assert resp.status_code == 503
        assert resp.json == {"status": "unavailable", "database": "ok", "disk": "low"}
        resp = roomy.test_client().get("/healthz")
        assert resp.status_code == 200 and resp.json == {"status": "ok", "database": "ok", "disk": "ok"}
    finally:
        _dispose(tight)
        _dispose(roomy)


@pytest.fixture()
def gone_app(tmp_path):
    """The app on an SQLite file whose folder has been removed: every query fails."""
    folder = tmp_path / "gone"
    url = f"sqlite:///{folder / 'outreach.db'}"
    folder.mkdir()
    app = make_test_app(url, tmp_path / "app", TESTING=False)
    _dispose(app)
    shutil.rmtree(folder)
    yield app
    _dispose(app)


def test_a_500_shows_the_apps_own_page_when_the_database_is_gone(gone_app):
    client = gone_app.test_client()
    _sign_in(client, "1:1")  # base.html would look this user up, and the menus their memberships
    resp = client.get("/family")
    assert resp.status_code == 500
    page = resp.get_data(as_text=True)
    assert "Something went wrong on our side" in page and 'href="/static/css/app.css' in page
    api = client.get("/api/sessions/1/roster")
    assert api.status_code == 500 and api.json == {"error": {"code": "server_error",
                                                             "message": "Something went wrong on our side"}}
    health = client.get("/healthz")
    assert health.status_code == 503 and health.json["database"] == "unreachable"
