"""Logins (people with a password), their server-side sessions, and employees (PIN holders)."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.account import Account
from portal.models.base import TenantMixin, UTCDateTime, utcnow


class Login(TenantMixin, UserMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    # Lower-cased; unique across the deployment because the login form asks only for the email.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str | None] = mapped_column(String(255), nullable=True)
    role: Mapped[str] = mapped_column(String(20))
    # Extra permissions the owner granted (admins only), as permission values.
    extra_permissions: Mapped[list[str]] = mapped_column(JSON, default=list)
    locale: Mapped[str] = mapped_column(String(5), default="de")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Bumped on password change and deactivation: every older session stops working.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # Two-factor login (TOTP, RFC 6238): the secret while it is being set up, the secret in use,
    # and the last 30-second step a code was accepted for (each code counts once).
    totp_pending_secret: Mapped[str | None] = mapped_column(String(64), nullable=True)
    totp_secret: Mapped[str | None] = mapped_column(String(64), nullable=True)
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    totp_last_step: Mapped[int | None] = mapped_column(Integer, nullable=True)

    account: Mapped[Account] = relationship(lazy="joined")

    @property
    def has_two_factor(self) -> bool:
        return self.totp_enabled_at is not None

    # Flask-Login identifies the request by the server-side session, set in auth/sessions.py.
    session_id = None

    def get_id(self) -> str | None:
        return self.session_id

    @property
    def is_active(self) -> bool:  # Flask-Login
        return bool(self.active)

    @property
    def display_name(self) -> str:
        return self.name or self.email


class RecoveryCode(TenantMixin, db.Model):
    """One of ten single-use codes for a login whose phone is gone; stored as a hash only."""

    id: Mapped[int] = mapped_column(primary_key=True)
    login_id: Mapped[int] = mapped_column(ForeignKey("login.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class LoginSession(TenantMixin, db.Model):
    """One browser session; checked on every request so logout and idle timeout are real."""

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    login_id: Mapped[int] = mapped_column(ForeignKey("login.id", ondelete="CASCADE"), index=True)
    session_version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    ip: Mapped[str] = mapped_column(String(45), default="")
    user_agent: Mapped[str] = mapped_column(String(300), default="")

    login: Mapped[Login] = relationship(lazy="joined")


class Employee(TenantMixin, db.Model):
    """A person working in the salon; identifies with a personal PIN on shared devices."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    pin_hash: Mapped[str | None] = mapped_column(String(255), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    location_id: Mapped[int | None] = mapped_column(ForeignKey("location.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
