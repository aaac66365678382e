"""One small form per section of the privacy settings page; each is saved on its own."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional, ValidationError

from portal.legal import RETENTION_MONTH_CHOICES
from portal.models.privacy import RequestsMode
from portal.privacy.authorities import AUTHORITIES
from portal.privacy.markup import MAX_LENGTH
from portal.validation import InvalidPhone, normalize_email, normalize_phone
from portal.web.converters import id_arg
from portal.web.forms import PortalForm


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _phone(field):
    if field.data:
        try:
            field.data = normalize_phone(field.data)
        except InvalidPhone as exc:
            raise ValidationError(_l("This is not a valid phone number.")) from exc


class RequestsForm(PortalForm):
    requests_mode = RadioField(
        _l("Data requests"),
        choices=[
            (
                RequestsMode.SELF_SERVICE,
                _l("Self-service: customers query or delete their own data online; you are notified"),
            ),
            (
                RequestsMode.MANUAL,
                _l("Manual: requests land in the inbox and your team answers them within the deadline"),
            ),
        ],
        validators=[DataRequired(_l("Please choose how data requests are handled."))],
    )

    def values(self) -> dict:
        return {"requests_mode": self.requests_mode.data}


class MarketingForm(PortalForm):
    marketing_enabled = BooleanField(_l("Use marketing functions (newsletters, birthday greetings, review requests)"))

    def values(self) -> dict:
        return {"marketing_enabled": bool(self.marketing_enabled.data)}


class NotificationForm(PortalForm):
    notification_email = EmailField(
        _l("Email address for notifications"),
        filters=[_strip],
        validators=[Optional(), Email(_l("This is not a valid email address.")), Length(max=254)],
    )

    def values(self) -> dict:
        return {"notification_email": normalize_email(self.notification_email.data) or ""}


class ControllerForm(PortalForm):
    controller_name = StringField(
        _l("Business name"),
        filters=[_strip],
        validators=[DataRequired(_l("Please enter the business name.")), Length(max=200)],
    )
    controller_street = StringField(
        _l("Street and number"),
        filters=[_strip],
        validators=[DataRequired(_l("Please enter the street.")), Length(max=200)],
    )
    controller_postal_code = StringField(
        _l("Postal code"),
        filters=[_strip],
        validators=[DataRequired(_l("Please enter the postal code.")), Length(max=10)],
    )
    controller_city = StringField(
        _l("City"), filters=[_strip], validators=[DataRequired(_l("Please enter the city.")), Length(max=100)]
    )
    controller_email = EmailField(
        _l("Contact email"),
        filters=[_strip],
        validators=[
            DataRequired(_l("Please enter a contact email.")),
            Email(_l("This is not a valid email address.")),
            Length(max=254),
        ],
    )
    controller_phone = StringField(_l("Contact phone"), filters=[_strip], validators=[Optional(), Length(max=30)])
    authority_code = SelectField(
        _l("Competent supervisory authority"),
        choices=[("", "—")] + [(a.code, f"{a.state}: {a.name}") for a in AUTHORITIES],
        validators=[DataRequired(_l("Please choose the supervisory authority."))],
    )

    def validate_controller_postal_code(self, field):
        if field.data and not (field.data.isdigit() and len(field.data) == 5):
            raise ValidationError(_l("A German postal code has five digits."))

    def validate_controller_phone(self, field):
        _phone(field)

    def values(self) -> dict:
        return {
            name: (normalize_email(field.data) or "") if name == "controller_email" else (field.data or "")
            for name, field in self._fields.items()
            if name.startswith(("controller_", "authority"))
        }


class DpoForm(PortalForm):
    dpo_name = StringField(_l("Name"), filters=[_strip], validators=[Length(max=200)])
    dpo_email = EmailField(
        _l("Email"),
        filters=[_strip],
        validators=[Optional(), Email(_l("This is not a valid email address.")), Length(max=254)],
    )
    dpo_phone = StringField(_l("Phone"), filters=[_strip], validators=[Optional(), Length(max=30)])
    dpo_address = StringField(_l("Address"), filters=[_strip], validators=[Length(max=300)])

    def validate_dpo_phone(self, field):
        _phone(field)

    def validate_dpo_name(self, field):
        others = (self.dpo_email.data, self.dpo_phone.data, self.dpo_address.data)
        if any(others) and not field.data:
            raise ValidationError(_l("Please enter the name of the data protection officer."))
        if field.data and not (self.dpo_email.data or self.dpo_phone.data):
            raise ValidationError(_l("Please give an email address or phone number to reach the officer."))

    def values(self) -> dict:
        return {
            "dpo_name": self.dpo_name.data or "",
            "dpo_email": normalize_email(self.dpo_email.data) or "",
            "dpo_phone": self.dpo_phone.data or "",
            "dpo_address": self.dpo_address.data or "",
        }


class ExtensionsForm(PortalForm):
    extensions = TextAreaField(
        _l("Your own passages"),
        validators=[Length(max=MAX_LENGTH, message=_l("At most %(max)d characters.", max=MAX_LENGTH))],
    )

    def values(self) -> dict:
        return {"extensions": (self.extensions.data or "").replace("\r\n", "\n").strip()}


class RetentionForm(PortalForm):
    retention_months = SelectField(
        _l("Forget inactive customers automatically after"),
        coerce=int,
        choices=[(0, _l("never (off)"))]
        + [(m, _l("%(months)d months without visit or purchase", months=m)) for m in RETENTION_MONTH_CHOICES],
    )
    marketing_window_months = IntegerField(
        _l("Marketing reaches customers active within (months)"),
        validators=[
            InputRequired(_l("Please enter a number of months.")),
            NumberRange(6, 60, message=_l("Between %(min)d and %(max)d months.", min=6, max=60)),
        ],
    )
    # The number of customers the owner was told would be forgotten (switching on or shortening).
    confirm = HiddenField()


class TradeSecretsForm(PortalForm):
    trade_secret = SelectMultipleField(validate_choice=False)  # the salon's own fields, checked by the service

    def field_ids(self) -> set[int]:
        """The chosen fields' numbers; ValueError for anything that cannot be one."""
        return {id_arg(value) for value in self.trade_secret.data or []}


LOCATION_FORMS = {
    "requests": RequestsForm,
    "marketing": MarketingForm,
    "notification": NotificationForm,
    "controller": ControllerForm,
    "dpo": DpoForm,
    "extensions": ExtensionsForm,
}
