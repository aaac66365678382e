"""What the public pages of a salon's booking profile read: the salon and its location."""

from __future__ import annotations

from sqlalchemy import select

from portal.extensions import db
from portal.models import Account, Location


def salon(slug: str) -> Account | None:
    return db.session.scalars(select(Account).where(Account.slug == slug)).one_or_none()


def location_of(account: Account, location_id: int) -> Location | None:
    location = db.session.get(Location, location_id)
    return location if location is not None and location.account_id == account.id else None


def account_of(account_id: int) -> Account:
    return db.session.get(Account, account_id)
