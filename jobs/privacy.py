"""Privacy jobs: access packages, the daily round (reminders, purges), and breaches: the owners
reminded of the 72-hour deadline, the people told (Art. 34)."""

from datetime import UTC, datetime

from portal.accountability import breach_notices, breaches, evidence
from portal.requests.access import deliver_package
from portal.requests.daily import run_daily


def build_access_package(request_id: int) -> str:
    return deliver_package(request_id)


def daily() -> dict:
    return run_daily()


def breach_reminders(at: int | None = None) -> int:
    """`at`: the moment to check as a Unix time (tests and catch-up runs); now when left out."""
    return breaches.send_deadline_reminders(datetime.fromtimestamp(at, UTC) if at is not None else None)


def send_breach_notices(breach_id: int) -> str:
    return breach_notices.send(breach_id)


def build_evidence_pack(pack_id: int) -> str:
    return evidence.build(pack_id)
