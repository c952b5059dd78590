"""Fixtures: the app, a database rolled back after each test, clients, logins,
a live server on a loopback port, and Chromium driven by Playwright.

The suite runs against SQLite by default. With TEST_DATABASE_URL pointing at a
PostgreSQL server it runs there instead, in a fresh database created for the
run and dropped after it.
"""
import os
import re
import socket
import threading
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import g
from flask.testing import FlaskClient
from sqlalchemy import create_engine, make_url, text
from werkzeug.serving import make_server

from outreach import create_app
from outreach.extensions import db as _db

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"


# ---------------------------------------------------------------- databases

class DatabaseFactory:
    """Makes empty databases for one test run, on SQLite or PostgreSQL, and drops them after."""

    def __init__(self, tmp_dir: Path):
        self.tmp_dir = tmp_dir
        self.server_url = os.environ.get("TEST_DATABASE_URL")
        self.created: list[str] = []

    @property
    def backend(self) -> str:
        return "postgresql" if self.server_url else "sqlite"

    def new(self, label: str, *, empty: bool = False) -> str:
        """A fresh database: with the models' tables, or `empty` (for the migration tests).

        On PostgreSQL, tables come from a template database made once per run: CREATE DATABASE
        ... TEMPLATE copies it in a fraction of the time create_all takes over the network."""
        if not self.server_url:
            return f"sqlite:///{self.tmp_dir / (label + '-' + uuid.uuid4().hex[:8] + '.db')}"
        name = f"outreach_test_{label}_{uuid.uuid4().hex[:10]}"
        url = make_url(self.server_url).set(drivername="postgresql+psycopg")
        template = "" if empty else f' TEMPLATE "{self._template(url)}"'
        with self._admin(url) as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"{template}'))
        self.created.append(name)
        return url.set(database=name).render_as_string(hide_password=False)

    def _template(self, url) -> str:
        if getattr(self, "_template_name", None) is None:
            import outreach.models  # noqa: F401  (every table on the metadata)

            name = f"outreach_test_template_{uuid.uuid4().hex[:10]}"
            with self._admin(url) as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            self.created.append(name)
            engine = create_engine(url.set(database=name))
            try:
                _db.metadata.create_all(engine)
            finally:
                engine.dispose()  # a template may have no other connection when it is copied
            self._template_name = name
        return self._template_name

    @contextmanager
    def _admin(self, url):
        engine = create_engine(url, isolation_level="AUTOCOMMIT", poolclass=None)
        try:
            with engine.connect() as conn:
                yield conn
        finally:
            engine.dispose()

    def drop_all(self):
        if not self.created:
            return
        url = make_url(self.server_url).set(drivername="postgresql+psycopg")
        with self._admin(url) as conn:
            for name in self.created:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def databases(tmp_path_factory):
    factory = DatabaseFactory(tmp_path_factory.mktemp("db"))
    yield factory
    factory.drop_all()


def make_test_app(database_url: str, tmp_dir: Path, **overrides):
    config = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": "test-secret-key",
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "MAIL_SERVER": "",
        "MAIL_OUTBOX_DIR": str(tmp_dir / "outbox"),
        "BASE_URL": "http://localhost",
        "REQUEST_LOG": False,
        # No task queue in tests: they send what is waiting themselves (deliver()), with the
        # function the worker's task calls. tests/test_tasks.py runs a real consumer.
        "OUTBOX_NUDGE": False,
    }
    config.update(overrides)
    app = create_app(config)
    with app.app_context():
        _db.create_all()
    return app


class FreshUserClient(FlaskClient):
    """A test client whose every request finds the signed-in user afresh.

    Tests keep an app context open (for the rolled-back session), and Flask
    reuses it for requests, so `g` would carry Flask-Login's cached user from
    one request, or one client, into the next.
    """

    def open(self, *args, **kwargs):
        # Flask-Babel keeps the request's locale in g too: each request chooses its language afresh.
        g.pop("_login_user", None)
        g.pop("_flask_babel", None)
        try:
            return super().open(*args, **kwargs)
        finally:
            g.pop("_login_user", None)
            g.pop("_flask_babel", None)


@pytest.fixture(scope="session")
def app(databases, tmp_path_factory):
    from outreach.i18n import TRANSLATIONS_DIR
    from tests.i18n import pseudo

    # The pseudo-language beside the real catalogues: tests/i18n find untranslated words with it.
    # Listed first: Flask-Babel takes the plural rule from the last folder, which must be the real one.
    folder = pseudo.build(str(tmp_path_factory.mktemp("pseudo-language")))
    app = make_test_app(databases.new("main"), tmp_path_factory.mktemp("app"),
                        BABEL_TRANSLATION_DIRECTORIES=f"{folder};{TRANSLATIONS_DIR}")
    app.test_client_class = FreshUserClient
    yield app
    with app.app_context():
        _db.engine.dispose()


