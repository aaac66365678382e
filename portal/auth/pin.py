"""Mitarbeiter-PIN: on shared salon devices a staff login confirms each change with the
personal PIN of the employee doing it, so the history names the person, not the device."""

from __future__ import annotations

from flask import current_app
from limits import parse
from werkzeug.security import check_password_hash

from portal.audit import Actor, record
from portal.auth.permissions import Role
from portal.extensions import db
from portal.models import Account, Employee
from portal.rate_limits import attempts

PIN_LIMIT = "5 per 10 minutes"


class PinError(Exception):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def pin_required_for(login) -> bool:
    """Staff logins (shared devices) confirm changes with a PIN when the salon switched it on."""
    account = db.session.get(Account, login.account_id)
    return bool(account and account.pin_required and login.role == Role.STAFF)


def verify_pin(actor: Actor, employee_id: int | None, pin: str) -> Employee:
    """The employee whose PIN this is, or PinError. Wrong PINs are rate-limited per employee
    and written to the login history (committed by the caller even though the change is not)."""
    if not employee_id or not pin:
        raise PinError("missing")
    employee = db.session.get(Employee, employee_id)
    if employee is None or employee.account_id != actor.account_id or not employee.active:
        raise PinError("wrong")
    item = parse(current_app.config.get("PIN_LIMIT", PIN_LIMIT))
    key = ("pin", str(actor.account_id), str(employee.id))
    if not attempts.test(item, *key):
        record(actor, "login", "pin_locked", "employee", employee.id, summary=employee.name)
        raise PinError("throttled")
    if not employee.pin_hash or not check_password_hash(employee.pin_hash, pin):
        attempts.hit(item, *key)
        record(actor, "login", "pin_failed", "employee", employee.id, summary=employee.name)
        raise PinError("wrong")
    return employee
