"""The retention plan's form (one period per record the salon chooses), the TOM list's, and the
processor register's (an entry and its contract copy)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

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
