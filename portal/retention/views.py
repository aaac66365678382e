"""Settings > Privacy > Automatic forgetting: who the next run forgets and who is held; holds
from the preview or the customer file."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.auth.decorators import requires
from portal.auth.permissions import Permission
from portal.models import Customer
from portal.retention import holds
from portal.retention.forms import HoldForm
from portal.retention.labels import TEMPLATE_LABELS as RETENTION_LABELS
from portal.retention.service import preview_page
from portal.tenancy import get_owned_or_404
from portal.web.actor import request_actor
from portal.web.forms import flash_errors
from portal.web.templating import blueprint_labels, format_day

bp = Blueprint("retention", __name__)
blueprint_labels(bp, RETENTION_LABELS)


@bp.route("/privacy/retention")
@requires(Permission.PRIVACY_SETTINGS_VIEW)
def preview():
    account = current_user.account
    return render_template(
        "retention/preview.html", account=account, form=HoldForm(formdata=None), **preview_page(account)
    )


@bp.route("/customers/<int:customer_id>/hold", methods=["POST"])
@requires(Permission.CUSTOMER_EDIT)
def hold(customer_id: int):
    customer = get_owned_or_404(Customer, customer_id, current_user.account_id)
    form = HoldForm()
    if not form.validate_on_submit():
        flash_errors(form)
    else:
        holds.add_hold(request_actor(), customer, form.reason.data, form.until.data, current_user.account.today())
        flash(
            _(
                "%(name)s is kept from automatic forgetting until %(date)s.",
                name=customer.full_name,
                date=format_day(form.until.data),
            ),
            "success",
        )
    if request.form.get("back") == "preview":
        return redirect(url_for("retention.preview"))
    return redirect(url_for("customers.detail", customer_id=customer.id, tab="privacy"))
