"""Reading the histories: filtered, newest first, keyset-paged by (time, id) so that a page
costs the same at 2 million events as at 200."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from sqlalchemy import Integer, Select, bindparam, literal_column, null, select, tuple_, union_all

from portal.extensions import db
from portal.models import AuditEvent, Employee, Login
from portal.plain_rows import plain_rows

PAGE_SIZE = 50


@dataclass
class LogFilter:
    category: str
    start: date | None = None
    end: date | None = None
    employee_id: int | None = None
    customer_id: int | None = None
    entity_type: str | None = None
    entity_id: int | None = None
    actor_login_id: int | None = None
    timezone: str = "Europe/Berlin"


@dataclass(frozen=True)
class Person:
    """A login as the histories name it (the login's row has its password hash and more)."""

    email: str
    name: str

    @property
    def display_name(self) -> str:
        return self.name or self.email


@dataclass
class EventPage:
    events: list  # rows with the columns of SHOWN (or AuditEvent objects)
    logins: dict[int, Person] = field(default_factory=dict)
    employees: dict[int, str] = field(default_factory=dict)
    next_before: int | None = None


# What a history row shows, read as plain rows: a page is fifty events, and the ORM's objects
# cost more than the read.
SHOWN = (
    AuditEvent.id,
    AuditEvent.occurred_at,
    AuditEvent.category,
    AuditEvent.action,
    AuditEvent.entity_type,
    AuditEvent.entity_id,
    AuditEvent.customer_id,
    AuditEvent.actor_login_id,
    AuditEvent.employee_id,
    AuditEvent.changes,
    AuditEvent.summary,
    AuditEvent.ip,
    AuditEvent.user_agent,
)


def day_start(day: date, timezone: str) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=ZoneInfo(timezone)).astimezone(UTC)


def _read(statement, values: dict):
    """A history's read on the session's connection, past the ORM: its rows are plain columns,
    and the ORM's handling of a statement cost as much as the database's work on it (0.25 ms
    of each of a page's three reads). Pending changes are written first, as `session.execute`
    would."""
    db.session.flush()  # nothing to write: returns at once
    return db.session.connection().execute(statement, values)


def _page(base: Select, values: dict, before_id: int | None, limit: int, people=None) -> EventPage:
    """A page of `base` (built once per shape, its values bound here), newest first, before the
    event `before_id` if given."""
    values = {**values, "limit": limit + 1}
    if before_id:
        anchor = _read(_ANCHOR, {"account_id": values["account_id"], "id": before_id}).one_or_none()
        if anchor is not None:
            values["before_at"], values["before_id"] = anchor
    rows = plain_rows(_read(_newest_first(base, "before_id" in values), values))
    more = len(rows) > limit
    rows = rows[:limit]
    return with_names(values["account_id"], rows, rows[-1].id if more and rows else None, people)


# The histories' statements are built once per shape and bound per page: building a select and
# its cache key cost as much as running it.
_ANCHOR = select(AuditEvent.occurred_at, AuditEvent.id).where(
    AuditEvent.id == bindparam("id"), AuditEvent.account_id == bindparam("account_id")
)


@cache
def _newest_first(base: Select, after_anchor: bool) -> Select:
    if after_anchor:
        anchor = tuple_(
            bindparam("before_at", type_=AuditEvent.occurred_at.type), bindparam("before_id", type_=Integer)
        )
        base = base.where(tuple_(AuditEvent.occurred_at, AuditEvent.id) < anchor)
    newest = base.order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    return newest.limit(bindparam("limit", type_=Integer))


def with_names(
    account_id: int, rows: list, next_before: int | None = None, people: SalonPeople | None = None
) -> EventPage:
    """The events with the salon's logins and employees, for their sentences (`people` when
    the caller has read them already)."""
    page = EventPage(rows, next_before=next_before)
    if rows:
        people = people or salon_people(account_id)
        page.logins, page.employees = people.logins, people.employees
    return page


