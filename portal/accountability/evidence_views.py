"""Datenschutz → Nachweise: the evidence pack for an authority's inquiry, built by a job with its
progress shown, downloaded once by the owner who asked for it."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from portal.accountability import evidence as service
from portal.auth.decorators import requires
from portal.auth.permissions import Permission
from portal.models import EvidencePack
from portal.tenancy import get_owned_or_404
from portal.web.actor import request_actor
from portal.web.downloads import single_use_download

bp = Blueprint("evidence", __name__, url_prefix="/settings/privacy/evidence")


@bp.route("")
@requires(Permission.PRIVACY_SETTINGS_EDIT)
def index():
    return render_template(
        "accountability/evidence.html", packs=service.recent(current_user.account_id), form=FlaskForm()
    )


@bp.route("", methods=["POST"])
@requires(Permission.PRIVACY_SETTINGS_EDIT)
def build():
    if not FlaskForm().validate_on_submit():
        return redirect(url_for("evidence.index"))
    try:
        service.request_pack(request_actor())
    except service.EvidenceError:
        flash(_("An evidence pack is being built already. Nothing new was started."), "error")
    else:
        flash(_("The evidence pack is being built; the download link comes by email."), "success")
    return redirect(url_for("evidence.index"))


@bp.route("/<int:pack_id>/progress")
@requires(Permission.PRIVACY_SETTINGS_EDIT)
def progress(pack_id: int):
    """Polled while the pack is built; 286 tells htmx to stop once it is ready."""
    pack = get_owned_or_404(EvidencePack, pack_id, current_user.account_id)
    html = render_template("accountability/_evidence_progress.html", pack=pack)
    return html, 200 if pack.status in ("queued", "building") else 286


@bp.route("/downloads/<token>", methods=["GET", "POST"])
@requires(Permission.PRIVACY_SETTINGS_EDIT)
def download(token: str):
    return single_use_download(token, service.DOWNLOAD_PURPOSE, "setting")
