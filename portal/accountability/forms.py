"""The retention plan's form (one period per record the salon chooses), the TOM list's, and the
processor register's (an entry and its contract copy), and the breach register's."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Length, Optional

from portal.accountability.breaches import FACTS as BREACH_FACTS
from portal.accountability.processing import OWN_FIELDS as OWN_ACTIVITY_FIELDS
from portal.accountability.processors import FIELDS, REGIONS, TRANSFER_MECHANISMS
from portal.accountability.records import CHOSEN
from portal.web.forms import PortalForm


class RetentionPlanForm(PortalForm):
    def values(self) -> dict[str, int | None]:
        return {kind.key: self[kind.key].data for kind in CHOSEN}


for _kind in CHOSEN:
    setattr(RetentionPlanForm, _kind.key, IntegerField(_kind.label, validators=[Optional()]))


class MeasureForm(PortalForm):
    done = BooleanField()
    note = StringField(validators=[Length(max=500)])


class CommitmentForm(PortalForm):
    signed_on = DateField(validators=[Optional()], format="%Y-%m-%d")


class ProcessorForm(PortalForm):
    name = StringField(_l("Name of the company"), validators=[Length(max=200)])
    address = TextAreaField(_l("Address"), validators=[Length(max=500)])
    service = StringField(_l("What it does for the salon"), validators=[Length(max=300)])
    data_categories = TextAreaField(_l("Categories of data it processes"), validators=[Length(max=500)])
    region = RadioField(_l("Where the data is processed"), choices=list(REGIONS.items()), validate_choice=False)
    country = StringField(_l("Country of processing"), validators=[Length(max=100)])
    transfer_mechanism = SelectField(
        _l("Safeguard for the transfer"),
        choices=[("", _l("— choose —")), *TRANSFER_MECHANISMS.items()],
        validate_choice=False,
    )
    dpa_signed_on = DateField(_l("Data processing agreement signed on"), validators=[Optional()], format="%Y-%m-%d")
    review_on = DateField(_l("Review on"), validators=[Optional()], format="%Y-%m-%d")
    erase_by_hand = BooleanField(_l("On an erasure, the customer must be removed there by hand (Art. 19 GDPR)"))

    def values(self) -> dict:
        return {name: self[name].data for name in FIELDS}


class DpaUploadForm(PortalForm):
    dpa_file = FileField(_l("Signed data processing agreement (PDF, at most 10 MB)"))


def _utc(moment: datetime | None, zone: str) -> datetime | None:
    """A time typed in the salon's zone, as stored (UTC)."""
    return moment.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC) if moment else None


class BreachForm(PortalForm):
    occurred_at = DateTimeLocalField(_l("When it happened"), validators=[Optional()], format="%Y-%m-%dT%H:%M")
    aware_at = DateTimeLocalField(
        _l("When the salon became aware of it"), validators=[Optional()], format="%Y-%m-%dT%H:%M"
    )
    description = TextAreaField(_l("What happened"))
    data_categories = TextAreaField(_l("Which data"))
    people_affected = IntegerField(_l("People affected (approximately)"), validators=[Optional()])
    records_affected = IntegerField(_l("Records affected (approximately, optional)"), validators=[Optional()])
    consequences = TextAreaField(_l("Likely consequences for the people"))
    measures = TextAreaField(_l("Measures taken or planned"))

    def values(self, zone: str) -> dict:
        return {
            **{name: self[name].data for name in BREACH_FACTS},
            "occurred_at": _utc(self.occurred_at.data, zone),
            "aware_at": _utc(self.aware_at.data, zone),
        }

    @classmethod
    def of(cls, breach, zone: str) -> BreachForm:
        """Filled from a breach, its times in the salon's zone."""
        values = {name: getattr(breach, name) for name in BREACH_FACTS}
        for name in ("occurred_at", "aware_at"):
            values[name] = values[name].astimezone(ZoneInfo(zone)).replace(tzinfo=None)
        return cls(formdata=None, **values)


class NotifiedForm(PortalForm):
    notified_at = DateTimeLocalField(_l("Notified on"), validators=[Optional()], format="%Y-%m-%dT%H:%M")
    authority_reference = StringField(_l("The authority's reference (optional)"), validators=[Length(max=200)])
    late_reason = TextAreaField(_l("Reasons for the delay (after 72 hours)"))

    def moment(self, zone: str) -> datetime | None:
        return _utc(self.notified_at.data, zone)


class NoNotificationForm(PortalForm):
    reason = TextAreaField(_l("Why no notification is needed"))


class PeopleDecisionForm(PortalForm):
    inform_people = RadioField(
        _l("Must the people affected be told (Art. 34 GDPR)?"),
        choices=[("yes", _l("Yes: a high risk to their rights and freedoms is likely")), ("no", _l("No"))],
        validate_choice=False,
    )
    inform_reasoning = TextAreaField(_l("Reasoning"))


class BreachNoticeForm(PortalForm):
    notice_subject = StringField(_l("Subject"), validators=[Length(max=200)])
    notice_body = TextAreaField(_l("Message"))
    location_id = SelectField(_l("Who is affected"), coerce=str, validate_choice=False)
    active_months = IntegerField(_l("Only customers active within (months, optional)"), validators=[Optional()])
    confirm = HiddenField()

    def filters(self) -> dict:
        location = self.location_id.data
        return {
            "location_id": int(location) if location and location.isdigit() else None,
            "active_months": self.active_months.data
            if self.active_months.data and self.active_months.data > 0
            else None,
        }


class RecordNoteForm(PortalForm):
    note = TextAreaField(_l("Note"), validators=[Length(max=2000)])


class OwnActivityForm(PortalForm):
    name = StringField(_l("Name of the activity"), validators=[Length(max=200)])
    purpose = TextAreaField(_l("Purposes"), validators=[Length(max=2000)])
    legal_basis = StringField(_l("Legal basis"), validators=[Length(max=300)])
    data_subjects = StringField(_l("Data subjects"), validators=[Length(max=500)])
    data_categories = TextAreaField(_l("Categories of personal data"), validators=[Length(max=2000)])
    recipients = StringField(_l("Recipients"), validators=[Length(max=500)])
    retention = StringField(_l("Erasure periods"), validators=[Length(max=500)])

    def values(self) -> dict:
        return {name: self[name].data for name in OWN_ACTIVITY_FIELDS}
