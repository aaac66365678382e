"""Signed documents in the customer file, the forms a visit needs (after the check-in), and
the staff's record of a withdrawn health-data consent."""

from __future__ import annotations

from io import BytesIO

from flask import Blueprint, abort, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.appointments import service as appointments
from portal.auth.decorators import requires
from portal.auth.permissions import Permission, has_permission
from portal.models import Appointment, Customer, SignedDocument
from portal.signed_forms import documents as service
from portal.signed_forms.answers import display_value
from portal.signed_forms.content import CONSENT_KINDS, INTERVALS
from portal.signed_forms.due import due_for_appointment
from portal.signed_forms.forms import WithdrawHealthForm, hand_over_form
from portal.signed_forms.signature import signature_data_uri
from portal.tenancy import get_owned_or_404
from portal.web.actor import request_actor
from portal.web.forms import flash_errors
from portal.web.pin import acting, pin_form
from portal.web.templating import blueprint_labels

bp = Blueprint("documents", __name__)
blueprint_labels(
    bp,
    {
        "consent_kinds": CONSENT_KINDS,
        "answer_text": display_value,
        "intervals_label": lambda key: INTERVALS.get(key, key),
        "signature_src": signature_data_uri,
    },
)

CHECK_IN_ERRORS = {
    "not-today": lambda: _("Only an appointment of today can be checked in."),
    "cancelled": lambda: _("This appointment is cancelled."),
    "attended": lambda: _("This appointment is already checked out."),
    "no_show": lambda: _("This appointment is marked as no-show."),
}


def _document(customer_id: int, document_id: int) -> tuple[Customer, SignedDocument]:
    customer = get_owned_or_404(Customer, customer_id, current_user.account_id)
    document = get_owned_or_404(SignedDocument, document_id, current_user.account_id)
    if document.customer_id != customer.id:
        abort(404)
    return customer, document


@bp.route("/customers/<int:customer_id>/documents/<int:document_id>")
@requires(Permission.CUSTOMER_DETAILS)
def detail(customer_id: int, document_id: int):
    customer, document = _document(customer_id, document_id)
    rows = service.read(request_actor(), document, has_permission(current_user, Permission.HEALTH_READ))
    return render_template("signed_forms/document.html", customer=customer, document=document, rows=rows)


@bp.route("/customers/<int:customer_id>/documents/<int:document_id>/pdf")
@requires(Permission.CUSTOMER_DETAILS)
def pdf(customer_id: int, document_id: int):
    customer, document = _document(customer_id, document_id)
    try:
        content = service.pdf_for(request_actor(), document, has_permission(current_user, Permission.HEALTH_READ))
    except service.DocumentError as error:
        flash(
            _("The consent to health data was withdrawn: the PDF with the health answers is locked.")
            if error.code == "withdrawn"
            else _("This PDF holds health answers (Art. 9 GDPR); reading them needs the right “Read health data”."),
            "error",
        )
        return redirect(url_for("documents.detail", customer_id=customer.id, document_id=document.id))
    response = send_file(
        BytesIO(content),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=f"formular-{document.id}.pdf",
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/customers/<int:customer_id>/health/withdraw", methods=["POST"])
@requires(Permission.CUSTOMER_EDIT)
def withdraw_health(customer_id: int):
    customer = get_owned_or_404(Customer, customer_id, current_user.account_id)
    form = WithdrawHealthForm()
    if not form.validate_on_submit():
        flash_errors(form)
    else:
        try:
            count = service.withdraw_health_recorded_by_staff(request_actor(), customer, form.form_id.data)
        except service.DocumentError:
            flash(_("There is no consent to health data to withdraw."), "info")
        else:
            flash(
                _(
                    "Withdrawal recorded. The health answers of %(n)s documents are hidden; the form is not offered again until signed anew.",
                    n=count,
                ),
                "success",
            )
    return redirect(url_for("customers.detail", customer_id=customer.id, tab="forms"))


@bp.route("/appointments/<int:appointment_id>/forms")
@requires(Permission.APPOINTMENT_VIEW)
def offer(appointment_id: int):
    appointment = get_owned_or_404(Appointment, appointment_id, current_user.account_id)
    customer = appointments.customer_of(appointment)
    due = due_for_appointment(appointment)
    return render_template(
        "signed_forms/offer.html",
        appointment=appointment,
        customer=customer,
        due=due,
        pin_form=pin_form(),
        hand_over=hand_over_form(current_user.account_id, customer, appointment, due) if due and customer else None,
    )


@bp.route("/appointments/<int:appointment_id>/check-in", methods=["POST"])
@requires(Permission.APPOINTMENT_EDIT)
def check_in(appointment_id: int):
    appointment = get_owned_or_404(Appointment, appointment_id, current_user.account_id)
    actor = acting(confirm := pin_form())
    if actor is None:  # a shared device: the arrival is recorded under the employee's PIN
        for error in confirm.pin.errors or confirm.employee_id.errors:
            flash(error, "error")
        return redirect(url_for("documents.offer", appointment_id=appointment.id))
    try:
        appointments.check_in(actor, appointment)
    except appointments.AppointmentError as error:
        flash(CHECK_IN_ERRORS.get(error.code, CHECK_IN_ERRORS["cancelled"])(), "error")
        return redirect(url_for("appointments.index"))
    return redirect(url_for("documents.offer", appointment_id=appointment.id))
