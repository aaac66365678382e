"""Kunden → Importieren: upload, mapping, check, import with progress, undo. One page per
import shows the step its state is in; htmx swaps the wizard and polls the progress."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.auth.decorators import requires
from portal.auth.permissions import Permission
from portal.customers.service import active_field_definitions
from portal.imports import service, undo
from portal.imports.forms import ReadingForm, UploadForm, duplicates_form_class, mapping_form_class
from portal.imports.labels import FILE_ERRORS, STEP_ERRORS
from portal.imports.labels import TEMPLATE_LABELS as IMPORT_LABELS
from portal.imports.mapping import targets
from portal.imports.reading import MAX_BYTES, ImportFileError
from portal.models import CustomerImport, ImportStatus
from portal.tenancy import get_owned_or_404
from portal.web.actor import request_actor
from portal.web.confirm import ConfirmForm
from portal.web.htmx import is_fragment_request, redirect_to
from portal.web.templating import blueprint_labels

bp = Blueprint("imports", __name__)
blueprint_labels(bp, IMPORT_LABELS)

# The upload's own limit (the app allows 2 MB elsewhere); a larger file still gets the words.
UPLOAD_LIMIT = MAX_BYTES + 2 * 1024 * 1024


def _imp(import_id: int) -> CustomerImport:
    return get_owned_or_404(CustomerImport, import_id, current_user.account_id)


def _messages(codes) -> list[str]:
    return [str(STEP_ERRORS.get(code) or FILE_ERRORS.get(code) or code) for code in codes]


def _page(imp: CustomerImport, errors: list[str] | None = None, status: int = 200, mapping_form=None):
    """The import's page, or its wizard alone for htmx (errors answer 200 there: htmx swaps no 4xx)."""
    definitions = active_field_definitions(imp.account_id)
    context = {"imp": imp, "errors": errors or [], "progress": service.progress_of(imp)}
    if imp.status == ImportStatus.UPLOADED:
        try:
            context["preview"] = service.preview(imp)
        except ImportFileError as error:
            context["preview"], context["errors"] = None, [*context["errors"], *_messages([error.code])]
        if mapping_form is None:
            mapping_form = mapping_form_class(imp.headers, targets(definitions))(
                formdata=None, source_name=imp.source_name, **{f"col_{i}": t for i, t in enumerate(imp.mapping)}
            )
        context["form"] = mapping_form
        context["reading_form"] = ReadingForm(formdata=None, encoding=imp.encoding, delimiter=imp.delimiter)
    elif imp.status == ImportStatus.CHECKED:
        views, count = service.duplicates(imp)
        form_class = duplicates_form_class([(v.duplicate.id, v.duplicate.customer_id is not None) for v in views])
        context["duplicates"], context["duplicate_count"] = views, count
        context["form"] = form_class(
            formdata=None,
            default_action=imp.default_action,
            **{f"dup_{v.duplicate.id}": v.action for v in views},
        )
        context["issues"] = service.issues(imp)
        context["summary"] = service.summary(imp)
    elif imp.status == ImportStatus.FINISHED:
        context["undo_plan"] = undo.plan(imp) if undo.can_undo(imp) else None
        context["undo_until"] = undo.undo_until(imp)
    if imp.status in (ImportStatus.FAILED, ImportStatus.UNDONE, ImportStatus.FINISHED):
        context["issues"] = service.issues(imp)
    if imp.status == ImportStatus.UNDONE:
        context["kept"] = service.customers_named(imp.account_id, (imp.counts or {}).get("kept_ids", []))
    context["confirm_form"] = ConfirmForm()
    template = "imports/_wizard.html" if is_fragment_request() else "imports/page.html"
    response = make_response(render_template(template, **context), 200 if is_fragment_request() else status)
    response.vary.add("HX-Request")
    return response


def _after(imp: CustomerImport):
    """A step taken: the wizard again (htmx), or the page (a plain form)."""
    if is_fragment_request():
        return _page(imp)
    return redirect(url_for("imports.detail", import_id=imp.id))


@bp.route("/customers/import")
@requires(Permission.CUSTOMER_IMPORT)
def index():
    return render_template("imports/index.html", form=UploadForm(), imports=service.recent(current_user.account_id))


@bp.route("/customers/import", methods=["POST"])
@requires(Permission.CUSTOMER_IMPORT)
def upload():
    request.max_content_length = UPLOAD_LIMIT
    form = UploadForm()
    if not form.validate_on_submit():
        abort(400)
    if not form.file.data:
        error = "no-file"
    else:
        try:
            imp = service.upload(request_actor(), form.file.data.read(MAX_BYTES + 1), form.source_name.data or "")
            return redirect(url_for("imports.detail", import_id=imp.id))
        except ImportFileError as exc:
            error = exc.code
    flash(str(FILE_ERRORS[error]), "error")
    return make_response(
        render_template("imports/index.html", form=form, imports=service.recent(current_user.account_id)), 422
    )


