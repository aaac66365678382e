"""Which forms a visit needs (seed 004: asked every visit, every 3 or 6 months, or once): the
intake form until the customer has signed it, each active treatment form of the appointment's
service by its interval. A form whose health-data consent the customer withdrew is not offered
again until the customer signs it anew (staff can still hand it over)."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Account, Appointment, FormKind, SalonForm, SignedDocument
from portal.requests.deadlines import add_months
from portal.signed_forms.content import INTERVAL_MONTHS
from portal.tenancy import scoped


def _applies(form: SalonForm, appointment: Appointment | None) -> bool:
    if form.kind == FormKind.INTAKE:
        return True
    if appointment is None:
        return False
    return form.all_services or (
        appointment.service_id is not None and appointment.service_id in {s.id for s in form.services}
    )


def _due(form: SalonForm, latest, appointment: Appointment | None, account: Account) -> bool:
    if latest is None:
        return True
    if latest.health_withdrawn_at is not None:
        return False
    if form.kind == FormKind.INTAKE or form.interval == "once":
        return False
    if form.interval == "every_visit":
        return appointment is None or latest.appointment_id != appointment.id
    months = INTERVAL_MONTHS.get(form.interval)
    return months is not None and add_months(account.local_date(latest.signed_at), months) <= account.today()


def _latest(account_id: int, customer_ids: list[int]) -> dict[tuple[int, int], object]:
    """The newest document per (customer, form): the columns the rules read, not the PDFs."""
    if not customer_ids:
        return {}
    newest = (
        select(func.max(SignedDocument.id))
        .where(SignedDocument.account_id == account_id, SignedDocument.customer_id.in_(customer_ids))
        .group_by(SignedDocument.customer_id, SignedDocument.form_id)
    )
    documents = db.session.execute(
        select(
            SignedDocument.customer_id,
            SignedDocument.form_id,
            SignedDocument.appointment_id,
            SignedDocument.signed_at,
            SignedDocument.health_withdrawn_at,
        ).where(SignedDocument.id.in_(newest))
    )
    return {(d.customer_id, d.form_id): d for d in documents}


def due_forms(account_id: int, visits: list[tuple[int, Appointment | None]]) -> dict[int | None, list[SalonForm]]:
    """For each (customer, appointment) of a list (the day's appointments, or one customer
    without an appointment): the forms due, keyed by appointment id (None for no appointment)."""
    forms = list(
        db.session.scalars(
            scoped(SalonForm, account_id).where(SalonForm.active.is_(True)).order_by(SalonForm.kind, SalonForm.title)
        )
    )
    if not forms:
        return {}
    account = db.session.get(Account, account_id)
    latest = _latest(account_id, sorted({cid for cid, _a in visits if cid}))
    result = {}
    for customer_id, appointment in visits:
        key = appointment.id if appointment else None
        result[key] = [
            form
            for form in forms
            if _applies(form, appointment) and _due(form, latest.get((customer_id, form.id)), appointment, account)
        ]
    return result


def due_for_appointment(appointment: Appointment) -> list[SalonForm]:
    if appointment.customer_id is None:
        return []
    return due_forms(appointment.account_id, [(appointment.customer_id, appointment)]).get(appointment.id, [])
