"""The overview after login."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import func, select

from portal.auth.decorators import public, requires
from portal.auth.permissions import Permission
from portal.checkout import service as checkout
from portal.extensions import db
from portal.models import Appointment, Customer, Employee, Login

bp = Blueprint("dashboard", __name__)


@bp.route("/")
@public
def root():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.home"))
    return redirect(url_for("auth.login"))


@bp.route("/overview")
@requires(Permission.DASHBOARD_VIEW)
def home():
    account = current_user.account
    account_id = account.id
    zone = ZoneInfo(account.timezone)
    today = datetime.now(zone).replace(hour=0, minute=0, second=0, microsecond=0)
    start, end = today.astimezone(UTC), (today + timedelta(days=1)).astimezone(UTC)

    def count(model, *where):
        return db.session.scalar(select(func.count()).select_from(model).where(model.account_id == account_id, *where))

    stats = {
        "customers": count(Customer),
        "appointments_today": count(
            Appointment, Appointment.starts_at >= start, Appointment.starts_at < end, Appointment.status != "cancelled"
        ),
        "employees": count(Employee, Employee.active.is_(True)),
        "logins": count(Login, Login.active.is_(True)),
    }
    unbilled_count, unbilled = checkout.unbilled(account, limit=10)
    return render_template(
        "dashboard/home.html", stats=stats, account=account, unbilled=unbilled, unbilled_count=unbilled_count
    )
