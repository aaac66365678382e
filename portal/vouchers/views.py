"""Vouchers: the overview with filters and totals, one voucher's history, create, pay out, void."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.auth.decorators import requires
from portal.auth.permissions import Permission
from portal.checkout.labels import TEMPLATE_LABELS as CHECKOUT_LABELS
from portal.models import PrivacyRequest, Voucher
from portal.tenancy import get_owned, get_owned_or_404
from portal.vouchers import service
from portal.vouchers.forms import CloseVoucherForm, VoucherForm
from portal.vouchers.service import TEMPLATE_HELPERS as VOUCHER_HELPERS
from portal.web.actor import request_actor
from portal.web.converters import id_arg
from portal.web.money import format_cents
from portal.web.pin import acting, pin_form
from portal.web.templating import blueprint_labels

bp = Blueprint("vouchers", __name__)
blueprint_labels(bp, CHECKOUT_LABELS, VOUCHER_HELPERS)

ERRORS = {
    "value": lambda: _("A voucher is worth between 1,00 € and 10.000,00 €."),
    "valid-until": lambda: _("The validity cannot end in the past."),
    "customer": lambda: _("This customer does not exist."),
    "reason": lambda: _("Please give the reason; it is recorded."),
    "used-up": lambda: _("This voucher has no value left."),
    "kind": lambda: _("Please choose pay out or void."),
    "changed-meanwhile": lambda: _("The voucher's value changed meanwhile; please try again."),
}


@bp.route("/vouchers")
@requires(Permission.VOUCHER_VIEW)
def index():
    chosen = request.args.get("state", "all")
    overview = service.overview(
        current_user.account, chosen if chosen in service.FILTERS else "all", request.args.get("code", "")[:40]
    )
    return render_template(
        "vouchers/index.html",
        overview=overview,
        chosen=chosen,
        filters=service.FILTERS,
        code=request.args.get("code", "")[:40],
        today=current_user.account.today(),
    )


@bp.route("/vouchers/new", methods=["GET", "POST"])
@requires(Permission.VOUCHER_MANAGE)
def create():
    customer_id = request.args.get("customer", type=id_arg)
    form = VoucherForm()
    if request.method == "GET":
        form.valid_until.data = service.default_valid_until(current_user.account)
    if form.validate_on_submit():
        try:
            voucher = service.issue(request_actor(), form.value.data, form.valid_until.data, customer_id)
        except service.VoucherError as error:
            form.value.errors = [*form.value.errors, ERRORS[error.code]()]
        else:
            flash(_("Voucher %(code)s created.", code=service.display_code(voucher.code)), "success")
            return redirect(url_for("vouchers.detail", voucher_id=voucher.id))
    return render_template("vouchers/new.html", form=form), 422 if request.method == "POST" else 200


def _detail(voucher: Voucher, form: CloseVoucherForm, status: int = 200):
    back = get_owned(PrivacyRequest, request.values.get("from_request"), current_user.account_id)
    return render_template(
        "vouchers/detail.html",
        voucher=voucher,
        form=form,
        pin_form=pin_form(),
        state=service.state(voucher, current_user.account.today()),
        display_code=service.display_code,
        back_request=back,
        remaining=format_cents(voucher.remaining_cents),
    ), status


@bp.route("/vouchers/<int:voucher_id>")
@requires(Permission.VOUCHER_VIEW)
def detail(voucher_id: int):
    return _detail(get_owned_or_404(Voucher, voucher_id, current_user.account_id), CloseVoucherForm(formdata=None))


@bp.route("/vouchers/<int:voucher_id>/close", methods=["POST"])
@requires(Permission.VOUCHER_MANAGE)
def close(voucher_id: int):
    voucher = get_owned_or_404(Voucher, voucher_id, current_user.account_id)
    form = CloseVoucherForm()
    if form.validate_on_submit() and (actor := acting(pin_form())):
        try:
            amount = service.close(actor, voucher, form.kind.data, form.reason.data)
        except service.VoucherError as error:
            flash(ERRORS[error.code](), "error")
        else:
            flash(
                _("%(value)s paid out.", value=format_cents(amount) + " €")
                if form.kind.data == "paid_out"
                else _("The remaining value is void."),
                "success",
            )
            back = get_owned(PrivacyRequest, request.form.get("from_request"), current_user.account_id)
            if back is not None:
                return redirect(url_for("requests.detail", request_id=back.id))
            return redirect(url_for("vouchers.detail", voucher_id=voucher.id))
    return _detail(voucher, form, 422)