@bp.route("/customers/import/<int:import_id>")
@requires(Permission.CUSTOMER_IMPORT)
def detail(import_id: int):
    return _page(_imp(import_id))


@bp.route("/customers/import/<int:import_id>/progress")
@requires(Permission.CUSTOMER_IMPORT)
def progress(import_id: int):
    imp = _imp(import_id)
    if imp.is_active:
        return render_template("imports/_progress.html", imp=imp, progress=service.progress_of(imp))
    # Done: htmx stops polling on 286 and loads the page with the next step.
    response = make_response("", 286)
    response.headers["HX-Refresh"] = "true"
    return response


@bp.route("/customers/import/<int:import_id>/reading", methods=["POST"])
@requires(Permission.CUSTOMER_IMPORT)
def reading(import_id: int):
    imp = _imp(import_id)
    form = ReadingForm()
    if not form.validate_on_submit():
        return _page(imp, _messages(["unknown-reading"]), 422)
    try:
        service.change_reading(imp, form.encoding.data, form.delimiter.data)
    except ImportFileError as error:
        return _page(imp, _messages([error.code]), 422)
    except service.ImportStepError as error:
        return _page(imp, _messages(error.codes), 422)
    return _after(imp)


@bp.route("/customers/import/<int:import_id>/mapping", methods=["POST"])
@requires(Permission.CUSTOMER_IMPORT)
def mapping(import_id: int):
    imp = _imp(import_id)
    form = mapping_form_class(imp.headers, targets(active_field_definitions(imp.account_id)))()
    if not form.validate_on_submit():
        return _page(imp, _messages(["unknown-target"]), 422, mapping_form=form)
    try:
        service.save_mapping(imp, form.mapping(), form.source_name.data or "")
    except service.ImportStepError as error:
        return _page(imp, _messages(error.codes), 422, mapping_form=form)
    return _after(imp)


@bp.route("/customers/import/<int:import_id>/back", methods=["POST"])
@requires(Permission.CUSTOMER_IMPORT)
def back(import_id: int):
    imp = _imp(import_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        service.back_to_mapping(imp)
    except service.ImportStepError as error:
        return _page(imp, _messages(error.codes), 422)
    return _after(imp)


@bp.route("/customers/import/<int:import_id>/duplicates", methods=["POST"])
@requires(Permission.CUSTOMER_IMPORT)
def duplicates(import_id: int):
    imp = _imp(import_id)
    views, _count = service.duplicates(imp)
    form = duplicates_form_class([(v.duplicate.id, v.duplicate.customer_id is not None) for v in views])()
    if not form.validate_on_submit():
        return _page(imp, _messages(["unknown-action"]), 422)
    try:
        service.choose(imp, form.default_action.data, form.choices())
    except service.ImportStepError as error:
        return _page(imp, _messages(error.codes), 422)
    return _after(imp)


@bp.route("/customers/import/<int:import_id>/confirm", methods=["POST"])
@requires(Permission.CUSTOMER_IMPORT)
def confirm(import_id: int):
    """The confirmation carries the numbers the salon was shown ("new-updated")."""
    imp = _imp(import_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        service.confirm(request_actor(), imp, form.confirm.data or "")
    except service.ImportStepError as error:
        return _page(imp, _messages(error.codes), 422)
    return _after(imp)


@bp.route("/customers/import/<int:import_id>/discard", methods=["POST"])
@requires(Permission.CUSTOMER_IMPORT)
def discard(import_id: int):
    imp = _imp(import_id)
    if not ConfirmForm().confirms("yes"):
        abort(400)
    try:
        service.discard(imp)
    except service.ImportStepError as error:
        return _page(imp, _messages(error.codes), 422)
    flash(_("The import was discarded and its file deleted."), "success")
    return redirect_to(url_for("imports.index"))


@bp.route("/customers/import/<int:import_id>/report.csv")
@requires(Permission.CUSTOMER_IMPORT)
def report(import_id: int):
    imp = _imp(import_id)
    return Response(
        service.error_report_csv(imp),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="import-{imp.id}-fehler.csv"'},
    )


@bp.route("/customers/import/<int:import_id>/undo", methods=["POST"])
@requires(Permission.CUSTOMER_IMPORT)
def undo_import(import_id: int):
    """Confirmed with the number of customers it removes, as shown."""
    imp = _imp(import_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        undo.undo(request_actor(), imp, form.confirm.data or "")
    except undo.UndoError as error:
        return _page(imp, _messages([error.code]), 422)
    return _after(imp)
