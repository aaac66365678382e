"""The wizard's steps and the recipient's confirmation (the templates write the inputs)."""

from wtforms import BooleanField, PasswordField, SelectMultipleField, StringField

from portal.web.converters import id_arg
from portal.web.forms import PortalForm


class RecipientStepForm(PortalForm):
    recipient = StringField()  # a login's number; anything else is "no recipient chosen"

    @property
    def recipient_id(self) -> int | None:
        try:
            return id_arg(self.recipient.data or "")
        except ValueError:
            return None


class FieldsStepForm(PortalForm):
    fields = SelectMultipleField(validate_choice=False)  # checked against the salon's fields by the service
    file_format = StringField()
    repeat_downloads = BooleanField()
    health_confirmed = BooleanField()


class ConfirmExportForm(PortalForm):
    password = PasswordField()
