from flask_babel import lazy_gettext as _l
from wtforms import EmailField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional

from portal.requests.labels import CHANNEL_LABELS, KIND_LABELS, KIND_SHORT
from portal.web.forms import PortalForm


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class PublicRequestForm(PortalForm):
    kind = SelectField(
        _l("What would you like?"),
        choices=list(KIND_LABELS.items()),
        validators=[DataRequired(_l("Please choose what you would like."))],
    )
    email = EmailField(
        _l("Your email address"),
        filters=[_strip],
        validators=[
            DataRequired(_l("Please enter your email address.")),
            Email(_l("This is not a valid email address.")),
            Length(max=254),
        ],
    )
    message = TextAreaField(
        _l("Your message (for corrections: what is wrong and what is right)"),
        validators=[Length(max=2000, message=_l("At most %(max)d characters.", max=2000))],
    )


class StaffRequestForm(PortalForm):
    kind = SelectField(_l("Request"), choices=list(KIND_SHORT.items()))
    channel = SelectField(_l("Received"), choices=[(k, v) for k, v in CHANNEL_LABELS.items() if k != "online"])
    location_id = SelectField(_l("Location"), coerce=int)
    note = TextAreaField(_l("Note"), validators=[Length(max=2000)])


class ExtendForm(PortalForm):
    months = IntegerField(
        _l("Extend by (months)"),
        default=1,
        validators=[
            DataRequired(_l("Please enter 1 or 2 months.")),
            NumberRange(1, 2, message=_l("Please enter 1 or 2 months.")),
        ],
    )
    reason = TextAreaField(
        _l("Reason (sent to the customer)"),
        filters=[_strip],
        validators=[DataRequired(_l("Please give the reason; the customer is told.")), Length(max=1000)],
    )


class RejectForm(PortalForm):
    reason = TextAreaField(
        _l("Reason (sent to the customer)"),
        filters=[_strip],
        validators=[DataRequired(_l("Please give the reason for the rejection.")), Length(max=1000)],
    )


class MergeForm(PortalForm):
    other_id = HiddenField(validators=[DataRequired()])


class LinkForm(PortalForm):
    customer_id = IntegerField(
        _l("Customer number"), validators=[DataRequired(_l("Please enter the customer number.")), NumberRange(1)]
    )
    note = StringField(validators=[Optional()])


class InboxSearchForm(PortalForm):
    q = StringField(_l("Search requests"), validators=[Length(max=200)])


class TickForm(PortalForm):
    """Art. 19: a system ticked off on an erasure request; skipping needs the reason."""

    reason = StringField(_l("Reason for skipping"), validators=[Length(max=500)])
