"""Datenschutz → Löschkonzept: the portal's own retention plan (owner; read by whoever may read
the privacy settings, the accountant included)."""

from __future__ import annotations

from flask import Blueprint, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.accountability import records
from portal.accountability.forms import RetentionPlanForm
from portal.auth.decorators import requires
from portal.auth.permissions import Permission
from portal.web.actor import request_actor

bp = Blueprint("accountability", __name__)


def _page(form: RetentionPlanForm | None = None, status: int = 200):
    chosen = records.periods(current_user.account_id)
    form = form or RetentionPlanForm(formdata=None, **chosen)
    return make_response(
        render_template("accountability/retention_plan.html", form=form, kinds=records.CHOSEN, fixed=records.FIXED),
        status,
    )


@bp.route("/settings/privacy/retention-plan")
@requires(Permission.PRIVACY_SETTINGS_VIEW)
def retention_plan():
    return _page()


@bp.route("/settings/privacy/retention-plan", methods=["POST"])
@requires(Permission.PRIVACY_SETTINGS_EDIT)
def save_retention_plan():
    form = RetentionPlanForm()
    if not form.validate_on_submit():
        return _page(form, 422)
    try:
        changes = records.save(request_actor(), form.values())
    except records.PeriodError as error:
        kind = error.kind
        form[kind.key].errors = [_("Between %(low)d and %(high)d months.", low=kind.min_months, high=kind.max_months)]
        return _page(form, 422)
    flash(_("Saved.") if changes else _("Nothing changed."), "success" if changes else "info")
    return redirect(url_for("accountability.retention_plan"))
