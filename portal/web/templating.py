"""Template filters and globals: money in cents, times shown in Europe/Berlin, navigation by role."""

from __future__ import annotations

from flask import Flask, request
from flask_babel import format_date, format_datetime, get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from portal.auth.permissions import ROLE_LABELS, Permission, has_permission
from portal.validation import format_phone

NAVIGATION = [
    ("dashboard.home", _l("Overview"), Permission.DASHBOARD_VIEW),
    ("customers.index", _l("Customers"), Permission.CUSTOMER_VIEW),
    ("team.index", _l("Team"), Permission.TEAM_MANAGE),
    ("customers.fields", _l("Customer fields"), Permission.SETTINGS_MANAGE),
]


# Endpoints that belong to another menu entry than their blueprint's first one.
NAV_SECTION_OVERRIDES = {"customers.fields": "customers.fields", "customers.toggle_field": "customers.fields"}


def active_nav(endpoint: str | None) -> str | None:
    if not endpoint:
        return None
    if endpoint in NAV_SECTION_OVERRIDES:
        return NAV_SECTION_OVERRIDES[endpoint]
    blueprint = endpoint.split(".")[0]
    return next((e for e, _label, _perm in NAVIGATION if e.split(".")[0] == blueprint), None)


def money(cents: int | None) -> str:
    from flask_babel import format_currency

    return format_currency((cents or 0) / 100, "EUR")


def init_templating(app: Flask) -> None:
    app.jinja_env.filters.update(
        money=money,
        phone=format_phone,
        datetime=lambda value, fmt="short": format_datetime(value, fmt) if value else "",
        date=lambda value, fmt="medium": format_date(value, fmt) if value else "",
    )

    @app.context_processor
    def inject():
        def can(permission: Permission) -> bool:
            return has_permission(current_user, permission)

        nav = [(endpoint, label) for endpoint, label, perm in NAVIGATION if can(perm)]
        return {
            "can": can,
            "get_locale": get_locale,
            "Permission": Permission,
            "navigation": nav,
            "role_label": lambda role: ROLE_LABELS.get(role, role),
            "active_nav": active_nav(request.endpoint if request else None),
        }
