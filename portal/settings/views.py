"""Settings > Account."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from portal.auth.decorators import requires
from portal.auth.permissions import SETTINGS_PERMISSIONS, Permission, has_permission
from portal.extensions import db
from portal.models import Account
from portal.settings import service
from portal.web.actor import request_actor

bp = Blueprint("settings", __name__, url_prefix="/settings")


@bp.route("/")
@requires(Permission.SELF)
def index():
    """The settings hub: the sections this login may open."""
    if not any(has_permission(current_user, p) for p in SETTINGS_PERMISSIONS):
        abort(403)
    return render_template("settings/index.html")


@bp.route("/account", methods=["GET", "POST"])
@requires(Permission.SETTINGS_MANAGE)
def account():
    account = db.session.get(Account, current_user.account_id)
    form = FlaskForm()  # CSRF only; the one checkbox is read below
    if form.validate_on_submit():
        if service.set_pin_required(request_actor(), account, request.form.get("pin_required") == "y"):
            db.session.commit()
            flash(_("Settings saved."), "success")
        else:
            flash(_("Nothing changed."), "info")
        return redirect(url_for("settings.account"))
    return render_template("settings/account.html", account=account, form=form)
