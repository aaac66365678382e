"""Filters of the history pages (GET, no CSRF: they change nothing) and the login-history export."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, SelectField
from wtforms.validators import DataRequired, Optional, ValidationError

from portal.web.forms import PortalForm


def one_year_after(day: date) -> date:
    """The same date a year later; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


class PeriodMixin:
    def validate_end(self, field):
        if field.data and self.start.data and field.data < self.start.data:
            raise ValidationError(_l("The end of the period cannot be before its start."))


class LogFilterForm(PeriodMixin, PortalForm):
    class Meta:
        csrf = False

    start = DateField(_l("From"), validators=[Optional()])
    end = DateField(_l("Until"), validators=[Optional()])
    employee = SelectField(_l("Employee (PIN)"), coerce=int, default=0, validate_choice=True)
    login = SelectField(_l("Login"), coerce=int, default=0, validate_choice=True)
    entity_type = SelectField(_l("Setting"), default="")
    customer = IntegerField(validators=[Optional()])
    appointment = IntegerField(_l("Appointment no."), validators=[Optional()])


class LoginHistoryExportForm(PeriodMixin, PortalForm):
    login = SelectField(_l("Login"), coerce=int, validators=[DataRequired(_l("Please choose a login."))])
    start = DateField(_l("From"), validators=[DataRequired(_l("Please enter the start of the period."))])
    end = DateField(_l("Until"), validators=[DataRequired(_l("Please enter the end of the period."))])

    def validate_end(self, field):
        super().validate_end(field)
        if field.data and self.start.data and field.data > one_year_after(self.start.data):
            raise ValidationError(_l("The period may be at most one year."))
