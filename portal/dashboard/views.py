"""The overview after login."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

from portal.auth.decorators import public, requires
from portal.auth.permissions import Permission
from portal.dashboard import service

bp = Blueprint("dashboard", __name__)


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
    return render_template("dashboard/home.html", account=account, **service.overview(account))
