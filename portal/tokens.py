"""Email-link tokens: a signed (row id, nonce) pair plus a DB row that makes them single-use.

GET pages only *check* a token (mail scanners prefetch links); POST *consumes* it with one
atomic UPDATE, so a token can never be used twice, even by two requests at the same moment.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import update

from portal.bulk import insert_rows
from portal.extensions import db
from portal.models import EmailToken
from portal.models.base import utcnow
from portal.transaction import reserve_ids


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="email-token")


def issue(account_id: int, purpose: str, subject: dict, hours: int | None = None) -> EmailToken:
    hours = hours or current_app.config["EMAIL_TOKEN_HOURS"]
    token = EmailToken(
        account_id=account_id,
        purpose=purpose,
        nonce=secrets.token_urlsafe(24),
        subject=subject,
        expires_at=utcnow() + timedelta(hours=hours),
    )
    db.session.add(token)
    db.session.flush()
    return token


def issue_many(account_id: int, purpose: str, subjects: list[dict], hours: int) -> list[str]:
    """Many tokens in one statement (a campaign's unsubscribe links); their link values, in order."""
    ids = reserve_ids(EmailToken.__tablename__, len(subjects))
    nonces = [secrets.token_urlsafe(24) for _ in subjects]
    now = utcnow()
    insert_rows(
        EmailToken.__table__,
        [{"id": i, "nonce": n, "subject": s} for i, n, s in zip(ids, nonces, subjects, strict=True)],
        {"account_id": account_id, "purpose": purpose, "created_at": now, "expires_at": now + timedelta(hours=hours)},
    )
    serializer = _serializer()
    return [serializer.dumps([i, n]) for i, n in zip(ids, nonces, strict=True)]


def link_value(token: EmailToken) -> str:
    """The string that goes into the link; deterministic, so a job can rebuild it from the id."""
    return _serializer().dumps([token.id, token.nonce])


def _decode(value: str, purpose: str) -> EmailToken | None:
    try:
        token_id, nonce = _serializer().loads(value)
    except (BadSignature, ValueError, TypeError):
        return None
    token = db.session.get(EmailToken, token_id)
    if token is None or token.purpose != purpose or not secrets.compare_digest(token.nonce, nonce):
        return None
    return token


def check(value: str, purpose: str) -> EmailToken | None:
    """The token if it is genuine, unused and unexpired; changes nothing."""
    token = _decode(value, purpose)
    if token is None or token.used_at is not None or token.expires_at <= utcnow():
        return None
    return token


def consume(value: str, purpose: str) -> EmailToken | None:
    """Mark the token used in the caller's transaction; None if it was not usable."""
    token = _decode(value, purpose)
    if token is None:
        return None
    now = utcnow()
    result = db.session.execute(
        update(EmailToken)
        .where(
            EmailToken.id == token.id,
            EmailToken.used_at.is_(None),
            EmailToken.expires_at > now,
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return None
    db.session.refresh(token)
    return token
