"""Employees (Mitarbeiter) and their personal PINs."""

from __future__ import annotations

import re

from portal.audit import Actor, field_changes, record
from portal.auth.service import hash_secret
from portal.extensions import db
from portal.models import Employee, Location, Login
from portal.tenancy import scoped
from portal.transaction import transaction

PIN_PATTERN = re.compile(r"^\d{4,6}$")


class TeamError(Exception):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def _checked_pin(pin: str) -> str:
    if not PIN_PATTERN.match(pin or ""):
        raise TeamError("pin-format")
    return hash_secret(pin)


@transaction
def create_employee(actor: Actor, name: str, pin: str, location_id: int | None) -> Employee:
    employee = Employee(
        account_id=actor.account_id, name=name.strip(), pin_hash=_checked_pin(pin), location_id=location_id, active=True
    )
    db.session.add(employee)
    db.session.flush()
    record(
        actor,
        "setting",
        "created",
        "employee",
        employee.id,
        field_changes({"name": (None, employee.name), "location_id": (None, location_id), "pin": (None, PIN_SET)}),
        summary=employee.name,
    )
    return employee


# A PIN never enters the history, only the fact that it was set or changed.
PIN_SET = "••••"


@transaction
def update_employee(
    actor: Actor, employee: Employee, name: str, pin: str | None, location_id: int | None, active: bool
) -> None:
    changes = {
        field: (old, new)
        for field, old, new in (
            ("name", employee.name, name.strip()),
            ("location_id", employee.location_id, location_id),
            ("active", bool(employee.active), bool(active)),
        )
        if old != new
    }
    if pin:
        employee.pin_hash = _checked_pin(pin)
        changes["pin"] = (PIN_SET, PIN_SET)
    if not changes:
        return
    employee.name = name.strip()
    employee.location_id = location_id
    employee.active = active
    record(actor, "setting", "updated", "employee", employee.id, field_changes(changes), summary=employee.name)


def team_page(account_id: int) -> dict:
    """Settings > Team: the logins, the employees and the locations to choose from."""
    return {
        "logins": db.session.scalars(scoped(Login, account_id).order_by(Login.role, Login.email)).all(),
        "employees": db.session.scalars(scoped(Employee, account_id).order_by(Employee.name)).all(),
    }


def locations(account_id: int) -> list[tuple[int, str]]:
    return [(loc.id, loc.name) for loc in db.session.scalars(scoped(Location, account_id).order_by(Location.id))]
