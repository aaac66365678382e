"""Settings > Privacy > Automatic forgetting: who the next run forgets and who is held; holds
from the preview or the customer file."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from wtforms import DateField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from portal.auth.decorators import requires
from portal.auth.permissions import Permission
from portal.extensions import db
from portal.models import Account, Customer, CustomerHold, RetentionRun
from portal.retention import service as retention
from portal.tenancy import get_owned_or_404, scoped
from portal.web.actor import request_actor
from portal.web.forms import PortalForm

bp = Blueprint("retention", __name__)


class HoldForm(PortalForm):
    reason = StringField(
        _l("Reason"), validators=[DataRequired(_l("Please give a reason for the hold.")), Length(max=300)]
    )
    until = DateField(
        _l("Hold until"), validators=[DataRequired(_l("Please enter the date until which the customer is kept."))]
    )

    def validate_until(self, field):
        today = current_user.account.today()
        if field.data and field.data < today:
            raise ValidationError(_l("The end of the hold cannot be in the past."))


@bp.route("/privacy/retention")
@requires(Permission.PRIVACY_SETTINGS_VIEW)
def preview():
    account = db.session.get(Account, current_user.account_id)
    due, held = retention.preview(account) if account.retention_months else ([], [])
    runs = db.session.scalars(scoped(RetentionRun, account.id).order_by(RetentionRun.due_on.desc()).limit(12)).all()
    return render_template(
        "retention/preview.html",
        account=account,
        due=due,
        held=held,
        runs=runs,
        total=retention.count_due(account),
        next_run=retention.next_run_date(account),
        form=HoldForm(formdata=None),
    )


@bp.route("/customers/<int:customer_id>/hold", methods=["POST"])
@requires(Permission.CUSTOMER_EDIT)
def hold(customer_id: int):
    customer = get_owned_or_404(Customer, customer_id, current_user.account_id)
    form = HoldForm()
    back = request.form.get("back") == "preview"
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
    else:
        retention.add_hold(request_actor(), customer, form.reason.data, form.until.data, current_user.account.today())
        db.session.commit()
        flash(
            _(
                "%(name)s is kept from automatic forgetting until %(date)s.",
                name=customer.full_name,
                date=form.until.data.strftime("%d.%m.%Y"),
            ),
            "success",
        )
    if back:
        return redirect(url_for("retention.preview"))
    return redirect(url_for("customers.detail", customer_id=customer.id, tab="privacy"))


def active_holds(customer: Customer):
    today = current_user.account.today()
    return db.session.scalars(
        select(CustomerHold).where(CustomerHold.customer_id == customer.id, CustomerHold.until >= today)
    ).all()
