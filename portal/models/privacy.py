"""Privacy settings of one location (Standort > Datenschutzeinstellungen)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.models.base import TenantMixin, UTCDateTime, utcnow


class RequestsMode(StrEnum):
    """Datenabfragen: customers serve themselves online, or requests land in the inbox."""

    SELF_SERVICE = "self_service"
    MANUAL = "manual"


class PrivacySettings(TenantMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id", ondelete="CASCADE"), unique=True)
    # Datenabfragen: customers serve themselves online, or requests land in the inbox.
    requests_mode: Mapped[str] = mapped_column(String(20), default=RequestsMode.SELF_SERVICE)
    marketing_enabled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    notification_email: Mapped[str] = mapped_column(String(254), default="")
    # Controller (Verantwortlicher) as the notice names it.
    controller_name: Mapped[str] = mapped_column(String(200), default="")
    controller_street: Mapped[str] = mapped_column(String(200), default="")
    controller_postal_code: Mapped[str] = mapped_column(String(10), default="")
    controller_city: Mapped[str] = mapped_column(String(100), default="")
    controller_email: Mapped[str] = mapped_column(String(254), default="")
    controller_phone: Mapped[str] = mapped_column(String(30), default="")
    authority_code: Mapped[str] = mapped_column(String(2), default="")
    dpo_name: Mapped[str] = mapped_column(String(200), default="")
    dpo_email: Mapped[str] = mapped_column(String(254), default="")
    dpo_phone: Mapped[str] = mapped_column(String(30), default="")
    dpo_address: Mapped[str] = mapped_column(String(300), default="")
    # The owner's own passages, plain text with a tiny markup (portal/privacy/markup.py).
    extensions: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    @staticmethod
    def defaults_for(location, account_name: str) -> dict:
        """A new location's settings: self-service requests, no marketing, the controller as the
        location's own data says."""
        return {
            "account_id": location.account_id,
            "location_id": location.id,
            "requests_mode": RequestsMode.SELF_SERVICE,
            "marketing_enabled": False,
            "controller_name": account_name or "",
            "controller_street": location.street or "",
            "controller_postal_code": location.postal_code or "",
            "controller_city": location.city or "",
            "controller_email": location.email or "",
            "controller_phone": location.phone or "",
            "authority_code": location.state or "",
        }
