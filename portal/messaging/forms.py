from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from portal.web.confirm import ConfirmForm
from portal.web.forms import PortalForm

KIND_LABELS = {"newsletter": _l("Newsletter"), "birthday": _l("Birthday greeting"), "review": _l("Review request")}
CHANNEL_LABELS = {"email": _l("Email"), "sms": _l("SMS")}
CONSENT_CHOICES = [("granted", _l("yes")), ("withdrawn", _l("no")), ("not_asked", _l("not asked"))]


MONTHS = [(0, _l("any")), *[(n, _l(name)) for n, name in enumerate(
    ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
     "November", "December"), start=1)]]  # fmt: skip


class CampaignForm(PortalForm):
    location_id = SelectField(_l("Location"), coerce=int)
    kind = SelectField(_l("Kind"), choices=list(KIND_LABELS.items()))
    channel = SelectField(_l("Channel"), choices=list(CHANNEL_LABELS.items()))
    subject = StringField(_l("Subject (email)"), validators=[Length(max=200)])
    body = TextAreaField(_l("Text"), validators=[DataRequired(_l("Please write the text.")), Length(max=10000)])
    # The audience, narrower than everyone eligible (each optional).
    active_months = IntegerField(_l("Visit or purchase within the last … months"), validators=[Optional()])
    this_location = BooleanField(_l("Only customers who visited this location"))
    service_ids = SelectMultipleField(_l("Only customers who received one of these services"), coerce=int)
    bonus_program_id = SelectField(_l("Only customers with a bonus card of"), coerce=int, default=0)
    birthday_month = SelectField(_l("Birthday in"), coerce=int, choices=MONTHS, default=0)
    min_age = IntegerField(_l("Aged at least"), validators=[Optional()])

    def filters(self) -> dict:
        return {name: getattr(self, name).data for name in FILTER_FIELDS if getattr(self, name).data}


FILTER_FIELDS = ("active_months", "this_location", "service_ids", "bonus_program_id", "birthday_month", "min_age")


class ScheduleForm(ConfirmForm):
    """Send now, or (send_at) at a moment in the salon's zone."""

    send_at = DateTimeLocalField(_l("Send at"), format="%Y-%m-%dT%H:%M", validators=[Optional()])


class MessagingSettingsForm(PortalForm):
    reminder_hours = IntegerField(
        _l("Send appointment reminders (hours before)"),
        validators=[
            DataRequired(_l("Please enter the hours.")),
            NumberRange(1, 168, message=_l("Between 1 and 168 hours.")),
        ],
    )
    review_is_marketing = BooleanField(_l("Treat review requests as marketing (consent needed)"))
    existing_customer_email = BooleanField(
        _l("Email existing customers about own similar services without consent (§ 7(3) UWG)")
    )


class NewCustomerConsentForm(PortalForm):
    """The new-customer prompt: does the customer agree to marketing?"""

    class Meta:
        csrf = False  # part of the customer form

    consent_email = RadioField(_l("Marketing by email?"), choices=CONSENT_CHOICES, default="not_asked")
    consent_sms = RadioField(_l("Marketing by SMS?"), choices=CONSENT_CHOICES, default="not_asked")


class RecordConsentForm(PortalForm):
    """Staff record a consent in the customer file (the PIN is asked by its own form)."""

    channel = StringField()
    status = StringField()
    method = StringField(default="oral")


class MessageOptionsForm(PortalForm):
    reminders_off = BooleanField()
    guardian_consent = BooleanField()


class AutomationForm(PortalForm):
    enabled = BooleanField(_l("Switched on"))
    channel = SelectField(_l("Channel"), choices=list(CHANNEL_LABELS.items()))
    subject = StringField(_l("Subject (email)"), validators=[Length(max=200)])
    body = TextAreaField(_l("Text"), validators=[DataRequired(_l("Please write the text.")), Length(max=10000)])
    # Empty or absent (another kind's field): the automation keeps its value.
    send_hour = IntegerField(_l("Send from (hour, salon's time)"), validators=[Optional()])
    delay_hours = IntegerField(_l("Hours after the visit"), validators=[Optional()])
    period_days = IntegerField(_l("At most once per customer within (days)"), validators=[Optional()])
    months = IntegerField(_l("Months without visit or purchase"), validators=[Optional()])


class ConsentRequestForm(ConfirmForm):
    again = BooleanField()  # the second and last round, for those who did not answer


class ConsentTextForm(PortalForm):
    text = TextAreaField(_l("Text"), validators=[DataRequired(_l("Please write the consent text.")), Length(max=5000)])


class SmsLengthForm(PortalForm):
    """The compose form's text, sent while typing for the SMS counter."""

    body = TextAreaField(validators=[Length(max=10000)])


class AppointmentTextForm(PortalForm):
    subject = StringField(_l("Subject (email)"), validators=[Length(max=200)])
    body = TextAreaField(_l("Text"), validators=[Length(max=2000)])
    back_to_portal = BooleanField(_l("Use the portal's text again"))
