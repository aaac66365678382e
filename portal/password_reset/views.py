"""Passwort vergessen: ask for a link, then choose a new password through it."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from portal.auth.browser import client
from portal.auth.decorators import public
from portal.password_reset import service
from portal.password_reset.forms import ForgotForm, NewPasswordForm

bp = Blueprint("password_reset", __name__)


@bp.route("/password/forgot", methods=["GET", "POST"])
@public
def forgot():
    form = ForgotForm()
    if form.validate_on_submit():
        try:
            service.request_link(form.email.data, client())
        except service.ResetError:
            flash(_("Too many requests from this network. Please try again in an hour."), "error")
            return render_template("password_reset/forgot.html", form=form), 429
        return render_template("password_reset/sent.html", hours=service.HOURS)
    return render_template("password_reset/forgot.html", form=form), 422 if form.is_submitted() else 200


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@public
def choose(token: str):
    login = service.login_for_link(token)
    if login is None:
        return render_template("password_reset/invalid.html"), 410
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            service.reset(token, form.password.data, client())
        except service.ResetError:
            return render_template("password_reset/invalid.html"), 410
        flash(_("Your new password is set and every device has been logged out. Please log in."), "success")
        return redirect(url_for("auth.login"))
    return render_template(
        "password_reset/choose.html", form=form, email=login.email
    ), 422 if form.is_submitted() else 200
