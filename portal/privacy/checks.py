"""What the privacy overview flags: settings that are missing or need a look."""

from __future__ import annotations

from dataclasses import dataclass

from flask import g, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, func, select

from portal.accountability import processors
from portal.extensions import db
from portal.legal import DPO_REQUIRED_FROM_PERSONS
from portal.models import Account, Employee, Location, Login
from portal.models.privacy import RequestsMode
from portal.privacy.notice import can_publish
from portal.privacy.settings_service import settings_for


@dataclass
class Check:
    level: str  # "error" (must fix), "warning" (should look), "ok"
    message: object
    section: str
    url: str = ""  # where to fix it, when not a section of the location's settings


def active_people(account_id: int) -> tuple[int, int]:
    """(active logins, active employees), read once per request and salon: the overview shows
    both and its privacy checks add them up."""
    remembered = g.setdefault("active_people", {})
    if account_id not in remembered:
        remembered[account_id] = tuple(db.session.execute(_ACTIVE_PEOPLE, {"account_id": account_id}).one())
    return remembered[account_id]


_ACTIVE_PEOPLE = select(
    select(func.count()).where(Login.account_id == bindparam("account_id"), Login.active.is_(True)).scalar_subquery(),
    select(func.count())
    .where(Employee.account_id == bindparam("account_id"), Employee.active.is_(True))
    .scalar_subquery(),
)


def persons_processing(account_id: int) -> int:
    """Active logins plus active employees: the people who regularly process customer data."""
    return sum(active_people(account_id))


@dataclass
class SalonFacts:
    """What the checks of every location of a salon share: read once per page, not per location."""

    persons: int
    incomplete_processors: list


def salon_facts(account: Account) -> SalonFacts:
    return SalonFacts(
        persons=persons_processing(account.id),
        incomplete_processors=[p for p in processors.register(account.id) if processors.missing(p)],
    )


def privacy_checks(account: Account, location: Location, facts: SalonFacts | None = None) -> list[Check]:
    facts = facts or salon_facts(account)
    settings = settings_for(location)
    checks = []
    if not can_publish(settings):
        checks.append(
            Check(
                "error",
                _l("The privacy notice is not published: it needs the controller's contact email or phone."),
                "controller",
            )
        )
    if not settings.notification_email:
        checks.append(
            Check(
                "warning",
                _l("No separate address for notifications: privacy requests are mailed to the owners' logins."),
                "notification",
            )
        )
    if not all(
        (
            settings.controller_name,
            settings.controller_street,
            settings.controller_postal_code,
            settings.controller_city,
            settings.controller_email,
        )
    ):
        checks.append(
            Check(
                "error",
                _l("The controller's address or contact is incomplete; the privacy notice needs it."),
                "controller",
            )
        )
    if not settings.authority_code:
        checks.append(
            Check(
                "error",
                _l("No supervisory authority chosen; customers must learn where they can complain."),
                "controller",
            )
        )
    persons = facts.persons
    if not settings.dpo_name and persons >= DPO_REQUIRED_FROM_PERSONS:
        checks.append(
            Check(
                "error",
                _l(
                    "%(n)d persons process customer data: a data protection officer is required (§ 38 BDSG).", n=persons
                ),
                "dpo",
            )
        )
    if settings.requests_mode == RequestsMode.MANUAL:
        checks.append(
            Check(
                "warning",
                _l("Data requests are handled manually: answer each within one month (Art. 12(3) GDPR)."),
                "requests",
            )
        )
    if settings.marketing_enabled:
        checks.append(
            Check(
                "warning",
                _l("Marketing is on: make sure every customer with marketing approval has consented provably."),
                "marketing",
            )
        )
    if not account.retention_months:
        checks.append(
            Check("warning", _l("Automatic forgetting is off: inactive customers are kept indefinitely."), "retention")
        )
    incomplete = facts.incomplete_processors
    if incomplete:
        checks.append(
            Check(
                "warning",
                _l(
                    "The processor register is incomplete (%(names)s): name, place of processing and the day the "
                    "data processing agreement was signed.",
                    names=", ".join(processors.name_of(p) for p in incomplete),
                ),
                "processors",
                url_for("processors.index"),
            )
        )
    return checks
