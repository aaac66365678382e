from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from portal.web.forms import PortalForm


class CodeForm(PortalForm):
    code = StringField(
        _l("Code from the app"),
        validators=[DataRequired(_l("Please enter the six-digit code from your app.")), Length(max=20)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )


class LoginCodeForm(PortalForm):
    code = StringField(
        _l("Code from the app, or a recovery code"),
        validators=[
            DataRequired(_l("Please enter the six-digit code from your app or one of your recovery codes.")),
            Length(max=20),
        ],
        render_kw={"autocomplete": "one-time-code"},
    )


class DisableForm(CodeForm):
    password = PasswordField(
        _l("Your password"), validators=[DataRequired(_l("Please enter your password.")), Length(max=200)]
    )
