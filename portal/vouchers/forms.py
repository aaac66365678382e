from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, RadioField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from portal.web.forms import PortalForm
from portal.web.money import MoneyField

CLOSE_KINDS = [("paid_out", _l("Pay out the remaining value in cash")), ("voided", _l("Void the remaining value"))]


class VoucherForm(PortalForm):
    value = MoneyField(_l("Value (€)"), validators=[InputRequired(_l("Please enter the voucher's value."))])
    valid_until = DateField(_l("Valid until"), validators=[Optional()])


class CloseVoucherForm(PortalForm):
    kind = RadioField(
        _l("What happens to the remaining value"),
        choices=CLOSE_KINDS,
        validators=[DataRequired(_l("Please choose pay out or void."))],
    )
    reason = StringField(
        _l("Reason"), validators=[DataRequired(_l("Please give the reason; it is recorded.")), Length(max=300)]
    )
