"""Art. 19 GDPR on an erasure request: every system of the processor register marked "remove by
hand on erasure" is ticked off as cleaned or skipped with a reason — who and when recorded —
before the request can be closed."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from portal.accountability.processors import erasure_list, name_of
from portal.audit import Actor
from portal.extensions import db
from portal.models import ErasureSystemCheck, PrivacyRequest

OUTCOMES = ("cleaned", "skipped")
MAX_REASON = 500


class TickError(ValueError):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass
class SystemRow:
    processor_id: int | None
    name: str
    check: ErasureSystemCheck | None
    by: str = ""  # who ticked it off, as the page names them


def systems(request: PrivacyRequest) -> list[SystemRow]:
    """The register's systems with their tick (if any), then ticks of entries deleted since."""
    checks = db.session.scalars(
        select(ErasureSystemCheck).where(ErasureSystemCheck.request_id == request.id).order_by(ErasureSystemCheck.id)
    ).all()
    by_processor = {c.processor_id: c for c in checks if c.processor_id}
    rows = [SystemRow(p.id, name_of(p), by_processor.get(p.id)) for p in erasure_list(request.account_id)]
    listed = {row.processor_id for row in rows}
    rows += [SystemRow(c.processor_id, c.system_name, c) for c in checks if c.processor_id not in listed]
    return rows


def open_systems(request: PrivacyRequest) -> list[SystemRow]:
    return [row for row in systems(request) if row.check is None]


def record_tick(actor: Actor, request: PrivacyRequest, processor_id: int, outcome: str, reason: str) -> SystemRow:
    """Store one tick (the caller holds the transaction and writes the request's event)."""
    row = next((r for r in systems(request) if r.processor_id == processor_id), None)
    if row is None:
        raise TickError("unknown")
    if row.check is not None:
        raise TickError("already")
    reason = " ".join((reason or "").split())
    if outcome not in OUTCOMES:
        raise TickError("outcome")
    if outcome == "skipped" and not reason:
        raise TickError("reason")
    if len(reason) > MAX_REASON:
        raise TickError("reason-long")
    row.check = ErasureSystemCheck(
        account_id=request.account_id,
        request_id=request.id,
        processor_id=processor_id,
        system_name=row.name,
        outcome=outcome,
        reason=reason if outcome == "skipped" else "",
        login_id=actor.login_id,
        employee_id=actor.employee_id,
    )
    db.session.add(row.check)
    db.session.flush()
    return row
