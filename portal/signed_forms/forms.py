"""The designer's form (with one row per question), the hand-over, taking the tablet back and
recording a withdrawal of the health-data consent."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    FieldList,
    FormField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, Regexp

from portal.signed_forms.content import CONSENT_KINDS, FIELD_TYPES, INTERVALS, LIMITS, MAPPABLE
from portal.signed_forms.tablet import pin_holders
from portal.web.forms import PortalForm, PortalSubform

PIN_RULES = [
    DataRequired(_l("Please enter your PIN.")),
    Regexp(r"^\d{4,6}$", message=_l("The PIN must have 4 to 6 digits.")),
]


class FieldRowForm(PortalSubform):
    key = HiddenField()
    question = StringField(_l("Question or label"), validators=[Length(max=LIMITS["label"])])
    kind = SelectField(_l("Type"), choices=list(FIELD_TYPES.items()), default="text")
    choices = StringField(_l("Choices (separated by ;)"), validators=[Length(max=2000)])
    maps_to = SelectField(_l("Customer field"), choices=[("", "—"), *MAPPABLE.items()], default="")
    health = BooleanField(_l("Health data (Art. 9)"))
    required = BooleanField(_l("Required"))


class DesignerForm(PortalForm):
    title = StringField(
        _l("Title"), validators=[DataRequired(_l("Please give the form a title.")), Length(max=LIMITS["label"])]
    )
    intro = TextAreaField(_l("Introduction"), validators=[Length(max=LIMITS["intro"])])
    privacy_text = TextAreaField(
        _l("Privacy text"),
        validators=[DataRequired(_l("Please write the privacy text.")), Length(max=LIMITS["privacy_text"])],
    )
    interval = SelectField(_l("Ask again"), choices=list(INTERVALS.items()), default="once")
    all_services = BooleanField(_l("For all services"))
    services = SelectMultipleField(_l("For these services"), coerce=int, validate_choice=False)
    consent_email = TextAreaField(CONSENT_KINDS["email"], validators=[Length(max=LIMITS["consent"])])
    consent_sms = TextAreaField(CONSENT_KINDS["sms"], validators=[Length(max=LIMITS["consent"])])
    consent_photo = TextAreaField(CONSENT_KINDS["photo"], validators=[Length(max=LIMITS["consent"])])
    consent_health = TextAreaField(CONSENT_KINDS["health"], validators=[Length(max=LIMITS["consent"])])
    fields = FieldList(FormField(FieldRowForm), min_entries=1, max_entries=LIMITS["fields"])

    def raw(self) -> dict:
        """The input as `designer.normalise` takes it."""
        return {
            "title": self.title.data,
            "intro": self.intro.data,
            "privacy_text": self.privacy_text.data,
            "interval": self.interval.data,
            "consents": {kind: getattr(self, f"consent_{kind}").data for kind in CONSENT_KINDS},
            "fields": [
                {
                    "key": row.key.data,
                    "label": row.question.data,
                    "type": row.kind.data,
                    "choices": (row.choices.data or "").split(";"),
                    "maps_to": row.maps_to.data,
                    "health": row.health.data,
                    "required": row.required.data,
                }
                for row in (entry.form for entry in self.fields)
            ],
        }

    def fill(self, content: dict, form) -> None:
        """The form with a version's content (GET)."""
        self.title.data, self.intro.data = content["title"], content.get("intro", "")
        self.privacy_text.data, self.interval.data = content["privacy_text"], content.get("interval", "once")
        self.all_services.data = form.all_services
        self.services.data = [s.id for s in form.services]
        for kind in CONSENT_KINDS:
            getattr(self, f"consent_{kind}").data = content.get("consents", {}).get(kind, "")
        while len(self.fields):
            self.fields.pop_entry()
        for field in content["fields"]:
            self.fields.append_entry(
                {
                    **field,
                    "question": field["label"],
                    "kind": field["type"],
                    "choices": "; ".join(field.get("choices", [])),
                }
            )
        self.fields.append_entry()  # one spare row for a new question


class HandOverForm(PortalForm):
    form_id = SelectField(_l("Form"), coerce=int, validators=[DataRequired(_l("Please choose a form."))])
    # Record numbers, checked here: anything else is refused before a record is looked up.
    customer_id = HiddenField(
        validators=[Optional(), Regexp(r"^\d{1,9}$", message=_l("Please choose from the lists."))]
    )
    appointment_id = HiddenField(
        validators=[Optional(), Regexp(r"^\d{1,9}$", message=_l("Please choose from the lists."))]
    )
    locale = SelectField(_l("Language on the tablet"), choices=[("de", "Deutsch"), ("en", "English")], default="de")
    employee_id = SelectField(
        _l("Handed over by"), coerce=int, validators=[DataRequired(_l("Please choose your name."))]
    )
    pin = PasswordField(_l("Your PIN"), validators=PIN_RULES)


class TakeBackForm(PortalForm):
    employee_id = SelectField(_l("Employee"), coerce=int, validators=[DataRequired(_l("Please choose your name."))])
    pin = PasswordField(_l("PIN"), validators=PIN_RULES)


class WithdrawHealthForm(PortalForm):
    form_id = IntegerField(validators=[Optional()])
    confirm = BooleanField(validators=[DataRequired(_l("Please confirm that the customer withdrew the consent."))])


def hand_over_form(account_id: int, customer, appointment, forms) -> HandOverForm:
    """The hand-over, for a customer (and an appointment), offering these forms."""
    form = HandOverForm(formdata=None)
    form.form_id.choices = [(f.id, f.title) for f in forms]
    form.employee_id.choices = pin_holders(account_id)
    form.customer_id.data = str(customer.id) if customer else ""
    form.appointment_id.data = str(appointment.id) if appointment else ""
    return form
