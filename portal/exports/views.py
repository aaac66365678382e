"""Settings > Account > Export customers: the wizard, the export's page with its progress,
the recipient's confirmation with their password, and the download."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    make_response,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from portal.auth.decorators import public, requires
from portal.auth.permissions import Permission, has_permission
from portal.exports import service
from portal.exports.fields import available_fields
from portal.exports.forms import ConfirmExportForm, FieldsStepForm, RecipientStepForm
from portal.exports.labels import TEMPLATE_LABELS as EXPORT_LABELS
from portal.models import CustomerExport
from portal.tenancy import get_owned_or_404
from portal.web.actor import public_actor, request_actor
from portal.web.htmx import is_fragment_request, redirect_to
from portal.web.templating import blueprint_labels

bp = Blueprint("exports", __name__)
blueprint_labels(bp, EXPORT_LABELS)

ERRORS = {
    "not-admin": lambda: _(
        "Please choose one of the offered recipients; only logins with administrative rights receive exports."
    ),
    "no-fields": lambda: _("Please choose at least one field."),
    "health-unconfirmed": lambda: _(
        "You chose the health answers (Art. 9 GDPR). Please confirm that the export needs them. Nothing was changed."
    ),
    "unknown-field": lambda: _("One of the chosen fields does not exist."),
    "unknown-format": lambda: _("Please choose a file format."),
    "not-editable": lambda: _("This export was already sent for confirmation and can no longer be changed."),
    "incomplete": lambda: _("Please choose the recipient and the fields first."),
    "wrong-password": lambda: _("The password is wrong."),
    "locked": lambda: _("Five wrong passwords: this export is locked. Please start a new one."),
    "invalid-link": lambda: _("This link is invalid, already used or expired."),
    "not-recipient": lambda: _("This export is meant for another login. Please log in as its recipient."),
}


def _fields(export: CustomerExport):
    """The salon's fields; the health answers only for a login that may read health data."""
    return available_fields(export.account_id, with_health=has_permission(current_user, Permission.HEALTH_READ))


def _wizard(export: CustomerExport, step: int, error: str | None = None, status: int = 200):
    context = dict(
        export=export,
        step=step,
        error=ERRORS[error]() if error else None,
        recipients=service.recipients(export.account_id),
        fields=_fields(export),
        recipient=service.recipient_of(export),
    )
    template = f"exports/_step{step}.html" if is_fragment_request() else "exports/wizard.html"
    # 200 with the message for htmx (it swaps no 4xx); 422 for a plain form post.
    return make_response(render_template(template, **context), 200 if is_fragment_request() or not error else status)


@bp.route("/settings/exports")
@requires(Permission.CUSTOMER_EXPORT)
def index():
    exports = service.recent(current_user.account_id)
    return render_template(
        "exports/index.html", exports=exports, logins=service.logins_by_id(current_user.account_id), form=FlaskForm()
    )


@bp.route("/settings/exports", methods=["POST"])
@requires(Permission.CUSTOMER_EXPORT)
def create():
    if not FlaskForm().validate_on_submit():
        abort(400)
    export = service.create_draft(request_actor())
    return redirect(url_for("exports.step", export_id=export.id, number=1))


@bp.route("/settings/exports/<int:export_id>/step/<int:number>", methods=["GET", "POST"])
@requires(Permission.CUSTOMER_EXPORT)
def step(export_id: int, number: int):
    export = get_owned_or_404(CustomerExport, export_id, current_user.account_id)
    if number not in (1, 2, 3):
        abort(404)
    if export.status != "draft":
        return redirect(url_for("exports.detail", export_id=export.id))
    if request.method == "GET":
        return _wizard(export, number)
    form = {1: RecipientStepForm, 2: FieldsStepForm, 3: FlaskForm}[number]()
    if not form.validate_on_submit():
        abort(400)
    try:
        if number == 1:
            service.choose_recipient(export, form.recipient_id)
        elif number == 2:
            allowed = {f.key for f in _fields(export)}
            service.choose_fields(
                export,
                form.fields.data,
                form.file_format.data or "",
                allowed,
                repeat_downloads=form.repeat_downloads.data,
                health_confirmed=form.health_confirmed.data,
            )
        else:
            service.submit(request_actor(), export)
    except service.ExportError as error:
        return _wizard(export, number, error.code, 422)
    if number == 3:
        return redirect_to(url_for("exports.detail", export_id=export.id))
    if is_fragment_request():
        return _wizard(export, number + 1)
    return redirect(url_for("exports.step", export_id=export.id, number=number + 1))


