"""Customer form with the salon's own custom fields added per request."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from flask_babel import lazy_gettext as _l
from wtforms import DateField, DecimalField, EmailField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp, ValidationError

from portal.models import CustomerFieldDefinition
from portal.validation import InvalidPhone, normalize_email, normalize_phone
from portal.web.forms import PortalForm

COUNTRIES = [
    ("DE", "Deutschland"),
    ("AT", "Österreich"),
    ("CH", "Schweiz"),
    ("NL", "Nederland"),
    ("PL", "Polska"),
    ("FR", "France"),
    ("IT", "Italia"),
]


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class CustomerForm(PortalForm):
    # The salon's date, set by `customer_form_class`: a birthday is "in the future" by the
    # salon's calendar, not the server's.
    salon_today: date

    first_name = StringField(_l("First name"), filters=[_strip], validators=[Length(max=100)])
    last_name = StringField(
        _l("Last name"), filters=[_strip], validators=[DataRequired(_l("Please enter the last name.")), Length(max=100)]
    )
    email = EmailField(
        _l("Email"),
        filters=[_strip],
        validators=[Optional(), Email(_l("This is not a valid email address.")), Length(max=254)],
    )
    phone = StringField(_l("Phone"), filters=[_strip], validators=[Optional(), Length(max=30)])
    birthday = DateField(_l("Birthday"), validators=[Optional()], format="%Y-%m-%d")
    street = StringField(_l("Street and number"), filters=[_strip], validators=[Length(max=200)])
    postal_code = StringField(
        _l("Postal code"),
        filters=[_strip],
        validators=[Optional(), Regexp(r"^[0-9A-Za-z \-]{3,10}$", message=_l("This is not a valid postal code."))],
    )
    city = StringField(_l("City"), filters=[_strip], validators=[Length(max=100)])
    country = SelectField(_l("Country"), choices=COUNTRIES, default="DE")
    notes = TextAreaField(
        _l("Notes"), validators=[Length(max=5000, message=_l("At most %(max)d characters.", max=5000))]
    )

    def validate_phone(self, field):
        if field.data:
            try:
                field.data = normalize_phone(field.data, self.country.data or "DE")
            except InvalidPhone as exc:
                raise ValidationError(_l("This is not a valid phone number.")) from exc

    def validate_birthday(self, field):
        if field.data and field.data > self.salon_today:
            raise ValidationError(_l("The birthday cannot be in the future."))
        if field.data and field.data.year < 1900:
            raise ValidationError(_l("Please check the year of birth."))

    def validate_postal_code(self, field):
        if field.data and self.country.data == "DE" and not (field.data.isdigit() and len(field.data) == 5):
            raise ValidationError(_l("A German postal code has five digits."))

    def standard_data(self) -> dict:
        return {
            "first_name": self.first_name.data or "",
            "last_name": self.last_name.data or "",
            "email": normalize_email(self.email.data),
            "phone": self.phone.data or None,
            "birthday": self.birthday.data,
            "street": self.street.data or "",
            "postal_code": (self.postal_code.data or "").upper(),
            "city": self.city.data or "",
            "country": self.country.data or "DE",
            "notes": self.notes.data or "",
        }

    def custom_data(self) -> dict[int, str]:
        values = {}
        for name, field in self._fields.items():
            if name.startswith("cf_"):
                data = field.data
                if data is None:
                    data = ""
                elif isinstance(data, date):
                    data = data.isoformat()
                values[int(name[3:])] = str(data).strip()
        return values

    def custom_fields(self):
        return [field for name, field in self._fields.items() if name.startswith("cf_")]


def _custom_field(label: str, kind: str, choices: tuple[str, ...]):
    if kind == "number":
        return DecimalField(label, validators=[Optional()], places=None)
    if kind == "date":
        return DateField(label, validators=[Optional()], format="%Y-%m-%d")
    if kind == "choice":
        return SelectField(label, choices=[("", "—")] + [(c, c) for c in choices])
    if kind == "textarea":
        return TextAreaField(label, filters=[_strip], validators=[Length(max=5000)])
    return StringField(label, filters=[_strip], validators=[Length(max=500)])


def customer_form_class(definitions: list[CustomerFieldDefinition], salon_today: date) -> type[CustomerForm]:
    """The customer form with the salon's own fields, as they are defined now."""
    shape = tuple((d.id, d.label, d.field_type, tuple(d.choices or ())) for d in definitions)
    return _form_class(shape, salon_today)


# Made once per shape of the salon's fields and day: making a form class (WTForms binds every
# field anew for a new class) cost as much as the rest of the customer file's data tab.
@lru_cache(maxsize=256)
def _form_class(shape: tuple, salon_today: date) -> type[CustomerForm]:
    attrs = {f"cf_{field_id}": _custom_field(label, kind, choices) for field_id, label, kind, choices in shape}
    attrs["salon_today"] = salon_today
    return type("SalonCustomerForm", (CustomerForm,), attrs)


def fill_custom(form: CustomerForm, values: dict[int, str], definitions: list[CustomerFieldDefinition]) -> None:
    """Put stored custom values into a GET form (they are strings in the database)."""
    for definition in definitions:
        field = form[f"cf_{definition.id}"]
        raw = values.get(definition.id, "")
        if definition.field_type == "date" and raw:
            try:
                field.data = date.fromisoformat(raw)
            except ValueError:
                field.data = None
        elif definition.field_type == "number" and raw:
            try:
                field.data = Decimal(raw)
            except InvalidOperation:
                field.data = None
        else:
            field.data = raw


class FieldDefinitionForm(PortalForm):
    label = StringField(
        _l("Label"), filters=[_strip], validators=[DataRequired(_l("Please enter a label.")), Length(max=120)]
    )
    field_type = SelectField(
        _l("Type"),
        choices=[
            ("text", _l("Text")),
            ("textarea", _l("Long text")),
            ("number", _l("Number")),
            ("date", _l("Date")),
            ("choice", _l("Choice")),
        ],
    )
    choices = StringField(_l("Choices (comma-separated)"), filters=[_strip], validators=[Length(max=1000)])

    def validate_choices(self, field):
        if self.field_type.data == "choice" and not [c for c in (field.data or "").split(",") if c.strip()]:
            raise ValidationError(_l("A choice field needs at least one choice."))

    def choice_list(self) -> list[str]:
        if self.field_type.data != "choice":
            return []
        return [c.strip() for c in (self.choices.data or "").split(",") if c.strip()][:50]
