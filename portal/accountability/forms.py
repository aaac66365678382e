"""The retention plan's form (one period per record the salon chooses) and the TOM list's."""

from __future__ import annotations

from wtforms import BooleanField, DateField, IntegerField, StringField
from wtforms.validators import Length, Optional

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
