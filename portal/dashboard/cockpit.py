"""The privacy cockpit on the overview: what waits (requests by kind with the nearest due date,
overdue ones), how the salon is doing (requests per month over a year, consent per channel),
what is not set up, the next forgetting run, exports waiting for their download, and breaches
whose 72-hour deadline runs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import Date, bindparam, case, func, literal, select, union_all

from portal.accountability import breaches
from portal.extensions import db
from portal.models import Account, Consent, ConsentStatus, Customer, CustomerExport, ExportStatus, PrivacyRequest
from portal.models.requests import OPEN_STATUSES
from portal.privacy.settings_service import overview_page, retention_summary
from portal.remembered import remembered
from portal.requests.deadlines import add_months
from portal.requests.inbox import counted_up_to_limit
from portal.requests.labels import KIND_LABELS
from portal.web import templating


@dataclass
class OpenKind:
    kind: str
    count: int
    next_due: date | None
    overdue: int


@dataclass
class MonthCount:
    month: date  # the first of the month
    count: int


def open_requests(account: Account) -> list[OpenKind]:
    """The kinds with open requests, the most urgent first: how many (up to the badges' limit
    + 1, as the inbox's tabs: "99+"), the nearest due date, how many are overdue (as far)."""
    values = {"account_id": account.id, "today": account.today(), "limit": templating.NAV_BADGE_LIMIT + 1}
    waiting = [
        OpenKind(kind, count, min((due for due in dues if due is not None), default=None), overdue)
        for kind, count, overdue, *dues in db.session.execute(_OPEN_BY_KIND, values)
        if count
    ]
    return sorted(waiting, key=lambda item: (item.next_due or date.max, item.kind))


def _open_kind(kind: str):
    """One kind's row, each part read from `ix_request_kind` (salon, kind, state, due date) no
    further than it shows: counting every open request took PostgreSQL 2 ms at 4,000 of them.
    The nearest due date per state: the index's first entry each."""
    salon_and_kind = (PrivacyRequest.account_id == bindparam("account_id"), PrivacyRequest.kind == kind)
    is_open = PrivacyRequest.status.in_(OPEN_STATUSES)
    overdue = PrivacyRequest.due_on < bindparam("today", type_=Date)
    nearest = (
        select(func.min(PrivacyRequest.due_on))
        .where(*salon_and_kind, PrivacyRequest.status == status)
        .scalar_subquery()
        for status in OPEN_STATUSES
    )
    return select(
        literal(kind),
        counted_up_to_limit(*salon_and_kind, is_open),
        counted_up_to_limit(*salon_and_kind, is_open, overdue),
        *nearest,
    )


# The cockpit's reads on every visit of the overview: built once, bound per salon and day.
_OPEN_BY_KIND = union_all(*(_open_kind(kind) for kind in KIND_LABELS))
_EXPORTS_WAITING = select(func.count()).where(
    CustomerExport.account_id == bindparam("account_id"), CustomerExport.status == ExportStatus.FINISHED
)


def requests_per_month(account: Account, months: int = 12) -> list[MonthCount]:
    """Requests received in each of the last twelve months of the salon's calendar, counted by
    the database: each month's first midnight in the salon's zone is an instant in UTC, and a
    request falls into the last month that began before it arrived. A year's trend beside the
    page's real work, read over every request of the year: remembered for a minute (what waits
    is counted on every visit)."""
    first = add_months(account.today().replace(day=1), -(months - 1))
    starts = [add_months(first, i) for i in range(months)]

    def count() -> list[int]:
        instants = [account.utc_of_local(datetime.combine(day, time.min)) for day in starts]
        month = case(
            *((PrivacyRequest.received_at < later, n) for n, later in enumerate(instants[1:])), else_=months - 1
        )
        counted = dict(
            db.session.execute(
                select(month, func.count())
                .where(PrivacyRequest.account_id == account.id, PrivacyRequest.received_at >= instants[0])
                .group_by(month)
            ).all()
        )
        return [counted.get(n, 0) for n in range(months)]

    # Named by its first month: a new month starts a new count.
    counts = remembered(account.id, f"requests_per_month:{first.isoformat()}:{months}", count)
    return [MonthCount(day, n) for day, n in zip(starts, counts, strict=True)]


def consent_rates(account: Account) -> dict[str, tuple[int, int]]:
    """Per channel: (customers who agreed, customers reachable on it). Counts over every
    customer and consent of the salon, beside the page's real work: remembered for a minute."""

    def count() -> dict[str, list[int]]:
        reachable = {
            "email": select(func.count()).where(Customer.account_id == account.id, Customer.email.is_not(None)),
            "sms": select(func.count()).where(Customer.account_id == account.id, Customer.phone.is_not(None)),
        }
        agreed = dict(
            db.session.execute(
                select(Consent.channel, func.count())
                .where(Consent.account_id == account.id, Consent.status == ConsentStatus.GRANTED)
                .group_by(Consent.channel)
            ).all()
        )
        return {channel: [agreed.get(channel, 0), db.session.scalar(q)] for channel, q in reachable.items()}

    return {channel: tuple(pair) for channel, pair in remembered(account.id, "consent_rates", count).items()}


def cockpit(account: Account) -> dict:
    checks = overview_page(account)
    waiting = db.session.execute(_EXPORTS_WAITING, {"account_id": account.id}).scalar()
    return {
        # Breaches whose 72 hours for notifying the authority run (Art. 33), with their clocks.
        "breaches": [(breach, breaches.clock(breach)) for breach in breaches.open_breaches(account.id)],
        "open_requests": open_requests(account),
        "per_month": requests_per_month(account),
        "consent_rates": consent_rates(account),
        "setup": [(location, checks["checks"][location.id]) for location in checks["locations"]],
        "forgetting": retention_summary(account),
        "exports_waiting": waiting,
        "today": account.today(),
    }
