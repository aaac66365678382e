"""Development only (registered when DEV_TOOLS is on): the captured outbox of the SMTP sink."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template

from portal.auth.decorators import public
from portal.dev.smtp_sink import read_outbox

bp = Blueprint("dev", __name__, url_prefix="/dev")


@bp.route("/outbox")
@public
def outbox():
    if not current_app.config.get("DEV_TOOLS"):
        abort(404)
    return render_template("dev/outbox.html", mails=read_outbox(current_app.config["DEV_OUTBOX_DIR"]))
