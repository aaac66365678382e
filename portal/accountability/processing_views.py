"""Datenschutz → Verarbeitungsverzeichnis: the record of processing activities (Art. 30(1) GDPR),
its versions as PDF and DOCX in German or English, the salon's notes and own activities.
Changed by the owner (and admins granted the privacy settings); read by the accountant too."""

from __future__ import annotations

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.accountability import processing as service
from portal.accountability.forms import OwnActivityForm, RecordNoteForm
from portal.accountability.processing_export import to_docx, to_pdf
from portal.auth.decorators import requires
from portal.auth.permissions import Permission
from portal.models import RecordEntry
from portal.tenancy import get_owned_or_404
from portal.web.actor import request_actor
from portal.web.confirm import ConfirmForm
from portal.web.words import force_locale

bp = Blueprint("processing", __name__, url_prefix="/settings/privacy/record")

ERRORS = {
    "name": lambda: _("Please name the activity."),
    "purpose": lambda: _("Please give the purpose: an activity without a purpose may not be carried out."),
    "legal-basis": lambda: _("Please give the legal basis."),
    "too-long": lambda: _("This text is too long."),
}
FILES = {
    "pdf": (to_pdf, "application/pdf"),
    "docx": (to_docx, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
}


@bp.route("")
@requires(Permission.PRIVACY_SETTINGS_VIEW)
def index():
    account_id = current_user.account_id
    current = service.current(account_id)  # opening it checks for changes no history entry marked
    header, activities = service.describe(current.content)
    return render_template(
        "accountability/record.html",
        current=current,
        header=header,
        activities=activities,
        own=service.own_entries(account_id),
        versions=service.versions(account_id),
        note_form=RecordNoteForm(formdata=None),
        confirm_form=ConfirmForm(formdata=None),
    )


@bp.route("/notes/<key>", methods=["POST"])
@requires(Permission.PRIVACY_SETTINGS_EDIT)
def save_note(key: str):
    form = RecordNoteForm()
    if not form.validate_on_submit():
        flash(_("Please keep the note under 2000 characters. Nothing was saved."), "error")
        return redirect(url_for("processing.index", _anchor=f"activity-{key}"))
    try:
        changed = service.save_note(request_actor(), key, form.note.data)
    except service.RecordError as error:
        if error.code == "unknown":
            abort(404)
        flash(ERRORS[error.code](), "error")
        return redirect(url_for("processing.index", _anchor=f"activity-{key}"))
    flash(_("Saved.") if changed else _("Nothing changed."), "success")
    return redirect(url_for("processing.index", _anchor=f"activity-{key}"))


def _own_page(form: OwnActivityForm, entry: RecordEntry | None = None, status: int = 200):
    return make_response(
        render_template(
            "accountability/record_activity.html", form=form, entry=entry, confirm_form=ConfirmForm(formdata=None)
        ),
        status,
    )


def _own(entry_id: int) -> RecordEntry:
    entry = get_owned_or_404(RecordEntry, entry_id, current_user.account_id)
    if entry.generated:
        abort(404)
    return entry


@bp.route("/own/new")
@requires(Permission.PRIVACY_SETTINGS_EDIT)
def new_own():
    return _own_page(OwnActivityForm(formdata=None))


@bp.route("/own/new", methods=["POST"])
@requires(Permission.PRIVACY_SETTINGS_EDIT)
def create_own():
    return _save_own(None)


@bp.route("/own/<int:entry_id>")
@requires(Permission.PRIVACY_SETTINGS_EDIT)
def edit_own(entry_id: int):
    entry = _own(entry_id)
    return _own_page(OwnActivityForm(formdata=None, obj=entry), entry)


@bp.route("/own/<int:entry_id>", methods=["POST"])
@requires(Permission.PRIVACY_SETTINGS_EDIT)
def update_own(entry_id: int):
    return _save_own(_own(entry_id))


def _save_own(entry: RecordEntry | None):
    form = OwnActivityForm()
    if not form.validate_on_submit():
        return _own_page(form, entry, 422)
    try:
        service.save_own(request_actor(), entry, form.values())
    except service.RecordError as error:
        form[error.field].errors = [ERRORS[error.code]()]
        return _own_page(form, entry, 422)
    flash(_("Saved."), "success")
    return redirect(url_for("processing.index", _anchor="own"))


@bp.route("/own/<int:entry_id>/delete", methods=["POST"])
@requires(Permission.PRIVACY_SETTINGS_EDIT)
def delete_own(entry_id: int):
    entry = _own(entry_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    service.remove_own(request_actor(), entry)
    flash(_("The activity is deleted."), "success")
    return redirect(url_for("processing.index", _anchor="own"))


@bp.route("/versions/<int:number>.<kind>")
@requires(Permission.PRIVACY_SETTINGS_VIEW)
def download(number: int, kind: str):
    version = service.version(current_user.account_id, number)
    if version is None or kind not in FILES:
        abort(404)
    language = request.args.get("lang", "de")
    if language not in ("de", "en"):
        abort(404)
    build, mimetype = FILES[kind]
    with force_locale(language):
        content = build(version, current_user.account.name)
    response = make_response(content)
    response.headers["Content-Type"] = mimetype
    name = "Verarbeitungsverzeichnis" if language == "de" else "Record-of-processing"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}-v{number}.{kind}"'
    return response
