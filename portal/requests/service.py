"""Privacy requests: received online (verified by email link) or recorded by staff, answered
within the legal deadline, and completed per kind (access, erasure, correction, …)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from portal import tokens
from portal.audit import Actor, record
from portal.customers.duplicates import find_duplicates
from portal.extensions import db
from portal.mail import external_url, queue_email
from portal.messaging.consent import withdraw_marketing
from portal.models import Account, Customer, Location, Login, PrivacyRequest, RequestStatus
from portal.models.base import utcnow
from portal.models.privacy import RequestsMode
from portal.privacy.settings_service import settings_for
from portal.requests import deadlines, recipients
from portal.requests.erasure import ErasureBlocked, erase_customer, find_blockers
from portal.requests.labels import TEMPLATE_LABELS
from portal.signed_forms.documents import withdraw_health
from portal.tasks import BUILD_ACCESS_PACKAGE
from portal.transaction import transaction

VERIFY_PURPOSE = "privacy-request"
VERIFY_HOURS = 24


class RequestError(Exception):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def _event(actor: Actor, request: PrivacyRequest, action: str, changes: dict | None = None) -> None:
    """The request's timeline lives in the audit history (no personal data in it)."""
    record(
        actor, "request", action, "privacy_request", request.id, changes or {}, summary=f"#{request.id} {request.kind}"
    )


def request_state(request: PrivacyRequest) -> str:
    """Public holidays of the state of the location the request came through (the salon's
    main location where none is named)."""
    location = request.location_id and db.session.get(Location, request.location_id)
    return (location or db.session.get(Account, request.account_id).main_location).state


def _receive(actor: Actor, request: PrivacyRequest) -> None:
    """The request counts as received now: the one-month deadline starts."""
    account = db.session.get(Account, request.account_id)
    request.received_at = utcnow()
    request.status = "new"
    request.due_on = deadlines.due_date(account.local_date(request.received_at), request_state(request))
    _event(actor, request, "received", {"due_on": {"old": None, "new": request.due_on.isoformat()}})
    notify_owner(request, "privacy_request_new")


def notification_addresses(request: PrivacyRequest) -> list[tuple[str, str]]:
    """The location's notification email, else the salon's owners: [(email, locale)]."""
    location = db.session.get(Location, request.location_id)
    configured = settings_for(location).notification_email
    if configured:
        return [(configured, "de")]
    owners = db.session.scalars(
        select(Login).where(Login.account_id == request.account_id, Login.role == "owner", Login.active.is_(True))
    )
    return [(owner.email, owner.locale) for owner in owners]


def _mail(account_id: int, recipient: str, template: str, context: dict, **options):
    """A request mail: its text names kinds and outcomes with the request pages' words."""
    return queue_email(account_id, recipient, template, {**TEMPLATE_LABELS, **context}, **options)


def notify_owner(request: PrivacyRequest, template: str, **extra) -> None:
    for address, locale in notification_addresses(request):
        _mail(
            request.account_id,
            address,
            template,
            {
                "request_id": request.id,
                "kind": request.kind,
                "due_on": request.due_on,
                "link": external_url("requests.detail", request_id=request.id),
                **extra,
            },
            locale=locale,
        )


# --- online requests -------------------------------------------------------------------------


@transaction
def create_online_request(location: Location, kind: str, email: str, message: str, locale: str) -> PrivacyRequest:
    """An unverified request and the verification mail; the same for known and unknown emails."""
    request = PrivacyRequest(
        account_id=location.account_id,
        location_id=location.id,
        kind=kind,
        channel="online",
        status="unverified",
        email=email,
        message=message,
        locale=locale,
    )
    db.session.add(request)
    db.session.flush()
    token = tokens.issue(location.account_id, VERIFY_PURPOSE, {"request_id": request.id}, hours=VERIFY_HOURS)
    _mail(
        location.account_id,
        email,
        "privacy_request_verify",
        {
            "link": external_url("public.confirm_request", token=tokens.link_value(token)),
            "salon": db.session.get(Account, location.account_id).name,
            "kind": kind,
            "hours": VERIFY_HOURS,
        },
        locale=locale,
    )
    return request


