"""Art. 34 GDPR: telling the people affected by a breach. The owner writes the message (prefilled
with what Art. 34(2) asks for), chooses who — every customer with an email address, or those who
visited one location, or were active within some months — and a job sends one email per
customer. A customer is told at most once per breach (a row per customer, written with the mail
in one transaction), however often the job runs."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select

from portal.accountability.breaches import BreachError
from portal.audit import Actor, record
from portal.extensions import db
from portal.mail import queue_email
from portal.messaging.eligibility import filter_rules
from portal.models import Account, Breach, BreachNotice, Customer, Location
from portal.models.base import utcnow
from portal.privacy.settings_service import settings_for
from portal.tasks import SEND_BREACH_NOTICES
from portal.tenancy import get_owned
from portal.transaction import transaction
from portal.web.words import force_locale

BATCH = 200
MAX_BODY = 5000


@dataclass
class Audience:
    reachable: int  # with an email address
    without_email: int  # to be told another way (Art. 34(3)(c))


def _conditions(account: Account, filters: dict) -> list:
    """Who is affected, as the owner chose: everyone, or those of one location or active lately."""
    location = get_owned(Location, filters.get("location_id"), account.id) if filters.get("location_id") else None
    rules = filter_rules(
        account,
        location or account.main_location,
        {"this_location": bool(location), "active_months": filters.get("active_months")},
        account.today(),
        None,
    )
    return [Customer.account_id == account.id, *[~condition for condition, _reason in rules]]


def audience(account: Account, filters: dict) -> Audience:
    has_email = func.coalesce(Customer.email, "") != ""
    rows = dict(
        db.session.execute(
            select(has_email, func.count()).where(*_conditions(account, filters)).group_by(has_email)
        ).all()
    )
    return Audience(rows.get(True, 0), rows.get(False, 0))


def location_choices(account_id: int) -> list[tuple[int, str]]:
    return db.session.execute(
        select(Location.id, Location.name).where(Location.account_id == account_id).order_by(Location.name)
    ).all()


def default_text(account: Account, breach: Breach) -> tuple[str, str]:
    """A starting point in German (the salon's customers' language) with what Art. 34(2) asks
    for: what happened, the likely consequences, the measures, whom to ask."""
    settings = settings_for(account.main_location)
    contact = settings.dpo_email or settings.controller_email or settings.notification_email
    with force_locale("de"):
        subject = _("Important information about your data at %(salon)s", salon=account.name)
        parts = [
            _("We must tell you that your personal data at our salon was affected by a data breach."),
            _("What happened: %(text)s", text=breach.description),
            _("Which data: %(text)s", text=breach.data_categories),
        ]
        if breach.consequences:
            parts.append(_("What this may mean for you: %(text)s", text=breach.consequences))
        if breach.measures:
            parts.append(_("What we have done: %(text)s", text=breach.measures))
        if contact:
            parts.append(_("If you have questions, please write to %(contact)s.", contact=contact))
    return subject, "\n\n".join(parts)


@transaction
def start(actor: Actor, breach: Breach, subject: str, body: str, filters: dict, confirmed: int) -> int:
    """Queue the messages once the owner confirmed the number shown; returns that number."""
    if breach.inform_people != "yes":
        raise BreachError("not-decided")
    if breach.notice_status:
        raise BreachError("already-sent")
    subject, body = " ".join((subject or "").split()), (body or "").strip()
    if not subject or not body:
        raise BreachError("notice-text", "notice_body")
    if len(subject) > 200 or len(body) > MAX_BODY:
        raise BreachError("too-long", "notice_body")
    account = db.session.get(Account, breach.account_id)
    reachable = audience(account, filters).reachable
    if reachable == 0:
        raise BreachError("nobody")
    if confirmed != reachable:  # the audience changed since the owner saw the number
        raise BreachError("count-changed")
    breach.notice_subject, breach.notice_body, breach.notice_filters = subject, body, filters
    breach.notice_status, breach.notice_total, breach.notice_queued_at = "sending", reachable, utcnow()
    record(
        actor,
        "setting",
        "updated",
        "breach",
        breach.id,
        {"notice_total": {"old": 0, "new": reachable}},
        summary=f"#{breach.id}",
    )
    SEND_BREACH_NOTICES.after_commit(breach)
    return reachable


def told(breach: Breach) -> int:
    return db.session.scalar(select(func.count()).select_from(BreachNotice).where(BreachNotice.breach_id == breach.id))


def send(breach_id: int) -> str:
    """The job: everyone in the audience not yet told, batch by batch, each batch one
    transaction (its notice rows and its mails together)."""
    breach = db.session.get(Breach, breach_id)
    if breach is None or breach.notice_status != "sending":
        return "nothing-to-do"
    account = db.session.get(Account, breach.account_id)
    already = select(BreachNotice.customer_id).where(BreachNotice.breach_id == breach.id)
    after = 0
    while True:
        batch = db.session.execute(
            select(Customer.id, Customer.email)
            .where(
                *_conditions(account, breach.notice_filters or {}),
                Customer.id > after,
                func.coalesce(Customer.email, "") != "",
                Customer.id.not_in(already),
            )
            .order_by(Customer.id)
            .limit(BATCH)
        ).all()
        if not batch:
            break
        for customer_id, email in batch:
            db.session.add(BreachNotice(account_id=account.id, breach_id=breach.id, customer_id=customer_id))
            queue_email(
                account.id,
                email,
                "breach_notice",
                {"salon": account.name, "subject": breach.notice_subject, "body": breach.notice_body},
            )
        db.session.commit()
        after = batch[-1][0]
    breach.notice_status = "sent"
    db.session.commit()
    return "sent"
