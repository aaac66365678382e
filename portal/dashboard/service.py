"""What the overview after login counts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from portal.checkout import service as checkout
from portal.extensions import db
from portal.models import Account, Appointment, AppointmentStatus, Customer
from portal.privacy.checks import active_people
from portal.remembered import remembered


def overview(account: Account) -> dict:
    zone = ZoneInfo(account.timezone)
    today = datetime.now(zone).replace(hour=0, minute=0, second=0, microsecond=0)
    start, end = today.astimezone(UTC), (today + timedelta(days=1)).astimezone(UTC)

    def count(model, *where):
        return db.session.scalar(select(func.count()).select_from(model).where(model.account_id == account.id, *where))

    stats = {
        "customers": remembered(account.id, "customers", lambda: count(Customer)),
        "appointments_today": count(
            Appointment,
            Appointment.starts_at >= start,
            Appointment.starts_at < end,
            Appointment.status != AppointmentStatus.CANCELLED,
        ),
    }
    stats["logins"], stats["employees"] = active_people(account.id)
    unbilled_count, unbilled = checkout.unbilled(account, limit=10)
    return {"stats": stats, "unbilled": unbilled, "unbilled_count": unbilled_count}