@bp.route("/settings/exports/<int:export_id>")
@requires(Permission.CUSTOMER_EXPORT)
def detail(export_id: int):
    export = get_owned_or_404(CustomerExport, export_id, current_user.account_id)
    return render_template(
        "exports/detail.html",
        export=export,
        timeline=service.timeline(export),
        logins=service.logins_by_id(current_user.account_id),
        fields={f.key: f for f in available_fields(export.account_id)},  # labels of what was chosen
    )


@bp.route("/settings/exports/<int:export_id>/progress")
@requires(Permission.CUSTOMER_EXPORT)
def progress(export_id: int):
    export = get_owned_or_404(CustomerExport, export_id, current_user.account_id)
    if export.status in ("queued", "running", "awaiting_confirmation"):
        return render_template("exports/_progress.html", export=export)
    # The last poll: htmx stops polling on 286 and still swaps, the timeline out of band.
    response = make_response(
        render_template("exports/_progress.html", export=export)
        + render_template(
            "exports/_timeline.html",
            timeline=service.timeline(export),
            logins=service.logins_by_id(current_user.account_id),
            oob=True,
        )
    )
    response.status_code = 286
    return response


# --- the recipient ---------------------------------------------------------------------------


@bp.route("/exports/confirm/<token>", methods=["GET", "POST"])
@public
def confirm(token: str):
    """GET shows the page (changes nothing); POST checks the recipient's password."""
    export = service.export_for_token(token)
    if export is None or export.status != "awaiting_confirmation":
        state = export.status if export else None
        return render_template("exports/confirm.html", export=export, invalid=True, locked=state == "locked"), 410
    recipient = service.recipient_of(export)
    form = ConfirmExportForm()
    if request.method == "GET":
        return render_template("exports/confirm.html", export=export, recipient=recipient, form=form)
    if not form.validate_on_submit():
        abort(400)
    actor = public_actor(export.account_id)
    try:
        service.confirm(token, form.password.data or "", actor)
    except service.ExportError as error:  # a wrong password stays counted, a lock stays locked
        status = 410 if error.code in ("locked", "invalid-link") else 422
        return render_template(
            "exports/confirm.html",
            export=export,
            recipient=recipient,
            form=form,
            error=ERRORS[error.code](),
            locked=error.code == "locked",
            tries_left=service.MAX_PASSWORD_TRIES - export.failed_attempts,
        ), status
    return render_template("exports/confirmed.html", export=export)


@bp.route("/exports/download/<token>", methods=["GET", "POST"])
@requires(Permission.SELF)
def download(token: str):
    """Only the recipient, logged in, within 24 hours; once (the file is deleted afterwards)
    unless the export allows repeated downloads."""
    try:
        export = service.download_token_check(token, current_user)
    except service.ExportError as error:
        return render_template(
            "exports/download.html", error=ERRORS[error.code]()
        ), 410 if error.code == "invalid-link" else 403
    if request.method == "GET":
        return render_template("exports/download.html", export=export, form=FlaskForm())
    if not FlaskForm().validate_on_submit():
        abort(400)
    export = service.take_download(token, current_user, request_actor())
    export_id, name, keep_file = export.id, export.file_name, export.repeat_downloads
    mimetype = (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        if export.file_format == "xlsx"
        else "text/csv; charset=utf-8"
    )

    def stream():
        yield from service.chunks(export_id)
        if not keep_file:
            service.forget_file(export_id)  # handed out once, then gone

    return Response(
        stream_with_context(stream()),
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )
