"""Reading the histories: filtered, newest first, keyset-paged by (time, id) so that a page
costs the same at 2 million events as at 200."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, tuple_

from portal.extensions import db
from portal.models import AuditEvent, Employee, Login

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


def _page(stmt, account_id: int, before_id: int | None, limit: int) -> EventPage:
    if before_id:
        anchor = db.session.execute(
            select(AuditEvent.occurred_at, AuditEvent.id).where(
                AuditEvent.id == before_id, AuditEvent.account_id == account_id
            )
        ).one_or_none()
        if anchor is not None:
            stmt = stmt.where(tuple_(AuditEvent.occurred_at, AuditEvent.id) < tuple_(anchor[0], anchor[1]))
    rows = db.session.execute(stmt.order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc()).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    return with_names(account_id, rows, next_before=rows[-1].id if more and rows else None)


def with_names(account_id: int, rows: list, next_before: int | None = None) -> EventPage:
    """The events with the logins and employees they name, for their sentences."""
    page = EventPage(rows, next_before=next_before)
    login_ids = {e.actor_login_id for e in rows if e.actor_login_id} | {
        e.entity_id for e in rows if e.entity_type == "login" and e.entity_id
    }
    if login_ids:
        page.logins = {
            login_id: Person(email, name or "")
            for login_id, email, name in db.session.execute(
                select(Login.id, Login.email, Login.name).where(Login.account_id == account_id, Login.id.in_(login_ids))
            )
        }
    employee_ids = {e.employee_id for e in rows if e.employee_id}
    if employee_ids:
        page.employees = dict(
            db.session.execute(
                select(Employee.id, Employee.name).where(
                    Employee.account_id == account_id, Employee.id.in_(employee_ids)
                )
            ).all()
        )
    return page


def log_page(account_id: int, filters: LogFilter, before_id: int | None = None, limit: int = PAGE_SIZE) -> EventPage:
    stmt = select(*SHOWN).where(AuditEvent.account_id == account_id, AuditEvent.category == filters.category)
    if filters.start:
        stmt = stmt.where(AuditEvent.occurred_at >= day_start(filters.start, filters.timezone))
    if filters.end:
        stmt = stmt.where(AuditEvent.occurred_at < day_start(filters.end + timedelta(days=1), filters.timezone))
    if filters.employee_id:
        stmt = stmt.where(AuditEvent.employee_id == filters.employee_id)
    if filters.customer_id:
        stmt = stmt.where(AuditEvent.customer_id == filters.customer_id)
    if filters.entity_type:
        stmt = stmt.where(AuditEvent.entity_type == filters.entity_type)
    if filters.entity_id:
        stmt = stmt.where(AuditEvent.entity_id == filters.entity_id)
    if filters.actor_login_id:
        stmt = stmt.where(AuditEvent.actor_login_id == filters.actor_login_id)
    return _page(stmt, account_id, before_id, limit)


def customer_history(
    account_id: int,
    customer_id: int,
    before_id: int | None = None,
    include_access: bool = False,
    limit: int = PAGE_SIZE,
) -> EventPage:
    """Everything that happened to one customer's data: changes, appointments and, for the
    owner, who opened the file."""
    categories = ["customer", "appointment", "sale"] + (["access"] if include_access else [])
    stmt = select(*SHOWN).where(
        AuditEvent.account_id == account_id,
        AuditEvent.customer_id == customer_id,
        AuditEvent.category.in_(categories),
    )
    return _page(stmt, account_id, before_id, limit)


def people(account_id: int) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """The filters' lists: employees (name) and logins (email) of the salon."""
    employees = db.session.execute(
        select(Employee.id, Employee.name).where(Employee.account_id == account_id).order_by(Employee.name)
    ).all()
    logins = db.session.execute(
        select(Login.id, Login.email).where(Login.account_id == account_id).order_by(Login.email)
    ).all()
    return [tuple(row) for row in employees], [tuple(row) for row in logins]
