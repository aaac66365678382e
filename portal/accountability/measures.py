"""Technical and organisational measures (TOM, Art. 32 GDPR): what the portal provides by how it
works, what the salon does itself (marked done, with how), and the day each employee signed the
confidentiality commitment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.audit import Actor, record
from portal.extensions import db
from portal.models import ConfidentialityCommitment, Employee, SalonMeasure
from portal.models.base import utcnow
from portal.tenancy import scoped
from portal.transaction import transaction

# Provided by the portal (and its operator), each with where it is.
BY_THE_PORTAL = (
    (_l("Encryption in transit"), _l("HTTPS only: session cookies are marked Secure; the operator runs TLS.")),
    (
        _l("Passwords"),
        _l("Stored only as salted hashes; a second factor (TOTP) can be required for owners and administrators."),
    ),
    (
        _l("Sessions"),
        _l("Checked on the server at every request, ended after 30 minutes idle and on every password change."),
    ),
    (
        _l("Who did what"),
        _l("Every change in the histories with the login, on shared devices with the employee's PIN."),
    ),
    (_l("Who saw what"), _l("Opening a customer file is logged (data-access log, see the retention plan).")),
    (
        _l("Least privilege"),
        _l(
            "Roles (owner, administrator, staff, accountant) with rights of their own; extra rights granted one by one."
        ),
    ),
    (
        _l("Login protection"),
        _l("Growing waits after wrong passwords, the owners told; counters kept as keyed hashes."),
    ),
    (_l("Erasure"), _l("Erasure and automatic forgetting remove every trace of a person; numbers are never reused.")),
    (_l("Backups"), _l("As the operator configures them for the database (outside the portal).")),
)
# The salon's own measures.
SALON_MEASURES = {
    "screen_lock": _l("The salon's tablet and computers lock the screen when left"),
    "paper_locked": _l("Paper records (forms, appointment book) are locked away"),
    "separate_logins": _l("Everyone has a login or PIN of their own; no shared passwords"),
    "leavers": _l("Logins of people who leave are switched off the same day"),
    "devices_updated": _l("Devices and browsers get their updates"),
}


class MeasureError(ValueError):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass
class MeasureState:
    key: str
    label: object
    done: bool
    note: str


def salon_measures(account_id: int) -> list[MeasureState]:
    saved = {m.key: m for m in db.session.scalars(scoped(SalonMeasure, account_id))}
    return [
        MeasureState(key, label, saved[key].done if key in saved else False, saved[key].note if key in saved else "")
        for key, label in SALON_MEASURES.items()
    ]


def commitments(account_id: int) -> list[tuple[Employee, date | None]]:
    signed = dict(
        db.session.execute(
            select(ConfidentialityCommitment.employee_id, ConfidentialityCommitment.signed_on).where(
                ConfidentialityCommitment.account_id == account_id
            )
        ).all()
    )
    employees = db.session.scalars(scoped(Employee, account_id).order_by(Employee.name)).all()
    return [(employee, signed.get(employee.id)) for employee in employees]


@transaction
def save_measure(actor: Actor, key: str, done: bool, note: str) -> bool:
    if key not in SALON_MEASURES:
        raise MeasureError("unknown")
    measure = db.session.scalar(
        select(SalonMeasure).where(SalonMeasure.account_id == actor.account_id, SalonMeasure.key == key)
    )
    note = " ".join(note.split())[:500]
    if measure is None:
        measure = SalonMeasure(account_id=actor.account_id, key=key, done=False, note="")
        db.session.add(measure)
    if (measure.done, measure.note) == (done, note):
        return False
    # Only what changed goes into the history: a changed note alone is no "done: yes → yes".
    changes = {
        field: {"old": before, "new": after}
        for field, before, after in (("done", measure.done, done), ("how", measure.note, note))
        if before != after
    }
    measure.done, measure.note, measure.updated_at = done, note, utcnow()
    db.session.flush()
    record(actor, "setting", "updated", "salon_measure", measure.id, changes, summary=str(SALON_MEASURES[key]))
    return True


@transaction
def save_commitment(actor: Actor, employee: Employee, signed_on: date | None, today: date) -> bool:
    """The day an employee signed (None: not signed); not in the future."""
    if signed_on is not None and signed_on > today:
        raise MeasureError("future")
    row = db.session.scalar(
        select(ConfidentialityCommitment).where(ConfidentialityCommitment.employee_id == employee.id)
    )
    old = row.signed_on if row else None
    if old == signed_on:
        return False
    if signed_on is None:
        db.session.delete(row)
    elif row is None:
        db.session.add(
            ConfidentialityCommitment(account_id=actor.account_id, employee_id=employee.id, signed_on=signed_on)
        )
    else:
        row.signed_on = signed_on
    record(
        actor,
        "setting",
        "updated",
        "employee",
        employee.id,
        {
            "confidentiality_signed_on": {
                "old": old.isoformat() if old else None,
                "new": signed_on.isoformat() if signed_on else None,
            }
        },
        summary=employee.name,
    )
    return True
