"""The retention plan's form: one period per record the salon chooses."""

from __future__ import annotations

from wtforms import IntegerField
from wtforms.validators import Optional

from portal.accountability.records import CHOSEN
from portal.web.forms import PortalForm


class RetentionPlanForm(PortalForm):
    def values(self) -> dict[str, int | None]:
        return {kind.key: self[kind.key].data for kind in CHOSEN}


for _kind in CHOSEN:
    setattr(RetentionPlanForm, _kind.key, IntegerField(_kind.label, validators=[Optional()]))
