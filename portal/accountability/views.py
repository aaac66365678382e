"""Datenschutz → Löschkonzept and TOM: the portal's own retention plan and the technical and
organisational measures (changed by the owner; read by whoever may read the privacy settings,
the accountant included)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from portal.accountability import measures, records
from portal.accountability.forms import CommitmentForm, MeasureForm, RetentionPlanForm
from portal.auth.decorators import requires
from portal.auth.permissions import Permission
from portal.models import Employee
from portal.tenancy import get_owned_or_404
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


# --- technical and organisational measures ------------------------------------------------------


@bp.route("/settings/privacy/measures")
@requires(Permission.PRIVACY_SETTINGS_VIEW)
def measures_page():
    return _measures()


def _measures(error: str | None = None, status: int = 200):
    account_id = current_user.account_id
    return make_response(
        render_template(
            "accountability/measures.html",
            by_the_portal=measures.BY_THE_PORTAL,
            salon=measures.salon_measures(account_id),
            commitments=measures.commitments(account_id),
            error=error,
            form=FlaskForm(),
        ),
        status,
    )


@bp.route("/settings/privacy/measures/<key>", methods=["POST"])
@requires(Permission.PRIVACY_SETTINGS_EDIT)
def save_measure(key: str):
    form = MeasureForm()
    if not form.validate_on_submit():
        return _measures(_("Please keep the note under 500 characters."), 422)
    try:
        measures.save_measure(request_actor(), key, form.done.data, form.note.data or "")
    except measures.MeasureError:
        abort(404)
    flash(_("Saved."), "success")
    return redirect(url_for("accountability.measures_page", _anchor=f"measure-{key}"))


@bp.route("/settings/privacy/measures/employees/<int:employee_id>", methods=["POST"])
@requires(Permission.PRIVACY_SETTINGS_EDIT)
def save_commitment(employee_id: int):
    employee = get_owned_or_404(Employee, employee_id, current_user.account_id)
    form = CommitmentForm()
    if not form.validate_on_submit():
        return _measures(_("Please enter the date as shown."), 422)
    try:
        measures.save_commitment(request_actor(), employee, form.signed_on.data, current_user.account.today())
    except measures.MeasureError:
        return _measures(_("The day of signing cannot lie in the future."), 422)
    flash(_("Saved."), "success")
    return redirect(url_for("accountability.measures_page", _anchor="commitments"))