@transaction
def confirm_online_request(token_value: str, actor: Actor) -> PrivacyRequest:
    """POST of the verification link: the request is received; in self-service mode it is
    answered right away where nothing needs a person."""
    token = tokens.consume(token_value, VERIFY_PURPOSE)
    if token is None:
        raise RequestError("invalid-token")
    request = db.session.get(PrivacyRequest, token.subject.get("request_id"))
    if request is None or request.status != "unverified" or request.account_id != token.account_id:
        raise RequestError("invalid-token")
    matches = list(
        db.session.scalars(
            select(Customer).where(Customer.account_id == request.account_id, Customer.email == request.email)
        )
    )
    if len(matches) == 1:
        request.customer_id = matches[0].id
    _receive(actor, request)
    if not matches:
        _finish(actor, request, "no_data")
        _mail(
            request.account_id,
            request.email,
            "privacy_request_no_data",
            {"salon": db.session.get(Account, request.account_id).name},
            locale=request.locale,
        )
        return request
    location = db.session.get(Location, request.location_id)
    if settings_for(location).requests_mode == RequestsMode.SELF_SERVICE and len(matches) == 1:
        _self_service(actor, request, matches[0])
    return request


def _self_service(actor: Actor, request: PrivacyRequest, customer: Customer) -> None:
    if request.kind in ("access", "portability"):
        start_access_package(actor, request)
    elif request.kind == "objection":
        complete(actor, request)
    elif request.kind == "erasure" and not find_blockers(customer) and not find_duplicates(customer):
        complete(actor, request)
    # Correction, restriction, and erasures with blockers or duplicates need a person.


# --- staff ----------------------------------------------------------------------------------


@transaction
def record_staff_request(
    actor: Actor, customer: Customer, kind: str, channel: str, note: str, location_id: int
) -> PrivacyRequest:
    request = PrivacyRequest(
        account_id=customer.account_id,
        location_id=location_id,
        customer_id=customer.id,
        kind=kind,
        channel=channel,
        status="new",
        email=customer.email or "",
        staff_note=note,
    )
    db.session.add(request)
    db.session.flush()
    _event(actor, request, "recorded", {"channel": {"old": None, "new": channel}})
    _receive(actor, request)
    return request


