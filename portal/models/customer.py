"""The customer file (Kundenakte) and its custom fields."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.base import TenantMixin, UTCDateTime, utcnow


class Customer(TenantMixin, db.Model):
    __table_args__ = (
        # Keyset pagination in name order, per salon. search_text rides along so the live
        # search filters inside the index and touches table rows only for matches (8x faster).
        Index("ix_customer_account_sort", "account_id", "sort_name", "id", "search_text"),
        Index("ix_customer_account_email", "account_id", "email"),
        # The overview's "reachable by SMS" counts numbers in the index, not the table's rows.
        Index("ix_customer_account_phone", "account_id", "phone"),
        # PostgreSQL: the request inbox's search finds a customer through the trigrams of
        # search_text (pg_trgm); the live search reads customer_gram in name order instead.
        Index(
            "ix_customer_search_trgm",
            "search_text",
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
        ).ddl_if(dialect="postgresql"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    first_name: Mapped[str] = mapped_column(String(100), default="")
    last_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(254), nullable=True)  # lower-cased
    phone: Mapped[str | None] = mapped_column(String(20), nullable=True)  # E.164
    birthday: Mapped[date | None] = mapped_column(Date, nullable=True)
    street: Mapped[str] = mapped_column(String(200), default="")
    postal_code: Mapped[str] = mapped_column(String(10), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    country: Mapped[str] = mapped_column(String(2), default="DE")
    notes: Mapped[str] = mapped_column(Text, default="")
    home_location_id: Mapped[int | None] = mapped_column(ForeignKey("location.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    imported_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # From the previous software (portal/imports): the import that created the customer (for its
    # undo), what the salon called that software, its customer number and its last visit. The
    # old last visit is shown, not counted: visits before the import count as the import.
    import_id: Mapped[int | None] = mapped_column(
        ForeignKey("customer_import.id", ondelete="SET NULL"), nullable=True, index=True
    )
    import_source: Mapped[str] = mapped_column(String(60), default="", server_default="")
    legacy_number: Mapped[str] = mapped_column(String(40), default="", server_default="")
    legacy_last_visit_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    # The customer's last activity (portal/activity.py): the latest attended appointment, invoice
    # not cancelled, or import. Kept in the same transaction as every operation that changes it.
    last_activity_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # Art. 18: kept, but excluded from messages and lists until lifted.
    restricted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # Only staff opt a customer out of appointment reminders (not a marketing matter).
    reminders_off: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Art. 8 GDPR with § 8 BDSG: under 16, marketing needs the guardian's consent.
    guardian_consent: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Derived, maintained by customers/service.py: lower-cased "last first" for ordering and
    # one lower-cased haystack of name, email and phone digits for the live search.
    sort_name: Mapped[str] = mapped_column(String(210), default="")
    search_text: Mapped[str] = mapped_column(String(600), default="")

    field_values: Mapped[list[CustomerFieldValue]] = relationship(
        back_populates="customer", cascade="all, delete-orphan"
    )

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def may_be_under_16(self, today: date) -> bool:
        """Art. 8 GDPR: a guardian's consent matters only for a child (or a birthday not known)."""
        if self.birthday is None:
            return True
        born = self.birthday
        sixteenth = (
            date(born.year + 16, born.month, 28)
            if (born.month, born.day) == (2, 29)
            else born.replace(year=born.year + 16)
        )
        return today < sixteenth


class CustomerGram(db.Model):
    """The live search's trigram index: each three-character piece of a customer's search_text.
    Triggers on the customer table keep it (migrations e9b4d2a7c1f5 for SQLite, b7e2d9c4a1f6 for
    PostgreSQL), so however a customer is written — form, import, demo, erasure, forgetting — the
    pieces follow, and a deleted customer leaves none behind."""

    __tablename__ = "customer_gram"
    __table_args__ = {"sqlite_with_rowid": False}

    account_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    gram: Mapped[str] = mapped_column(String(3), primary_key=True)
    # In the key: a piece's customers are read in name order, and a search ends with its page.
    sort_name: Mapped[str] = mapped_column(String(210), primary_key=True)
    customer_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)


class CustomerFieldDefinition(TenantMixin, db.Model):
    """A salon's own customer field, e.g. a colour recipe."""

    __table_args__ = (UniqueConstraint("account_id", "key"),)

    TYPES = ("text", "textarea", "number", "date", "choice")

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(60))
    label: Mapped[str] = mapped_column(String(120))
    field_type: Mapped[str] = mapped_column(String(20), default="text")
    choices: Mapped[list[str]] = mapped_column(JSON, default=list)
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Betriebsgeheimnis (Art. 15(4), recital 63): access copies name the field, not its content.
    is_trade_secret: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CustomerFieldValue(TenantMixin, db.Model):
    __table_args__ = (UniqueConstraint("customer_id", "field_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"), index=True)
    field_id: Mapped[int] = mapped_column(ForeignKey("customer_field_definition.id", ondelete="CASCADE"))
    value: Mapped[str] = mapped_column(Text, default="")

    customer: Mapped[Customer] = relationship(back_populates="field_values")
    field: Mapped[CustomerFieldDefinition] = relationship(lazy="joined")
