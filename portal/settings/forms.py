from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional

from portal.privacy.authorities import AUTHORITIES
from portal.web.forms import PortalForm


class LocationForm(PortalForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Please give the location a name.")), Length(max=200)])
    street = StringField(_l("Street and number"), validators=[Optional(), Length(max=200)])
    postal_code = StringField(_l("Postal code"), validators=[Optional(), Length(max=10)])
    city = StringField(_l("City"), validators=[Optional(), Length(max=100)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=20)])
    email = StringField(
        _l("Email"), validators=[Optional(), Email(_l("Please enter a valid email address.")), Length(max=254)]
    )
    state = SelectField(
        _l("State (Bundesland)"),
        choices=[(a.code, a.state) for a in AUTHORITIES],
        validators=[DataRequired(_l("Please choose a state from the list."))],
    )
    tax_id = StringField(_l("Tax number or VAT id"), validators=[Optional(), Length(max=40)])


class AccountSettingsForm(PortalForm):
    pin_required = BooleanField()
    two_factor_required = BooleanField()  # the owner's decision alone
