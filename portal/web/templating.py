"""Template filters and the globals every page needs: money in cents, times shown in the salon's
zone, navigation by role. The words of a feature come from its blueprint (`blueprint_labels`)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from functools import lru_cache
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from babel.dates import format_date as babel_date
from babel.dates import format_time as babel_time
from babel.numbers import format_currency as babel_currency
from flask import Flask, g, request, url_for
from flask_babel import format_date, format_datetime, format_number, format_time
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup, escape

from portal.auth.permissions import ROLE_LABELS, SETTINGS_PERMISSIONS, Permission, has_permission
from portal.validation import format_phone
from portal.web.words import current_locale, current_timezone, install_template_gettext, word

# (endpoint, label, permissions of which one suffices)
NAVIGATION = [
    ("dashboard.home", _l("Overview"), (Permission.DASHBOARD_VIEW,)),
    ("customers.index", _l("Customers"), (Permission.CUSTOMER_VIEW,)),
    ("appointments.index", _l("Appointments"), (Permission.APPOINTMENT_VIEW,)),
    ("checkout.index", _l("Till"), (Permission.INVOICE_VIEW,)),
    ("vouchers.index", _l("Vouchers"), (Permission.VOUCHER_VIEW,)),
    ("requests.index", _l("Privacy requests"), (Permission.PRIVACY_REQUESTS,)),
    ("messaging.index", _l("Marketing"), (Permission.MARKETING_MANAGE,)),
    ("history.appointments", _l("Histories"), (Permission.HISTORY_VIEW,)),
    ("settings.index", _l("Settings"), SETTINGS_PERMISSIONS),
]

# A feature may put a number beside its navigation entry (the inbox: open requests); counted
# only for logins who see the entry.
NAV_BADGES: dict = {}
# A badge shows up to this number and "99+" above it: every page counts it, and a count that
# stops there costs the same however many rows there are.
NAV_BADGE_LIMIT = 99


def register_nav_badge(endpoint: str, count) -> None:
    """`count(account_id, limit) -> int` for the entry `endpoint`: the number, or any number above
    `limit` once there are more (it need not count further); 0 shows nothing."""
    NAV_BADGES[endpoint] = count


def badge_already_counted(endpoint: str, number: int) -> None:
    """A page that counted its entry's badge itself (the inbox its tabs) hands the number to the
    layout, which then does not count it again; the same rule as `register_nav_badge`'s."""
    g.setdefault("counted_badges", {})[endpoint] = number


def _badge(endpoint: str, account_id: int) -> int:
    counted = g.get("counted_badges", {})
    if endpoint in counted:
        return counted[endpoint]
    return NAV_BADGES[endpoint](account_id, NAV_BADGE_LIMIT) if endpoint in NAV_BADGES else 0


# Everything under Settings lights up the Settings entry.
SETTINGS_BLUEPRINTS = (
    "team",
    "settings",
    "privacy",
    "exports",
    "bonus",
    "accountability",
    "processors",
    "breaches",
    "processing",
    "evidence",
    "forms",
)
# A blueprint of its own whose pages belong under another entry.
BLUEPRINT_SECTIONS = {"imports": "customers.index", "documents": "customers.index"}
NAV_SECTION_OVERRIDES = {
    "customers.fields": "settings.index",
    "customers.toggle_field": "settings.index",
    "requests.retained": "settings.index",
    "requests.record": "customers.index",
    "requests.lift_restriction": "customers.index",
    "retention.preview": "settings.index",
    "retention.hold": "customers.index",
    "messaging.record_consent": "customers.index",
    "messaging.message_options": "customers.index",
    "bonus.activate": "customers.index",
    "checkout.no_show": "appointments.index",
}


def active_nav(endpoint: str | None) -> str | None:
    if not endpoint:
        return None
    if endpoint in NAV_SECTION_OVERRIDES:
        return NAV_SECTION_OVERRIDES[endpoint]
    blueprint = endpoint.split(".")[0]
    if blueprint in SETTINGS_BLUEPRINTS:
        return "settings.index"
    if blueprint in BLUEPRINT_SECTIONS:
        return BLUEPRINT_SECTIONS[blueprint]
    return next((e for e, _label, _perm in NAVIGATION if e.split(".")[0] == blueprint), None)


def money(cents: int | None) -> str:
    return _money_text(current_locale(), cents or 0)


# Amounts repeat (the same price on a hundred invoices): each written by Babel once per language.
@lru_cache(maxsize=4096)
def _money_text(locale, cents: int) -> str:
    return babel_currency(cents / 100, "EUR", locale=locale)


def merge_args(args, **replace) -> str:
    """The current query string with some values replaced (for "older entries" links)."""
    merged = {k: v for k, v in args.items() if k not in replace}
    merged.update({k: v for k, v in replace.items() if v is not None})
    return urlencode(merged)


URL = re.compile(r"https?://[^\s<>\"']+")