# A log's filters: the value each binds, by the filter's name, and how it narrows the events.
_LOG_FILTERS = {
    "start_at": lambda value: AuditEvent.occurred_at >= value,
    "end_at": lambda value: AuditEvent.occurred_at < value,
    "employee_id": lambda value: AuditEvent.employee_id == value,
    "customer_id": lambda value: AuditEvent.customer_id == value,
    "entity_type": lambda value: AuditEvent.entity_type == value,
    "entity_id": lambda value: AuditEvent.entity_id == value,
    "actor_login_id": lambda value: AuditEvent.actor_login_id == value,
}


def log_page(
    account_id: int,
    filters: LogFilter,
    before_id: int | None = None,
    limit: int = PAGE_SIZE,
    people: SalonPeople | None = None,
) -> EventPage:
    values = {
        "account_id": account_id,
        "category": filters.category,
        "start_at": day_start(filters.start, filters.timezone) if filters.start else None,
        "end_at": day_start(filters.end + timedelta(days=1), filters.timezone) if filters.end else None,
        "employee_id": filters.employee_id,
        "customer_id": filters.customer_id,
        "entity_type": filters.entity_type,
        "entity_id": filters.entity_id,
        "actor_login_id": filters.actor_login_id,
    }
    values = {name: value for name, value in values.items() if value}
    return _page(_log(tuple(name for name in _LOG_FILTERS if name in values)), values, before_id, limit, people)


@cache
def _log(filters: tuple[str, ...]) -> Select:
    """A log's events of one category, narrowed by the named filters."""
    base = select(*SHOWN).where(
        AuditEvent.account_id == bindparam("account_id"), AuditEvent.category == bindparam("category")
    )
    return base.where(*(_LOG_FILTERS[name](bindparam(name)) for name in filters))


def customer_history(
    account_id: int,
    customer_id: int,
    before_id: int | None = None,
    include_access: bool = False,
    limit: int = PAGE_SIZE,
) -> EventPage:
    """Everything that happened to one customer's data: changes, appointments and, for the
    owner, who opened the file."""
    values = {"account_id": account_id, "customer_id": customer_id}
    return _page(_CUSTOMER_HISTORY[include_access], values, before_id, limit)


_CUSTOMER_HISTORY = {
    include_access: select(*SHOWN).where(
        AuditEvent.account_id == bindparam("account_id"),
        AuditEvent.customer_id == bindparam("customer_id"),
        AuditEvent.category.in_(["customer", "appointment", "sale"] + (["access"] if include_access else [])),
    )
    for include_access in (False, True)
}


@dataclass(frozen=True)
class SalonPeople:
    """The salon's employees (id -> name, by name) and logins (id -> Person, by email): a
    history names them, its filters list them. A salon has tens of them, not thousands."""

    employees: dict[int, str]
    logins: dict[int, Person]

    def employee_choices(self) -> list[tuple[int, str]]:
        return list(self.employees.items())

    def login_choices(self) -> list[tuple[int, str]]:
        """The logins by their email, as the filters and the export offer them."""
        return [(login_id, person.email) for login_id, person in self.logins.items()]


# Both in one read: two reads of a few rows each cost a history page 0.35 ms.
_PEOPLE = union_all(
    select(
        literal_column("'e'").label("kind"),
        Employee.id,
        Employee.name,
        null().label("email"),
        Employee.name.label("sort_key"),
    ).where(Employee.account_id == bindparam("account_id")),
    select(literal_column("'l'"), Login.id, Login.name, Login.email, Login.email).where(
        Login.account_id == bindparam("account_id")
    ),
).order_by(literal_column("kind"), literal_column("sort_key"))


def salon_people(account_id: int) -> SalonPeople:
    employees, logins = {}, {}
    for kind, person_id, name, email, _sort_key in _read(_PEOPLE, {"account_id": account_id}):
        if kind == "e":
            employees[person_id] = name
        else:
            logins[person_id] = Person(email, name or "")
    return SalonPeople(employees, logins)
