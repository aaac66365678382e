"""View helper for PIN confirmation: one small form, added to every change form when the salon
requires PINs for staff logins."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import PasswordField, SelectField
from wtforms.validators import DataRequired, Regexp

from portal.audit import Actor
from portal.auth.pin import PinError, pin_required_for, verify_pin
from portal.extensions import db
from portal.models import Employee
from portal.tenancy import scoped
from portal.web.actor import request_actor
from portal.web.forms import PortalForm

PIN_ERRORS = {
    "missing": lambda: _("Please choose your name and enter your PIN."),
    "wrong": lambda: _("The PIN is wrong. Nothing was changed."),
    "throttled": lambda: _("Too many wrong PINs. Please wait a few minutes."),
}


class PinConfirmForm(PortalForm):
    class Meta:
        csrf = False  # part of a larger form that carries the token

    employee_id = SelectField(_l("Employee"), coerce=int, validators=[DataRequired(_l("Please choose your name."))])
    pin = PasswordField(
        _l("Your PIN"),
        validators=[
            DataRequired(_l("Please enter your PIN.")),
            Regexp(r"^\d{4,6}$", message=_l("The PIN must have 4 to 6 digits.")),
        ],
    )


def pin_form():
    """The PIN form when this login must confirm changes, else None."""
    if not pin_required_for(current_user):
        return None
    form = PinConfirmForm(prefix="confirm")
    employees = db.session.scalars(
        scoped(Employee, current_user.account_id).where(Employee.active.is_(True)).order_by(Employee.name)
    )
    form.employee_id.choices = [(0, "—")] + [(e.id, e.name) for e in employees]
    return form


def acting(form: PinConfirmForm | None) -> Actor | None:
    """The actor for a change, with the employee when a PIN confirmed it; None (and the
    reason on the form) when the PIN is missing or wrong."""
    actor = request_actor()
    if form is None:
        return actor
    if not form.validate():
        return None
    try:
        employee = verify_pin(actor, form.employee_id.data, form.pin.data)
    except PinError as error:
        db.session.commit()  # nothing changed yet; this keeps the record of the failed PIN
        form.pin.errors = [*form.pin.errors, PIN_ERRORS[error.code]()]
        return None
    return actor.with_employee(employee.id)
