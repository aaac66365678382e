"""The till: what is still to be billed, checkout, invoices, cancellation, the cash book."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.auth.decorators import requires
from portal.auth.permissions import Permission
from portal.bonus import service as bonus
from portal.checkout import reports, service
from portal.checkout.errors import message
from portal.checkout.forms import CancelInvoiceForm, CheckoutForm, NoShowForm
from portal.checkout.labels import TEMPLATE_LABELS as CHECKOUT_LABELS
from portal.models import Appointment, Customer, Invoice
from portal.tenancy import get_owned_or_404
from portal.vouchers.service import TEMPLATE_HELPERS as VOUCHER_HELPERS
from portal.web.converters import id_arg
from portal.web.htmx import is_fragment_request
from portal.web.pin import acting, pin_form
from portal.web.templating import blueprint_labels

bp = Blueprint("checkout", __name__)
blueprint_labels(bp, CHECKOUT_LABELS, VOUCHER_HELPERS)


def _month() -> date:
    try:
        return date.fromisoformat(request.args.get("month", "") + "-01")
    except ValueError:
        return current_user.account.today().replace(day=1)


@bp.route("/checkout")
@requires(Permission.INVOICE_VIEW)
def index():
    account = current_user.account
    month = _month()
    unbilled_count, unbilled = service.unbilled(account)
    return render_template(
        "checkout/index.html",
        month=month,
        month_links=reports.month_links(month),
        invoices=reports.invoices_of_month(account, month),
        unbilled=unbilled,
        unbilled_count=unbilled_count,
    )


@bp.route("/checkout/new", methods=["GET", "POST"])
@bp.route("/appointments/<int:appointment_id>/checkout", methods=["GET", "POST"])
@requires(Permission.CHECKOUT)
def sale(appointment_id: int | None = None):
    account_id = current_user.account_id
    appointment = get_owned_or_404(Appointment, appointment_id, account_id) if appointment_id else None
    customer_id = appointment.customer_id if appointment else request.args.get("customer", type=id_arg)
    customer = get_owned_or_404(Customer, customer_id, account_id) if customer_id else None
    form = CheckoutForm()
    if request.method == "POST" and request.form.get("add_line") and len(form.lines) < 30:
        form.lines.append_entry()
    form.set_choices(*service.catalogue(account_id))
    if request.method == "GET":
        service.prefill(form, appointment)
    confirm = pin_form()
    error = None
    if request.method == "POST" and not request.form.get("add_line") and form.validate() and (actor := acting(confirm)):
        try:
            invoice = service.checkout(
                actor, form.to_input(customer.id if customer else None, appointment.id if appointment else None)
            )
        except service.CheckoutError as failure:
            error = message(failure)
        else:
            flash(_("Invoice %(number)s created.", number=invoice.number), "success")
            return redirect(url_for("checkout.invoice", invoice_id=invoice.id))
    template = "checkout/_sale_form.html" if is_fragment_request() else "checkout/sale.html"
    status = 422 if request.method == "POST" and not request.form.get("add_line") and not is_fragment_request() else 200
    return render_template(
        template,
        form=form,
        pin_form=confirm,
        customer=customer,
        appointment=appointment,
        full_cards=bonus.full_cards(customer.id if customer else None),
        error=error,
    ), status


@bp.route("/invoices/<int:invoice_id>")
@requires(Permission.INVOICE_VIEW)
def invoice(invoice_id: int):
    invoice = get_owned_or_404(Invoice, invoice_id, current_user.account_id)
    return render_template(
        "checkout/invoice.html",
        invoice=invoice,
        **service.invoice_context(invoice),
        cancel_form=CancelInvoiceForm(formdata=None),
        pin_form=pin_form(),
    )


@bp.route("/invoices/<int:invoice_id>/cancel", methods=["POST"])
@requires(Permission.INVOICE_CANCEL)
def cancel(invoice_id: int):
    invoice = get_owned_or_404(Invoice, invoice_id, current_user.account_id)
    form = CancelInvoiceForm()
    confirm = pin_form()
    if form.validate_on_submit() and (actor := acting(confirm)):
        try:
            storno = service.cancel_invoice(actor, invoice, form.reason.data)
        except service.CheckoutError as failure:
            flash(message(failure), "error")
        else:
            flash(
                _(
                    "Invoice %(number)s is cancelled by cancellation invoice %(storno)s.",
                    number=invoice.number,
                    storno=storno.number,
                ),
                "success",
            )
            return redirect(url_for("checkout.invoice", invoice_id=storno.id))
    return render_template(
        "checkout/invoice.html", invoice=invoice, **service.invoice_context(invoice), cancel_form=form, pin_form=confirm
    ), 422


@bp.route("/appointments/<int:appointment_id>/no-show", methods=["POST"])
@requires(Permission.APPOINTMENT_EDIT)
def no_show(appointment_id: int):
    appointment = get_owned_or_404(Appointment, appointment_id, current_user.account_id)
    confirm = pin_form()
    if NoShowForm().validate_on_submit() and (actor := acting(confirm)):
        try:
            service.mark_no_show(actor, appointment)
        except service.CheckoutError as failure:
            flash(message(failure), "error")
        else:
            flash(_("Marked as not attended (no-show)."), "success")
    elif confirm is not None:
        flash(_("Please confirm with your PIN."), "error")
    return redirect(
        request.form.get("back") == "appointments"
        and url_for("appointments.index")
        or url_for("appointments.edit", appointment_id=appointment.id)
    )


@bp.route("/cash-book")
@requires(Permission.CASHBOOK_VIEW)
def cash_book():
    book = reports.cash_book(current_user.account, _month())
    return render_template(
        "checkout/cash_book.html", book=book, month=book.month, month_links=reports.month_links(book.month)
    )
