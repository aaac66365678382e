"""Appointments: the day list, booking from the customer file, moving/editing, cancelling."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.appointments import service
from portal.appointments.forms import AppointmentForm, CancelForm
from portal.auth.decorators import requires
from portal.auth.permissions import Permission
from portal.checkout import service as checkout
from portal.history.display import TEMPLATE_LABELS as HISTORY_LABELS
from portal.models import Appointment, Customer
from portal.signed_forms.due import due_forms
from portal.tenancy import get_owned_or_404
from portal.web.pin import acting, pin_form
from portal.web.templating import blueprint_labels

bp = Blueprint("appointments", __name__)
blueprint_labels(bp, HISTORY_LABELS)

ERRORS = {
    "unknown-reference": lambda: _("Please choose from the lists."),
    "cancelled": lambda: _("This appointment is cancelled and can no longer be changed."),
    "attended": lambda: _("This appointment is checked out; to correct it, cancel its invoice."),
    "no_show": lambda: _("This appointment is marked as no-show and can no longer be changed."),
}


def _choices(form: AppointmentForm) -> None:
    lists = service.choices(current_user.account_id)
    form.location_id.choices = lists.locations
    form.service_id.choices = [(0, "—"), *lists.services]
    form.employee_id.choices = [(0, "—"), *lists.employees]


def _local(value: datetime) -> datetime:
    return value.astimezone(ZoneInfo(current_user.account.timezone))


@bp.route("/appointments")
@requires(Permission.APPOINTMENT_VIEW)
def index():
    try:
        day = date.fromisoformat(request.args.get("day", ""))
    except ValueError:
        day = current_user.account.today()
    rows = service.day_list(current_user.account, day)
    unbilled_count, unbilled = checkout.unbilled(current_user.account)
    forms_due = due_forms(
        current_user.account_id, [(a.customer_id, a) for a, _first, _last in rows if a.status == "booked"]
    )
    return render_template(
        "appointments/index.html",
        rows=rows,
        day=day,
        unbilled=unbilled,
        unbilled_count=unbilled_count,
        forms_due=forms_due,
        check_in_needs_pin=pin_form() is not None,
        previous_day=day - timedelta(days=1),
        next_day=day + timedelta(days=1),
    )


def _form_page(form, customer, appointment=None, confirm=None, status=200):
    invoice = checkout.invoice_of(appointment) if appointment else None
    return render_template(
        "appointments/form.html",
        form=form,
        customer=customer,
        appointment=appointment,
        pin_form=confirm,
        cancel_form=CancelForm(),
        invoice=invoice,
        status=status,
    ), status


@bp.route("/customers/<int:customer_id>/appointments/new", methods=["GET", "POST"])
@requires(Permission.APPOINTMENT_EDIT)
def create(customer_id: int):
    customer = get_owned_or_404(Customer, customer_id, current_user.account_id)
    form = AppointmentForm()
    _choices(form)
    confirm = pin_form()
    if form.validate_on_submit() and (actor := acting(confirm)):
        try:
            appointment = service.create_appointment(actor, customer, form.data_object())
        except service.AppointmentError as error:
            form.location_id.errors = [*form.location_id.errors, ERRORS[error.code]()]
        else:
            flash(
                _("Appointment booked for %(when)s.", when=_local(appointment.starts_at).strftime("%d.%m.%Y %H:%M")),
                "success",
            )
            return redirect(url_for("customers.detail", customer_id=customer.id, tab="appointments"))
    if request.method == "GET":
        form.day.data = current_user.account.today() + timedelta(days=1)
    return _form_page(form, customer, confirm=confirm, status=422 if request.method == "POST" else 200)


@bp.route("/appointments/<int:appointment_id>", methods=["GET", "POST"])
@requires(Permission.APPOINTMENT_EDIT)
def edit(appointment_id: int):
    appointment = get_owned_or_404(Appointment, appointment_id, current_user.account_id)
    customer = service.customer_of(appointment)
    form = AppointmentForm()
    _choices(form)
    confirm = pin_form()
    if request.method == "GET":
        local = _local(appointment.starts_at)
        form.location_id.data, form.service_id.data = appointment.location_id, appointment.service_id or 0
        form.employee_id.data, form.day.data, form.start.data = appointment.employee_id or 0, local.date(), local.time()
        form.duration_minutes.data = int((appointment.ends_at - appointment.starts_at).total_seconds() // 60)
        form.notes.data = appointment.notes
    elif form.validate_on_submit() and (actor := acting(confirm)):
        try:
            changes = service.update_appointment(actor, appointment, form.data_object())
        except service.AppointmentError as error:
            flash(ERRORS[error.code](), "error")
        else:
            flash(_("Appointment saved.") if changes else _("Nothing changed."), "success" if changes else "info")
            return redirect(url_for("appointments.edit", appointment_id=appointment.id))
    return _form_page(form, customer, appointment, confirm, status=422 if request.method == "POST" else 200)


@bp.route("/appointments/<int:appointment_id>/cancel", methods=["POST"])
@requires(Permission.APPOINTMENT_EDIT)
def cancel(appointment_id: int):
    appointment = get_owned_or_404(Appointment, appointment_id, current_user.account_id)
    form = CancelForm()
    confirm = pin_form()
    if form.validate_on_submit() and form.confirm.data != "yes":
        flash(_("Please confirm the cancellation. Nothing was changed."), "error")
        return redirect(url_for("appointments.edit", appointment_id=appointment.id))
    if form.validate_on_submit() and (actor := acting(confirm)):
        try:
            service.cancel_appointment(actor, appointment, (form.reason.data or "").strip())
        except service.AppointmentError as error:
            flash(ERRORS[error.code](), "error")
        else:
            flash(_("Appointment cancelled."), "success")
        return redirect(url_for("appointments.edit", appointment_id=appointment.id))
    edit_form = AppointmentForm()
    _choices(edit_form)
    customer = service.customer_of(appointment)
    flash(_("Please confirm with your PIN to cancel."), "error")
    return _form_page(edit_form, customer, appointment, confirm, status=422)