@pytest.fixture()
def db(app):
    """The database for one test; everything it wrote is rolled back after it.

    Services call commit(); with join_transaction_mode="create_savepoint" that
    commits a savepoint inside the outer transaction this fixture rolls back.
    """
    with app.app_context():
        connection = _db.engine.connect()
        outer = connection.begin()
        _db.session.remove()
        _db.session.configure(bind=connection, join_transaction_mode="create_savepoint")
        try:
            yield _db
        finally:
            _db.session.remove()
            _db.session.configure(bind=None, join_transaction_mode="conditional_savepoint")
            outer.rollback()
            connection.close()


@pytest.fixture()
def client(app, db):
    return app.test_client()


@pytest.fixture()
def runner(app, db):
    return app.test_cli_runner()


@pytest.fixture()
def login_as(client):
    """Sign a test client in as a user without going through the login form."""
    def _login(user, c=None):
        c = c or client
        with c.session_transaction() as sess:
            sess["_user_id"] = user.get_id()
            sess["_fresh"] = True
        return c
    return _login


def deliver(now=None):
    """Send what is waiting in the outbox, as the worker does (in the current app context)."""
    from outreach.listeners import deliver_waiting

    return deliver_waiting(now=now)


@pytest.fixture()
def outbox(app, db):
    """The development outbox as a list of parsed messages (newest first), after sending
    what was waiting, as the worker would have by then."""
    from outreach.services.mail import read_outbox

    folder = Path(app.config["MAIL_OUTBOX_DIR"])
    for old in folder.glob("*.eml"):
        old.unlink()

    def read():
        deliver()
        return read_outbox(str(folder))
    return read


# ---------------------------------------------------------------- live server

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    def __init__(self, app):
        self.app = app
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        app.config["BASE_URL"] = self.url
        self._server = make_server("127.0.0.1", self.port, app, threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._server.shutdown()
        self._thread.join(timeout=5)


def confirm_link(server) -> str:
    """The sign-up confirmation link in the newest email the live server wrote to its outbox
    (after sending what was waiting, as its worker would)."""
    from outreach.services.mail import read_outbox

    with server.app.app_context():
        deliver()
    for mail in read_outbox(server.app.config["MAIL_OUTBOX_DIR"]):
        found = re.search(r"(https?://\S+/signup/confirm/\S+)", mail["text"])
        if found:
            return found.group(1)
    raise AssertionError("no confirmation email in the outbox")


def sign_in(page, base_url, email, lands_on, password=None):
    """Sign in through the login form and wait for the page it leads to."""
    from tests.factories import PASSWORD

    page.goto(base_url + "/login")
    page.fill("#email", email)
    page.fill("#password", password or PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(lands_on)


@pytest.fixture()
def live_server(databases, tmp_path):
    """The app served on a free loopback port, on a database of its own (commits are real)."""
    app = make_test_app(databases.new("live"), tmp_path)
    server = LiveServer(app).start()
    yield server
    server.stop()
    with app.app_context():
        _db.engine.dispose()


# ---------------------------------------------------------------- browser

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update",
                 "--disable-gpu", "--disable-sync", "--no-first-run", "--disable-quic"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture(scope="session")
def playwright_instance():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}. `make test` installs it with apt as root or with sudo; "
                    "or install it with: sudo apt-get install -y --no-install-recommends chromium fonts-dejavu-core "
                    "(or point CHROMIUM_PATH at a Chromium).", pytrace=False)
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    yield pw
    pw.stop()


@pytest.fixture(scope="session")
def browser(playwright_instance):
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


def watch(context):
    """Audit every page of this context (axe-core, CSP) when a browser test is running."""
    from tests.browser import page_checks

    if page_checks.CHECKS is not None:
        page_checks.CHECKS.watch(context)
    return context


@pytest.fixture()
def phone(browser):
    """A fresh browser context at a phone's size (390x844)."""
    context = browser.new_context(viewport=PHONE, device_scale_factor=1, is_mobile=True, has_touch=True,
                                  locale="en-GB", timezone_id="Europe/London")
    watch(context)
    yield context
    context.close()


@pytest.fixture()
def desktop(browser):
    context = browser.new_context(viewport=DESKTOP, locale="en-GB", timezone_id="Europe/London")
    watch(context)
    yield context
    context.close()


@pytest.fixture()
def screenshot():
    """Save a full-page screenshot under test-artifacts/ for a person to look at."""
    ARTIFACTS.mkdir(exist_ok=True)

    def _shot(page, name):
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    return _shot


# ---------------------------------------------------------------- email

class _Inbox:
    """Messages received by a real local SMTP server (aiosmtpd), parsed.

    Reading `messages` first sends what is waiting in the outbox (in the current app
    context), as the worker would have by then; `received` is what arrived so far.
    """

    def __init__(self):
        self.received = []

    @property
    def messages(self):
        from flask import has_app_context

        if has_app_context():
            deliver()
        return self.received

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        from email import policy
        from email.parser import BytesParser

        self.received.append(BytesParser(policy=policy.default).parsebytes(envelope.content))
        return "250 Message accepted for delivery"


@pytest.fixture()
def smtp_server(app, monkeypatch):
    """A real SMTP server on a loopback port; the app sends to it for this test."""
    from aiosmtpd.controller import Controller

    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", controller.port)
    yield inbox
    controller.stop()
