from flask_babel import lazy_gettext as _l
from wtforms import EmailField
from wtforms.validators import DataRequired, Length

from portal.auth.forms import NewPasswordMixin
from portal.web.forms import PortalForm


class ForgotForm(PortalForm):
    # No address check beyond the login form's: what cannot be a login simply gets no mail.
    email = EmailField(
        _l("Email of your login"), validators=[DataRequired(_l("Please enter your email.")), Length(max=254)]
    )


class NewPasswordForm(NewPasswordMixin, PortalForm):
    pass