def _claim(request: PrivacyRequest, to_status: str, allowed: tuple[str, ...]) -> None:
    """Atomic status change: a double-click or two people at once cannot both succeed."""
    result = db.session.execute(
        update(PrivacyRequest)
        .where(PrivacyRequest.id == request.id, PrivacyRequest.status.in_(allowed))
        .values(status=to_status)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise RequestError("already-handled")
    db.session.refresh(request)


@transaction
def start(actor: Actor, request: PrivacyRequest) -> None:
    _claim(request, "in_progress", ("new",))
    _event(actor, request, "started")


@transaction
def extend(actor: Actor, request: PrivacyRequest, months: int, reason: str, today: date) -> None:
    """Art. 12(3): up to two further months, with reasons, told within the first month."""
    if request.status not in ("new", "in_progress"):
        raise RequestError("already-handled")
    if not reason.strip():
        raise RequestError("reason-required")
    total = request.extension_months + months
    if months < 1 or total > deadlines.MAX_EXTENSION_MONTHS:
        raise RequestError("extension-too-long")
    account = db.session.get(Account, request.account_id)
    state = request_state(request)
    original_due = deadlines.due_date(account.local_date(request.received_at), state)
    if today > original_due:
        raise RequestError("extension-too-late")
    old_due = request.due_on
    request.extension_months = total
    request.extension_reason = reason.strip()
    request.due_on = deadlines.due_date(account.local_date(request.received_at), state, total)
    _event(actor, request, "extended", {"due_on": {"old": old_due.isoformat(), "new": request.due_on.isoformat()}})
    if request.email:
        _mail(
            request.account_id,
            request.email,
            "privacy_request_extended",
            {
                "salon": account.name,
                "due_on": request.due_on,
                "reason": request.extension_reason,
                "request_id": request.id,
            },
            locale=request.locale,
        )


@transaction
def reject(actor: Actor, request: PrivacyRequest, reason: str) -> None:
    if not reason.strip():
        raise RequestError("reason-required")
    _claim(request, "rejected", ("new", "in_progress"))
    request.rejection_reason = reason.strip()
    request.handled_by_id, request.handled_at = actor.login_id, utcnow()
    _event(actor, request, "rejected")
    if request.email:
        _mail(
            request.account_id,
            request.email,
            "privacy_request_rejected",
            {
                "salon": db.session.get(Account, request.account_id).name,
                "reason": request.rejection_reason,
                "request_id": request.id,
            },
            locale=request.locale,
        )


def _finish(actor: Actor, request: PrivacyRequest, outcome: str) -> None:
    _claim(request, "done", ("new", "in_progress"))
    request.outcome = outcome
    request.handled_by_id, request.handled_at = actor.login_id, utcnow()
    _event(actor, request, "done", {"outcome": {"old": None, "new": outcome}})


@transaction
def complete(actor: Actor, request: PrivacyRequest) -> None:
    """Mark done, doing what the kind requires. Correction is done in the customer form first."""
    if request.status not in ("new", "in_progress"):
        raise RequestError("already-handled")
    customer = db.session.get(Customer, request.customer_id) if request.customer_id else None
    if request.kind in ("access", "portability"):
        start_access_package(actor, request)
        return
    if request.kind == "erasure" and request.certificate:  # erased; the other systems are being ticked off
        raise RequestError("already-handled")
    if customer is None:
        raise RequestError("no-customer")
    if request.kind == "erasure":
        address = request.email
        try:
            certificate = erase_customer(actor, customer, request)
        except ErasureBlocked:
            raise RequestError("blocked") from None
        request.certificate = certificate
        if recipients.open_systems(request):  # Art. 19: closed once every system is ticked off
            if request.status == RequestStatus.NEW:
                _claim(request, "in_progress", ("new",))
            request.outcome = "erased"
            _event(actor, request, "erased")
        else:
            _finish(actor, request, "erased")
        if address:
            _mail(
                request.account_id,
                address,
                "privacy_erasure_certificate",
                {
                    "salon": db.session.get(Account, request.account_id).name,
                    "certificate": certificate,
                    "request_id": request.id,
                },
                locale=request.locale,
                forget_recipient=True,
            )
        request.email = ""
        notify_owner(request, "privacy_request_erased", other_systems=certificate["other_systems"])
    elif request.kind == "restriction":
        customer.restricted_at = utcnow()
        record(
            actor,
            "customer",
            "restricted",
            "customer",
            customer.id,
            {"restricted": {"old": False, "new": True}},
            customer_id=customer.id,
            summary=customer.full_name,
        )
        _finish(actor, request, "restricted")
    elif request.kind == "objection":
        withdraw_marketing(actor, customer, "objection")
        withdraw_health(actor, customer, "objection")  # the signed forms' Art. 9 consent too
        record(
            actor,
            "customer",
            "objected",
            "customer",
            customer.id,
            {"marketing": {"old": None, "new": "withdrawn"}},
            customer_id=customer.id,
            summary=customer.full_name,
        )
        _finish(actor, request, "marketing_withdrawn")
    else:  # correction: the staff member saved the corrected customer file
        _finish(actor, request, "corrected")


@transaction
def tick_system(actor: Actor, request: PrivacyRequest, processor_id: int, outcome: str, reason: str) -> bool:
    """Tick one system off (Art. 19); returns whether that closed the request (the customer
    was erased and nothing is left to tick)."""
    if request.kind != "erasure" or request.status not in ("new", "in_progress"):
        raise RequestError("already-handled")
    try:
        row = recipients.record_tick(actor, request, processor_id, outcome, reason)
    except IntegrityError:  # the same tick twice at once (double tap, two people)
        raise recipients.TickError("already") from None
    _event(actor, request, f"system_{outcome}", {"system": {"old": None, "new": row.name}})
    if request.certificate and not recipients.open_systems(request):
        _finish(actor, request, "erased")
        return True
    return False


@transaction
def lift_restriction(actor: Actor, customer: Customer) -> None:
    if customer.restricted_at is None:
        return
    customer.restricted_at = None
    record(
        actor,
        "customer",
        "unrestricted",
        "customer",
        customer.id,
        {"restricted": {"old": True, "new": False}},
        customer_id=customer.id,
        summary=customer.full_name,
    )


@transaction
def link_customer(actor: Actor, request: PrivacyRequest, customer: Customer) -> None:
    if customer.account_id != request.account_id:
        raise RequestError("no-customer")
    request.customer_id = customer.id
    _event(actor, request, "linked", {"customer": {"old": None, "new": f"K-{customer.id}"}})


def start_access_package(actor: Actor, request: PrivacyRequest) -> None:
    """Hand the package to the worker; it marks the request done when the link is mailed."""
    if request.customer_id is None:
        raise RequestError("no-customer")
    if request.status == "new":
        _claim(request, "in_progress", ("new",))
    elif request.status != "in_progress":
        raise RequestError("already-handled")
    request.package_requested_at = utcnow()
    _event(actor, request, "package_requested")
    BUILD_ACCESS_PACKAGE.after_commit(request)


def request_for_link(token_value: str) -> PrivacyRequest | None:
    """The unverified online request a confirmation link points at (only checked)."""
    checked = tokens.check(token_value, VERIFY_PURPOSE)
    found = db.session.get(PrivacyRequest, checked.subject.get("request_id")) if checked else None
    return found if found is not None and found.status == RequestStatus.UNVERIFIED else None
