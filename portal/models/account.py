"""The salon (Account = one calendar) and its locations."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Boolean, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.legal import DEFAULT_MARKETING_WINDOW_MONTHS
from portal.models.base import TenantMixin, UTCDateTime, utcnow


class Account(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # The calendar address (e.g. /salon-sonnenschein); unique across the deployment.
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Berlin")
    # Mitarbeiter-PIN: staff on shared devices confirm every change with their personal PIN.
    pin_required: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Owners and administrators with the export grant must log in with a second factor.
    two_factor_required: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Automatic forgetting: months without visit or purchase; None = off.
    retention_months: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # When forgetting was switched on: the first run is in the following night, then monthly.
    retention_since: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # Marketing reaches only customers active within this window (Phorest's "3 years").
    marketing_window_months: Mapped[int] = mapped_column(
        Integer, default=DEFAULT_MARKETING_WINDOW_MONTHS, server_default=str(DEFAULT_MARKETING_WINDOW_MONTHS)
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    # Loaded when a page asks (not with every login load: most pages never look at them).
    locations: Mapped[list[Location]] = relationship(back_populates="account", order_by="Location.id")

    def local_date(self, moment: datetime) -> date:
        """The salon's calendar date of a moment: deadlines, birthdays and "today" are the
        salon's, not UTC's (an hour or two apart around midnight)."""
        return moment.astimezone(ZoneInfo(self.timezone)).date()

    def utc_of_local(self, moment: datetime) -> datetime:
        """A time on the salon's clock (naive, as a form gives it) as UTC."""
        return moment.replace(tzinfo=ZoneInfo(self.timezone)).astimezone(UTC)

    def today(self) -> date:
        return self.local_date(utcnow())

    @property
    def main_location(self) -> Location:
        """The first location: the salon's seat where a request names no location."""
        return self.locations[0]


class Location(TenantMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    street: Mapped[str] = mapped_column(String(200), default="")
    postal_code: Mapped[str] = mapped_column(String(10), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    phone: Mapped[str] = mapped_column(String(20), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    # German state (Bundesland, ISO 3166-2 code without "DE-"): public holidays in legal
    # deadlines and the competent supervisory authority.
    state: Mapped[str] = mapped_column(String(2), default="BE", server_default="BE")
    # Steuernummer or USt-IdNr. printed on invoices over 250 € (§ 14 Abs. 4 Nr. 2 UStG).
    tax_id: Mapped[str] = mapped_column(String(40), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    account: Mapped[Account] = relationship(back_populates="locations")
