from flask_babel import lazy_gettext as _l
from wtforms import DateField, HiddenField, IntegerField, SelectField, StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from portal.appointments.service import AppointmentData
from portal.web.forms import PortalForm


class AppointmentForm(PortalForm):
    location_id = SelectField(_l("Location"), coerce=int, validators=[DataRequired(_l("Please choose a location."))])
    service_id = SelectField(_l("Service"), coerce=int)
    employee_id = SelectField(_l("Employee"), coerce=int)
    day = DateField(_l("Date"), validators=[DataRequired(_l("Please enter a date."))])
    start = TimeField(_l("Time"), validators=[DataRequired(_l("Please enter a time."))])
    duration_minutes = IntegerField(
        _l("Duration (minutes)"),
        default=30,
        validators=[
            DataRequired(_l("Please enter a duration.")),
            NumberRange(5, 600, message=_l("Between 5 and 600 minutes.")),
        ],
    )
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=2000)])

    def data_object(self) -> AppointmentData:
        return AppointmentData(
            location_id=self.location_id.data,
            service_id=self.service_id.data or None,
            employee_id=self.employee_id.data or None,
            day=self.day.data,
            start=self.start.data,
            duration_minutes=self.duration_minutes.data,
            notes=(self.notes.data or "").strip(),
        )


class CancelForm(PortalForm):
    reason = StringField(_l("Reason (optional)"), validators=[Optional(), Length(max=200)])
    confirm = HiddenField()  # "yes" from the confirmation dialog (portal/web/confirm.py)
