"""What each exported field is, so that the SQL can write its cell the way the file needs it:
text is neutralised against spreadsheet formulas, times are shown in the salon's zone, the rest
(customer number, birthday) goes out as stored."""

from __future__ import annotations

from dataclasses import dataclass

# Text columns of the customer and whether they may be NULL.
TEXT_COLUMNS = {
    "first_name": False,
    "last_name": False,
    "email": True,
    "phone": True,
    "street": False,
    "postal_code": False,
    "city": False,
    "country": False,
    "notes": False,
}
TIME_COLUMNS = ("created_at", "imported_at", "last_activity_at")
HEALTH_FIELD = "health_answers"
# The newest health answers a customer gave on a signed form (emptied when the consent was
# withdrawn): the same scalar subquery on SQLite and PostgreSQL.
HEALTH_SQL = (
    "(SELECT d.health_text FROM signed_document d WHERE d.customer_id = c.id AND d.health_text <> '' "
    "ORDER BY d.signed_at DESC, d.id DESC LIMIT 1)"
)


@dataclass(frozen=True)
class Column:
    kind: str  # "text", "time" or "plain"
    nullable: bool
    name: str = ""  # the customer column, for standard fields
    field_id: int | None = None  # the salon's own field, whose value comes from customer_field_value
    health: bool = False  # the health answers of signed forms (HEALTH_SQL)


def plan(fields: list[str]) -> list[Column]:
    columns = []
    for field in fields:
        if field == HEALTH_FIELD:
            columns.append(Column("text", True, health=True))
        elif field.startswith("custom:"):
            columns.append(Column("text", True, field_id=int(field.split(":", 1)[1])))
        elif field in TEXT_COLUMNS:
            columns.append(Column("text", TEXT_COLUMNS[field], name=field))
        elif field in TIME_COLUMNS:
            columns.append(Column("time", field != "created_at", name=field))
        else:
            columns.append(Column("plain", field == "birthday", name=field))  # id, birthday
    return columns
