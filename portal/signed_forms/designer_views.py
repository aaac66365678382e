"""Einstellungen → Formulare: the list, the designer, the versions (each with its hash)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.appointments.service import choices as appointment_choices
from portal.auth.decorators import requires
from portal.auth.permissions import Permission
from portal.models import FormVersion, SalonForm
from portal.signed_forms import designer as service
from portal.signed_forms.content import CONSENT_KINDS, FIELD_TYPES, INTERVALS, MAPPABLE
from portal.signed_forms.forms import DesignerForm
from portal.tenancy import get_owned_or_404
from portal.web.actor import request_actor
from portal.web.templating import blueprint_labels

bp = Blueprint("forms", __name__, url_prefix="/settings/forms")
blueprint_labels(
    bp, {"field_types": FIELD_TYPES, "intervals": INTERVALS, "mappable": MAPPABLE, "consent_kinds": CONSENT_KINDS}
)

ERRORS = {
    "no-title": lambda _d: _("Please give the form a title."),
    "no-fields": lambda _d: _("Please add at least one question."),
    "no-privacy-text": lambda _d: _("Please write the privacy text."),
    "bad-mapping": lambda d: _("“%(label)s”: please choose the customer field it fills in.", label=d),
    "mapped-twice": lambda d: _("“%(label)s”: this customer field is asked twice.", label=d),
    "few-choices": lambda d: _("“%(label)s”: a choice needs at least two options, separated by ;.", label=d),
    "intake-needs-name": lambda _d: _("The intake form must ask for the first and last name."),
    "health-needs-consent": lambda _d: _(
        "Questions marked as health data (Art. 9 GDPR) need the explicit consent: please write the text of the health-data checkbox. Nothing was saved."
    ),
    "unknown-service": lambda _d: _("Please choose services from the list."),
    "intake-stays": lambda _d: _("The intake form cannot be switched off; change its questions instead."),
}


def _designer(form: DesignerForm, salon_form: SalonForm | None, status: int = 200, error: str = ""):
    form.services.choices = appointment_choices(current_user.account_id).services
    return render_template(
        "signed_forms/designer.html",
        form=form,
        salon_form=salon_form,
        versions=service.versions(salon_form) if salon_form else [],
        error=error,
    ), status


def _save(form: DesignerForm, salon_form: SalonForm | None):
    """The designer's POST: a new form or a new version; the page again with what went wrong."""
    form.services.choices = appointment_choices(current_user.account_id).services
    if request.form.get("add_field"):
        form.fields.append_entry()
        return _designer(form, salon_form)
    if not form.validate_on_submit():
        return _designer(form, salon_form, 422)
    try:
        if salon_form is None:
            salon_form = service.create_form(request_actor(), form.raw(), form.services.data, form.all_services.data)
            flash(_("Form “%(title)s” saved as version 1.", title=salon_form.title), "success")
        else:
            version = service.save_form(
                request_actor(), salon_form, form.raw(), form.services.data, form.all_services.data
            )
            if version is None:
                flash(_("Nothing changed."), "info")
            else:
                flash(
                    _(
                        "Saved as version %(n)s. Documents signed before keep the version they showed.",
                        n=version.number,
                    ),
                    "success",
                )
    except service.DesignError as error:
        return _designer(form, salon_form, 422, ERRORS[error.code](error.detail))
    return redirect(url_for("forms.edit", form_id=salon_form.id))


@bp.route("")
@requires(Permission.FORMS_MANAGE)
def index():
    return render_template("signed_forms/index.html", salon_forms=service.forms_of(current_user.account_id))


@bp.route("/new", methods=["GET", "POST"])
@requires(Permission.FORMS_MANAGE)
def new():
    form = DesignerForm()
    if request.method == "GET":
        form.fields.append_entry()
        form.privacy_text.data = service.intake_form_privacy_text(current_user.account_id)
        return _designer(form, None)
    return _save(form, None)


@bp.route("/<int:form_id>", methods=["GET", "POST"])
@requires(Permission.FORMS_MANAGE)
def edit(form_id: int):
    salon_form = get_owned_or_404(SalonForm, form_id, current_user.account_id)
    form = DesignerForm()
    if request.method == "GET":
        form.fill(service.current_version(salon_form).content, salon_form)
        return _designer(form, salon_form)
    return _save(form, salon_form)


@bp.route("/<int:form_id>/active", methods=["POST"])
@requires(Permission.FORMS_MANAGE)
def set_active(form_id: int):
    salon_form = get_owned_or_404(SalonForm, form_id, current_user.account_id)
    try:
        service.set_active(request_actor(), salon_form, request.form.get("active") == "1")
    except service.DesignError as error:
        flash(ERRORS[error.code](""), "error")
    return redirect(url_for("forms.index"))


@bp.route("/versions/<int:version_id>")
@requires(Permission.FORMS_MANAGE)
def version(version_id: int):
    shown = get_owned_or_404(FormVersion, version_id, current_user.account_id)
    salon_form = get_owned_or_404(SalonForm, shown.form_id, current_user.account_id)
    return render_template("signed_forms/version.html", version=shown, salon_form=salon_form)
