"""Employees (Mitarbeiter) and their personal PINs."""

from __future__ import annotations

import re

from portal.auth.service import hash_secret
from portal.extensions import db
from portal.models import Employee

PIN_PATTERN = re.compile(r"^\d{4,6}$")


class TeamError(Exception):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def _checked_pin(pin: str) -> str:
    if not PIN_PATTERN.match(pin or ""):
        raise TeamError("pin-format")
    return hash_secret(pin)


def create_employee(account_id: int, name: str, pin: str, location_id: int | None) -> Employee:
    employee = Employee(account_id=account_id, name=name.strip(), pin_hash=_checked_pin(pin),
                        location_id=location_id, active=True)
    db.session.add(employee)
    db.session.flush()
    return employee


def update_employee(employee: Employee, name: str, pin: str | None, location_id: int | None,
                    active: bool) -> None:
    employee.name = name.strip()
    employee.location_id = location_id
    employee.active = active
    if pin:
        employee.pin_hash = _checked_pin(pin)
