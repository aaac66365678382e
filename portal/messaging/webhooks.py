"""Delivery reports of the SMS provider (`POST /webhooks/sms`).

A report is believed only with a valid signature: `X-Signature: sha256=<hex>`, the HMAC-SHA256
of `<X-Timestamp>.<raw body>` with `SMS_WEBHOOK_SECRET`, the timestamp (Unix seconds) within five
minutes — a forged or replayed report changes nothing. The body is the provider's report
(Infobip's shape): `{"results": [{"messageId": "…", "status": {"groupName": "DELIVERED"}}]}`.
A message is found by the provider's id it was sent under; an unknown id is counted and left
alone; a report for a message already delivered or failed changes nothing (reports may come
twice)."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass

from sqlalchemy import update

from portal.extensions import db
from portal.models import Message, MessageStatus
from portal.transaction import transaction

MAX_AGE_SECONDS = 300
DELIVERED = {"DELIVERED"}
NOT_DELIVERED = {"UNDELIVERABLE", "EXPIRED", "REJECTED"}


class BadReport(ValueError):
    """Not signed by the provider (or too old), or not a report: `code` says which."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def signature(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify(secret: str, timestamp: str | None, given: str | None, body: bytes, now: float) -> None:
    if not secret:
        raise BadReport("not-configured")
    if not timestamp or not given or not timestamp.isdigit():
        raise BadReport("unsigned")
    if abs(now - int(timestamp)) > MAX_AGE_SECONDS:
        raise BadReport("stale")
    if not hmac.compare_digest(signature(secret, timestamp, body), given):
        raise BadReport("forged")


@dataclass
class Applied:
    updated: int
    unknown: int


@transaction
def apply_reports(body: bytes) -> Applied:
    try:
        results = json.loads(body)["results"]
        reports = [(str(r["messageId"]), str(r["status"]["groupName"]).upper()) for r in results]
    except (ValueError, KeyError, TypeError) as exc:
        raise BadReport("not-a-report") from exc
    updated = unknown = 0
    for provider_id, group in reports:
        if not provider_id:
            unknown += 1
            continue
        if group in DELIVERED:
            values = {"status": MessageStatus.DELIVERED}
        elif group in NOT_DELIVERED:
            values = {"status": MessageStatus.FAILED, "reason": "not_delivered"}
        else:
            values = None  # pending: wait for the final report
        known = db.session.query(Message.id).filter(Message.provider_id == provider_id).first()
        if known is None:
            unknown += 1
            continue
        if values:
            updated += db.session.execute(
                update(Message)
                .where(Message.provider_id == provider_id, Message.status == MessageStatus.SENT)
                .values(**values)
            ).rowcount
    return Applied(updated, unknown)