def autolink(text: str) -> Markup:
    """Escape plain text and make its links clickable (HTML mails built from the text mail)."""
    escaped = str(escape(text))
    return Markup(URL.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', escaped))


def _moment(value):
    """Dates and times as stored (objects) or as kept in JSON records (ISO strings)."""
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
        except ValueError:
            return None
    return value


def format_day(value, fmt: str = "medium") -> str:
    moment = _moment(value)
    if not moment:
        return ""
    if fmt != "medium":
        return format_date(moment, fmt)
    if isinstance(moment, datetime):  # the day in the login's zone, as Flask-Babel takes it
        moment = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(current_timezone()).date()
    return _date_text(current_locale(), moment)


def format_moment(value, fmt: str | None = None) -> str:
    """A date with its full year and the time without seconds ("06.12.2026, 20:08"): Babel's
    "short" writes two-digit years, its "medium" shows seconds. `fmt` asks for a Babel format."""
    moment = _moment(value)
    if not moment:
        return ""
    if isinstance(moment, date) and not isinstance(moment, datetime):
        return format_date(moment, "medium")
    if fmt:
        return format_datetime(moment, fmt)
    # The login's zone and language looked up once (a history page formats a hundred moments);
    # a moment without zone is UTC, as Flask-Babel takes it.
    return _in_zone(moment if moment.tzinfo else moment.replace(tzinfo=UTC), current_timezone())


def format_moment_in_zone(value: datetime, zone: str) -> str:
    """As `format_moment`, in a zone named by the caller (a job has no login whose zone Babel
    would take), in the language in force."""
    return _in_zone(value, ZoneInfo(zone))


def moment_writer(zone: ZoneInfo):
    """`format_moment_in_zone` for a thousand moments (an access package's appointments): the
    language looked up once, each day and minute written once."""
    locale, days, minutes = current_locale(), {}, {}

    def write(value, with_time: bool = True) -> str:
        moment = _moment(value)
        if not isinstance(moment, datetime):
            return format_moment(moment)
        local = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(zone)
        day, minute = local.date(), (local.hour, local.minute)
        if day not in days:
            days[day] = _date_text(locale, day)
        if not with_time:
            return days[day]
        if minute not in minutes:
            minutes[minute] = _time_text(locale, *minute)
        return f"{days[day]}, {minutes[minute]}"

    return write


def _in_zone(moment: datetime, zone) -> str:
    local, locale = moment.astimezone(zone), current_locale()
    return f"{_date_text(locale, local.date())}, {_time_text(locale, local.hour, local.minute)}"


# A history page writes a hundred moments, most on a few days and all on whole minutes: each
# day and each minute is written by Babel once per language and process, then remembered.
@lru_cache(maxsize=8192)
def _date_text(locale, day: date) -> str:
    return babel_date(day, "medium", locale=locale)


@lru_cache(maxsize=4096)
def _time_text(locale, hour: int, minute: int) -> str:
    return babel_time(time(hour, minute), "short", locale=locale)


def init_templating(app: Flask) -> None:
    install_template_gettext(app.jinja_env)
    # A label from a feature's table, translated once per language (lists repeat them per row).
    app.jinja_env.globals["word"] = word
    app.jinja_env.globals["translated"] = lambda labels: {key: word(label) for key, label in labels.items()}
    app.jinja_env.filters.update(
        autolink=autolink,
        merge_args=merge_args,
        time=lambda value, fmt="HH:mm": format_time(value, fmt) if value else "",
        money=money,
        number=format_number,  # 1.842 in German, 1,842 in English
        phone=format_phone,
        datetime=format_moment,
        in_zone=format_moment_in_zone,  # mails built by jobs, which have no login's zone
        date=format_day,
        local_date=lambda value: current_user.account.local_date(value),
    )

    layout_urls: dict[str, dict] = {}  # this app's links, per script root (`_layout_urls`)

    @app.context_processor
    def inject():
        # The login behind the proxy, once: a page asks `can(...)` dozens of times.
        user = current_user._get_current_object() if current_user else None
        signed_in = bool(user is not None and user.is_authenticated)
        layout_url = _layout_urls(layout_urls, request.script_root if request else "")

        def can(permission: Permission) -> bool:
            return has_permission(user, permission)

        return {
            "layout_url": layout_url,
            "can": can,
            "get_locale": current_locale,  # Flask-Babel's answer in one lookup (`portal.web.words`)
            "Permission": Permission,
            "navigation": _Navigation(user, can, layout_url),
            "nav_badge_limit": NAV_BADGE_LIMIT,
            "today": user.account.today() if signed_in else None,
            "role_label": lambda role: ROLE_LABELS.get(role, role),
            "active_nav": active_nav(request.endpoint if request else None),
        }


class _Navigation:
    """The layout's navigation entries (url, endpoint, label, badge), worked out when the layout
    shows them: an htmx fragment (a search, a next page, a tab) renders without the layout, and
    counting the badges for it was a tenth of the fragment."""

    def __init__(self, user, can, layout_url):
        self._user, self._can, self._layout_url, self._entries = user, can, layout_url, None

    def __iter__(self):
        if self._entries is None:
            self._entries = [
                (
                    self._layout_url(endpoint),
                    endpoint,
                    word(label),
                    _badge(endpoint, self._user.account_id),
                )
                for endpoint, label, perms in NAVIGATION
                if any(self._can(p) for p in perms)
            ]
        return iter(self._entries)


def _layout_urls(by_root: dict[str, dict], script_root: str):
    """`url_for` for the links the layout repeats on every page (navigation, stylesheet,
    scripts): the same for every request of an app under one script root, so each is built once
    (werkzeug builds a link in ~4 µs, and the layout has twenty)."""
    if script_root not in by_root and len(by_root) >= _SCRIPT_ROOTS_KEPT:
        by_root.clear()  # a proxy that sends ever new prefixes cannot grow this without bound
    built = by_root.setdefault(script_root, {})

    def layout_url(endpoint: str, filename: str | None = None) -> str:
        try:
            return built[endpoint, filename]
        except KeyError:
            url = built[endpoint, filename] = url_for(endpoint, filename=filename) if filename else url_for(endpoint)
            return url

    return layout_url


_SCRIPT_ROOTS_KEPT = 8


def blueprint_labels(blueprint, *groups: dict) -> None:
    """The words a blueprint's templates show for stored keys: each feature's TEMPLATE_LABELS."""
    merged = {name: value for group in groups for name, value in group.items()}
    blueprint.context_processor(lambda: merged)
