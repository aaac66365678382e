from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from portal.bonus.service import MAX_STAMPS, ProgramData
from portal.web.forms import PortalForm


class ProgramForm(PortalForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Please give the program a name.")), Length(max=200)])
    stamps_required = IntegerField(
        _l("Stamps for a full card"),
        default=10,
        validators=[
            InputRequired(_l("Please enter how many stamps fill a card.")),
            NumberRange(1, MAX_STAMPS, message=_l("Between 1 and 50 stamps.")),
        ],
    )
    reward = StringField(_l("Reward"), validators=[DataRequired(_l("Please describe the reward.")), Length(max=200)])
    service_ids = SelectMultipleField(
        _l("Services that earn a stamp"),
        coerce=int,
        validators=[DataRequired(_l("Please choose at least one service."))],
    )
    active = BooleanField(_l("Active"), default=True)

    def to_data(self) -> ProgramData:
        return ProgramData(
            self.name.data or "",
            self.stamps_required.data or 0,
            self.reward.data or "",
            list(self.service_ids.data or []),
            bool(self.active.data),
        )


class ActivateCardForm(PortalForm):
    program_id = SelectField(_l("Bonus program"), coerce=int, validators=[DataRequired(_l("Please choose a program."))])
