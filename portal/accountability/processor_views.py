"""Datenschutz → Auftragsverarbeiter: the processor register (Art. 28 GDPR). Changed by the
owner (and admins granted the privacy settings); read by whoever may read them, the accountant
included."""

from __future__ import annotations

import io

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.accountability import processors as service
from portal.accountability.forms import DpaUploadForm, ProcessorForm
from portal.auth.decorators import requires
from portal.auth.permissions import Permission
from portal.models import Processor
from portal.tenancy import get_owned_or_404
from portal.web.actor import request_actor
from portal.web.confirm import ConfirmForm
from portal.web.templating import blueprint_labels

bp = Blueprint("processors", __name__, url_prefix="/settings/privacy/processors")
blueprint_labels(
    bp,
    {
        "processor_name": service.name_of,
        "processor_service": service.service_of,
        "processor_categories": service.categories_of,
        "processor_gaps": service.missing,
        "regions": service.REGIONS,
        "mechanisms": service.TRANSFER_MECHANISMS,
    },
)
UPLOAD_LIMIT = service.MAX_DPA_BYTES + 1024 * 1024  # larger still gets the message, not a bare 413

ERRORS = {
    "name": lambda: _("Please enter the name of the company."),
    "service": lambda: _("Please say what it does for the salon."),
    "region": lambda: _("Please choose where the data is processed."),
    "country": lambda: _("Please name the third country."),
    "mechanism": lambda: _("Please choose the safeguard for the transfer to the third country."),
    "dpa-future": lambda: _("The day of signing cannot lie in the future."),
    "review-past": lambda: _("The review date cannot lie in the past."),
    "dpa-size": lambda: _("The file is larger than 10 MB. Nothing was saved."),
    "dpa-type": lambda: _("This file is not a PDF. Please upload the signed agreement as PDF. Nothing was saved."),
    "dpa-missing": lambda: _("Please choose the PDF file. Nothing was saved."),
}


def _entry(processor_id: int) -> Processor:
    return get_owned_or_404(Processor, processor_id, current_user.account_id)


@bp.route("")
@requires(Permission.PRIVACY_SETTINGS_VIEW)
def index():
    return render_template("accountability/processors.html", entries=service.register(current_user.account_id))


def _form_page(processor: Processor | None, form: ProcessorForm, status: int = 200, upload_error: str = ""):
    return make_response(
        render_template(
            "accountability/processor_form.html",
            processor=processor,
            form=form,
            upload_form=DpaUploadForm(formdata=None),
            upload_error=upload_error,
            confirm_form=ConfirmForm(formdata=None),
        ),
        status,
    )


def _refused(processor: Processor | None, form: ProcessorForm, error: service.ProcessorError):
    form[error.field].errors = [ERRORS[error.code]()]
    return _form_page(processor, form, 422)


@bp.route("/new")
@requires(Permission.PRIVACY_SETTINGS_EDIT)
def new():
    return _form_page(None, ProcessorForm(formdata=None, region="eu", erase_by_hand=True))


@bp.route("/new", methods=["POST"])
@requires(Permission.PRIVACY_SETTINGS_EDIT)
def create():
    form = ProcessorForm()
    if not form.validate_on_submit():
        return _form_page(None, form, 422)
    try:
        processor = service.save(request_actor(), None, form.values(), current_user.account.today())
    except service.ProcessorError as error:
        return _refused(None, form, error)
    flash(_("Saved."), "success")
    return redirect(url_for("processors.edit", processor_id=processor.id))


@bp.route("/<int:processor_id>")
@requires(Permission.PRIVACY_SETTINGS_EDIT)
def edit(processor_id: int):
    processor = _entry(processor_id)
    form = ProcessorForm(formdata=None, obj=processor)
    # A prefilled entry starts from what it is; the owner adds the company.
    form.service.data = service.service_of(processor)
    form.data_categories.data = service.categories_of(processor)
    return _form_page(processor, form)


@bp.route("/<int:processor_id>", methods=["POST"])
@requires(Permission.PRIVACY_SETTINGS_EDIT)
def save(processor_id: int):
    processor = _entry(processor_id)
    form = ProcessorForm()
    if not form.validate_on_submit():
        return _form_page(processor, form, 422)
    try:
        changed = service.save(request_actor(), processor, form.values(), current_user.account.today())
    except service.ProcessorError as error:
        return _refused(processor, form, error)
    flash(_("Saved.") if changed else _("Nothing changed."), "success")
    return redirect(url_for("processors.index", _anchor=f"processor-{processor.id}"))


@bp.route("/<int:processor_id>/dpa", methods=["POST"])
@requires(Permission.PRIVACY_SETTINGS_EDIT)
def upload_dpa(processor_id: int):
    request.max_content_length = UPLOAD_LIMIT
    processor = _entry(processor_id)
    form = DpaUploadForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        if not form.dpa_file.data:
            raise service.ProcessorError("dpa-missing")
        service.attach_dpa(request_actor(), processor, form.dpa_file.data.read(service.MAX_DPA_BYTES + 1))
    except service.ProcessorError as error:
        return _form_page(processor, ProcessorForm(formdata=None, obj=processor), 422, ERRORS[error.code]())
    flash(_("The agreement is stored."), "success")
    return redirect(url_for("processors.edit", processor_id=processor.id))


@bp.route("/<int:processor_id>/dpa")
@requires(Permission.PRIVACY_SETTINGS_VIEW)
def download_dpa(processor_id: int):
    stored = service.dpa_file(_entry(processor_id))
    if stored is None:
        abort(404)
    return send_file(
        io.BytesIO(stored.content),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=stored.filename,
    )


@bp.route("/<int:processor_id>/delete", methods=["POST"])
@requires(Permission.PRIVACY_SETTINGS_EDIT)
def delete(processor_id: int):
    processor = _entry(processor_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    service.remove(request_actor(), processor)
    flash(_("The entry is deleted."), "success")
    return redirect(url_for("processors.index"))
