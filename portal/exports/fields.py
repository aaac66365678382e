"""What a customer export can contain: the standard fields and the salon's own fields."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.exports.columns import HEALTH_FIELD
from portal.extensions import db
from portal.models import CustomerFieldDefinition

STANDARD_FIELDS = (
    ("id", _l("Customer number")),
    ("first_name", _l("First name")),
    ("last_name", _l("Last name")),
    ("email", _l("Email")),
    ("phone", _l("Phone")),
    ("birthday", _l("Birthday")),
    ("street", _l("Street and number")),
    ("postal_code", _l("Postal code")),
    ("city", _l("City")),
    ("country", _l("Country")),
    ("notes", _l("Notes")),
    ("created_at", _l("Customer since")),
    ("imported_at", _l("Imported")),
    ("last_activity_at", _l("Last activity")),
)
STANDARD_KEYS = tuple(key for key, _label in STANDARD_FIELDS)
HEALTH_LABEL = _l("Health answers from signed forms (Art. 9 GDPR)")
# Art. 9 GDPR: HEALTH_FIELD, the newest health answers of the signed forms (consent not
# withdrawn), is never part of "select all": chosen on its own, with a warning and a
# confirmation, by a login that may read health data.


@dataclass(frozen=True)
class ExportField:
    key: str
    label: str
    trade_secret: bool = False
    health: bool = False


def available_fields(account_id: int, with_health: bool = True) -> list[ExportField]:
    """The fields of the wizard; the health answers only where the login may read them."""
    fields = [ExportField(key, str(label)) for key, label in STANDARD_FIELDS]
    for definition in db.session.scalars(
        select(CustomerFieldDefinition)
        .where(CustomerFieldDefinition.account_id == account_id)
        .order_by(CustomerFieldDefinition.position)
    ):
        fields.append(ExportField(f"custom:{definition.id}", definition.label, definition.is_trade_secret))
    if with_health:
        fields.append(ExportField(HEALTH_FIELD, str(HEALTH_LABEL), health=True))
    return fields
