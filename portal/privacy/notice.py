"""What the public privacy notice of a location says, built from its settings."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from portal.accountability import processors
from portal.accountability.records import periods
from portal.extensions import db
from portal.legal import RETENTION_PERIODS, RetentionPeriod
from portal.models import Account, Location, PrivacySettings
from portal.privacy.authorities import BY_CODE, Authority
from portal.privacy.markup import render
from portal.privacy.settings_service import settings_for


@dataclass
class Notice:
    account: Account
    location: Location
    settings: PrivacySettings
    authority: Authority | None
    retention_periods: tuple[RetentionPeriod, ...]
    # The processor register as the notice names it (Art. 13(1)(e), (f) GDPR).
    processors: list[dict]
    extensions_html: Markup
    contact_email: str
    # The portal's own records about the customer (the retention plan): {kind: months}.
    record_periods: dict[str, int]

    @property
    def published(self) -> bool:
        return can_publish(self.settings)


def can_publish(settings: PrivacySettings) -> bool:
    """Art. 13(1)(a) GDPR: the notice names how to reach the controller; without an email or
    phone it is not published (the privacy overview says what is missing)."""
    return bool(settings.controller_email or settings.controller_phone)


def build_notice(location: Location) -> Notice:
    account = db.session.get(Account, location.account_id)
    settings = settings_for(location)
    return Notice(
        account=account,
        location=location,
        settings=settings,
        authority=BY_CODE.get(settings.authority_code),
        retention_periods=RETENTION_PERIODS,
        processors=[
            {
                "name": processors.name_of(p),
                "service": processors.service_of(p),
                "country": p.country if p.region == "third_country" else "",
                "safeguard": processors.TRANSFER_MECHANISMS.get(p.transfer_mechanism, ""),
            }
            for p in processors.register(account.id)
        ],
        extensions_html=render(settings.extensions),
        contact_email=settings.controller_email or settings.notification_email,
        record_periods=periods(account.id),
    )
