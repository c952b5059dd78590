"""Configuration from the environment and instance/, and the SQLite connection rules."""
import os
import stat

import pytest

from outreach import create_app
from outreach.config import load_or_create_secret_key, normalise_database_url
from outreach.database import BUSY_TIMEOUT_MS
from outreach.extensions import db


@pytest.fixture()
def clean_env(monkeypatch, tmp_path):
    for name in ("SECRET_KEY", "DATABASE_URL", "BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OUTREACH_INSTANCE_PATH", str(tmp_path / "instance"))
    return tmp_path / "instance"


def test_secret_key_is_generated_once_into_the_instance_folder(tmp_path):
    first = load_or_create_secret_key(str(tmp_path))
    second = load_or_create_secret_key(str(tmp_path))

    key_file = tmp_path / "secret_key"
    assert first == second == key_file.read_text().strip()
    assert len(first) >= 64
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600


def test_apps_share_the_generated_secret_key(clean_env):
    first = create_app().config["SECRET_KEY"]
    second = create_app().config["SECRET_KEY"]

    assert first == second == (clean_env / "secret_key").read_text().strip()


def test_secret_key_from_the_environment_wins(clean_env, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")

    assert create_app().config["SECRET_KEY"] == "from-the-environment"
    assert not (clean_env / "secret_key").exists()


def test_default_database_is_sqlite_in_the_instance_folder(clean_env):
    uri = create_app().config["SQLALCHEMY_DATABASE_URI"]

    assert uri == "sqlite:///" + str(clean_env / "outreach.db")


@pytest.mark.parametrize("given, expected", [
    ("postgres://u:p@db.example:5432/outreach", "postgresql+psycopg://u:p@db.example:5432/outreach"),
    ("postgresql://u@localhost/outreach", "postgresql+psycopg://u@localhost/outreach"),
    ("postgresql+psycopg://u@localhost/outreach", "postgresql+psycopg://u@localhost/outreach"),
    ("sqlite:////var/lib/outreach.db", "sqlite:////var/lib/outreach.db"),
])
def test_database_urls_are_normalised(given, expected):
    assert normalise_database_url(given) == expected


def test_hosting_style_postgres_url_from_the_environment(clean_env, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db.example/outreach")

    assert create_app().config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@db.example/outreach"


def test_https_base_url_makes_cookies_secure(clean_env, monkeypatch):
    monkeypatch.setenv("BASE_URL", "https://outreach.example/")

    config = create_app().config
    assert config["BASE_URL"] == "https://outreach.example"
    assert config["SESSION_COOKIE_SECURE"] is True


def test_sqlite_connections_get_foreign_keys_wal_and_a_busy_timeout(clean_env, tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'pragmas.db'}"})
    with app.app_context():
        try:
            with db.engine.connect() as conn:
                pragma = lambda name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
                assert pragma("foreign_keys") == 1
                assert pragma("journal_mode") == "wal"
                assert pragma("busy_timeout") == BUSY_TIMEOUT_MS > 0
        finally:
            db.engine.dispose()
