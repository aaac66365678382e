"""Settings > Account."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from portal.auth.decorators import requires
from portal.auth.permissions import SETTINGS_PERMISSIONS, Permission, Role, has_permission
from portal.extensions import db
from portal.models import Account, Location
from portal.settings import service
from portal.settings.forms import LocationForm
from portal.tenancy import get_owned_or_404
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
        actor = request_actor()
        changed = service.set_pin_required(actor, account, request.form.get("pin_required") == "y")
        if current_user.role == Role.OWNER:  # the owner's decision alone
            changed |= service.set_two_factor_required(actor, account, request.form.get("two_factor_required") == "y")
        if changed:
            db.session.commit()
            flash(_("Settings saved."), "success")
        else:
            flash(_("Nothing changed."), "info")
        return redirect(url_for("settings.account"))
    return render_template("settings/account.html", account=account, form=form)


@bp.route("/locations")
@requires(Permission.SETTINGS_MANAGE)
def locations():
    return render_template("settings/locations.html", locations=current_user.account.locations)


@bp.route("/locations/<int:location_id>", methods=["GET", "POST"])
@requires(Permission.SETTINGS_MANAGE)
def location(location_id: int):
    location = get_owned_or_404(Location, location_id, current_user.account_id)
    form = LocationForm(obj=location)
    if form.validate_on_submit():
        try:
            changed = service.save_location(request_actor(), location, form.data)
        except service.LocationError:
            db.session.rollback()
            form.state.errors = [*form.state.errors, _("Please choose a state from the list.")]
        else:
            db.session.commit()
            flash(_("Settings saved.") if changed else _("Nothing changed."), "success" if changed else "info")
            return redirect(url_for("settings.locations"))
    return render_template("settings/location.html", form=form, location=location), 422 if form.is_submitted() else 200
