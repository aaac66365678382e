from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from portal.web.forms import PortalForm

PIN_RULE = Regexp(r"^\d{4,6}$", message=_l("The PIN must have 4 to 6 digits."))


class EmployeeForm(PortalForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Please enter a name.")), Length(max=200)])
    location_id = SelectField(_l("Location"), coerce=int)
    pin = PasswordField(_l("Personal PIN"), validators=[Optional(), PIN_RULE])
    active = BooleanField(_l("Active"), default=True)


class NewEmployeeForm(EmployeeForm):
    pin = PasswordField(_l("Personal PIN"), validators=[DataRequired(_l("Please enter a PIN.")), PIN_RULE])
