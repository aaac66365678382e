"""Configuration classes. Reads the environment; imports nothing of portal."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = ROOT / "instance"


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE / 'portal.sqlite'}")
    # Heroku-style URLs name the old driver; we run psycopg 3.
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url[len("postgres://") :]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", "")
    SQLALCHEMY_DATABASE_URI = _database_url()
    # No pre-ping before every checkout: PostgreSQL's idle connections are pinged instead
    # (portal/postgres_runtime.py).
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": False}
    REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")

    # Sessions: server-checked (see portal/auth/sessions.py), short idle timeout, no remember-me.
    SESSION_COOKIE_NAME = "spp_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", True)
    PERMANENT_SESSION_LIFETIME = timedelta(hours=10)
    # The cookie is signed anew only when its content changes (login, a form's CSRF token, a
    # message, the language), not on every page: re-signing it cost a tenth of a millisecond of
    # each request and sent a cookie with every response. Activity is the server's business
    # (`IDLE_TIMEOUT`, the session row's `last_seen_at`); the signed cookie now also ends ten
    # hours after it last changed, whatever happened since.
    SESSION_REFRESH_EACH_REQUEST = False
    IDLE_TIMEOUT = timedelta(minutes=int(os.environ.get("IDLE_TIMEOUT_MINUTES", "30")))
    REMEMBER_COOKIE_DURATION = timedelta(seconds=0)

    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None  # bound to the session instead, which expires on idle
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024

    MAIL_SERVER = os.environ.get("MAIL_SERVER", "127.0.0.1")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "8025"))
    MAIL_USE_TLS = _env_bool("MAIL_USE_TLS", False)
    MAIL_USE_SSL = _env_bool("MAIL_USE_SSL", False)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "Salon Privacy Portal <no-reply@localhost>")
    MAIL_TIMEOUT = int(os.environ.get("MAIL_TIMEOUT", "10"))

    # SMS: "file" writes one JSON line per SMS (development, tests); a provider plugs in behind it.
    SMS_BACKEND = os.environ.get("SMS_BACKEND", "file")
    SMS_FILE = os.environ.get("SMS_FILE", str(INSTANCE / "sms.log"))
    # SMS_BACKEND=http: the provider's REST API (portal/messaging/sms.py) and its signed reports.
    SMS_API_URL = os.environ.get("SMS_API_URL", "")
    SMS_API_KEY = os.environ.get("SMS_API_KEY", "")
    SMS_SENDER_ID = os.environ.get("SMS_SENDER_ID", "")
    SMS_WEBHOOK_SECRET = os.environ.get("SMS_WEBHOOK_SECRET", "")

    # Base of links in emails built outside a request (jobs, CLI).
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000")

    BABEL_DEFAULT_LOCALE = "de"
    BABEL_DEFAULT_TIMEZONE = "Europe/Berlin"
    BABEL_TRANSLATION_DIRECTORIES = str(ROOT / "portal" / "translations")
    LANGUAGES = ("de", "en")

    LOGIN_LIMIT_PER_IP = os.environ.get("LOGIN_LIMIT_PER_IP", "20 per 10 minutes")
    LOGIN_LIMIT_PER_ACCOUNT = os.environ.get("LOGIN_LIMIT_PER_ACCOUNT", "5 per 10 minutes")
    PASSWORD_HASH_METHOD = "scrypt"
    EMAIL_TOKEN_HOURS = 24
    JOB_FAILURE_TTL = 3600  # failed jobs keep their arguments; keep them briefly
    CUSTOMER_PAGE_SIZE = 25
    DEV_TOOLS = False
    TESTING = False


class DevConfig(Config):
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-not-secret")
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", False)
    DEV_TOOLS = True
    DEV_OUTBOX_DIR = os.environ.get("DEV_OUTBOX_DIR", str(INSTANCE / "outbox"))


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret"
    SESSION_COOKIE_SECURE = False
    WTF_CSRF_ENABLED = False  # the CSRF tests and the browser tests switch it on
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # fast in tests only
    MAIL_SUPPRESS_SEND = False  # tests deliver to a real SMTP sink
    SERVER_NAME = None


def config_for_env() -> type[Config]:
    name = os.environ.get("PORTAL_ENV", "production").lower()
    return {"development": DevConfig, "dev": DevConfig, "test": TestConfig}.get(name, Config)
