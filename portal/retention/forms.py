from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import DateField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from portal.web.forms import PortalForm


class HoldForm(PortalForm):
    reason = StringField(
        _l("Reason"), validators=[DataRequired(_l("Please give a reason for the hold.")), Length(max=300)]
    )
    until = DateField(
        _l("Hold until"), validators=[DataRequired(_l("Please enter the date until which the customer is kept."))]
    )

    def validate_until(self, field):
        today = current_user.account.today()
        if field.data and field.data < today:
            raise ValidationError(_l("The end of the hold cannot be in the past."))
