"""Settings > Account."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.auth.decorators import requires
from portal.auth.permissions import SETTINGS_PERMISSIONS, Permission, Role, has_permission
from portal.models import Location
from portal.privacy.authorities import AUTHORITIES
from portal.settings import service
from portal.settings.forms import AccountSettingsForm, LocationForm
from portal.tenancy import get_owned_or_404
from portal.web.actor import request_actor
from portal.web.templating import blueprint_labels

bp = Blueprint("settings", __name__, url_prefix="/settings")
blueprint_labels(bp, {"state_names": {a.code: a.state for a in AUTHORITIES}})


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
    account = current_user.account
    form = AccountSettingsForm()
    if form.validate_on_submit():
        owner = current_user.role == Role.OWNER
        changed = service.save_account(
            request_actor(), account, form.pin_required.data, form.two_factor_required.data if owner else None
        )
        if changed:
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
            form.state.errors = [*form.state.errors, _("Please choose a state from the list.")]
        else:
            flash(_("Settings saved.") if changed else _("Nothing changed."), "success" if changed else "info")
            return redirect(url_for("settings.locations"))
    return render_template("settings/location.html", form=form, location=location), 422 if form.is_submitted() else 200
