"""The overview after login."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

from portal.auth.decorators import public, requires
from portal.auth.permissions import Permission, has_permission
from portal.dashboard import service
from portal.dashboard.cockpit import cockpit
from portal.requests.labels import TEMPLATE_LABELS as REQUEST_LABELS
from portal.web.templating import blueprint_labels

bp = Blueprint("dashboard", __name__)
blueprint_labels(bp, REQUEST_LABELS)


@bp.route("/")
@public
def root():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.home"))
    return redirect(url_for("auth.login"))


@bp.route("/overview")
@requires(Permission.DASHBOARD_VIEW)
def home():
    account = current_user.account
    privacy = None
    if has_permission(current_user, Permission.PRIVACY_REQUESTS) or has_permission(
        current_user, Permission.PRIVACY_SETTINGS_VIEW
    ):
        privacy = cockpit(account)
    return render_template("dashboard/home.html", account=account, privacy=privacy, **service.overview(account))
