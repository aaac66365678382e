from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from portal.auth.service import MIN_PASSWORD_LENGTH
from portal.web.forms import PortalForm


class LoginForm(PortalForm):
    email = EmailField(_l("Email"), validators=[DataRequired(_l("Please enter your email.")), Length(max=254)])
    password = PasswordField(
        _l("Password"), validators=[DataRequired(_l("Please enter your password.")), Length(max=200)]
    )
    next = HiddenField()


class NewPasswordMixin:
    password = PasswordField(
        _l("New password"),
        validators=[
            DataRequired(_l("Please enter a password.")),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=200,
                message=_l("The password must have at least %(min)d characters.", min=MIN_PASSWORD_LENGTH),
            ),
        ],
    )
    password_repeat = PasswordField(
        _l("Repeat the new password"),
        validators=[EqualTo("password", message=_l("The two passwords do not match."))],
    )


class AcceptInviteForm(NewPasswordMixin, PortalForm):
    pass


class ChangePasswordForm(NewPasswordMixin, PortalForm):
    current_password = PasswordField(
        _l("Current password"), validators=[DataRequired(_l("Please enter your current password.")), Length(max=200)]
    )


class LanguageForm(PortalForm):
    locale = SelectField(_l("Language"), choices=[("de", "Deutsch"), ("en", "English")])


class InviteForm(PortalForm):
    email = EmailField(
        _l("Email"),
        validators=[
            DataRequired(_l("Please enter an email address.")),
            Email(_l("This is not a valid email address.")),
            Length(max=254),
        ],
    )
    name = StringField(_l("Name"), validators=[Length(max=200)])
    role = SelectField(_l("Role"), default="staff")  # the least rights unless chosen otherwise
    locale = SelectField(_l("Language"), choices=[("de", "Deutsch"), ("en", "English")])


class LoginRightsForm(PortalForm):
    role = SelectField(_l("Role"))
    active = BooleanField(_l("Active"))
    # Extra rights of an administrator; the service keeps only the grantable ones.
    grants = SelectMultipleField(validate_choice=False)
