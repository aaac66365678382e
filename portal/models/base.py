"""Shared column helpers for the typed models."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import DateTime, ForeignKey, Integer, TypeDecorator
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

# Tests and the demo data build past states through the portal's own operations by moving
# this clock (`clock_at`); the web app and the workers never set it.
_frozen: datetime | None = None


def utcnow() -> datetime:
    return _frozen or datetime.now(UTC)


@contextmanager
def clock_at(moment: datetime) -> Iterator[None]:
    """Every service in this process runs as if it were `moment` (single-threaded use only)."""
    global _frozen
    previous = _frozen
    _frozen = moment.astimezone(UTC)
    try:
        yield
    finally:
        _frozen = previous


class UTCDateTime(TypeDecorator):
    """Timestamps stored in UTC and always returned timezone-aware (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use timezone-aware UTC")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class TenantMixin:
    """Every tenant-owned row carries its account; queries filter on it (portal/tenancy.py)."""

    @declared_attr
    def account_id(cls) -> Mapped[int]:  # noqa: N805
        return mapped_column(Integer, ForeignKey("account.id"), index=True, nullable=False)


# Tables the migrations make for SQLite's triggers alone, without a model (the trigram index's
# positions 1..598): no query of the portal reads them.
TRIGGER_TABLES = frozenset({"gram_position"})


def schema_of(dialect: str):
    """Alembic's `include_object` for comparing the models with a database of this dialect:
    an index declared for another dialect only (`Index(...).ddl_if(dialect=...)`, such as
    PostgreSQL's trigram index) is not expected there, nor the triggers' own tables."""

    def include_object(obj, name, type_, reflected, compare_to) -> bool:
        if type_ == "table" and reflected and name in TRIGGER_TABLES:
            return False
        condition = getattr(obj, "_ddl_if", None)
        return condition is None or condition.dialect in (None, dialect)

    return include_object
