"""Login, logout, invitations, own password and language."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from portal import tokens
from portal.auth import service
from portal.auth.browser import await_second_factor, client, start_session
from portal.auth.decorators import public, requires
from portal.auth.forms import AcceptInviteForm, ChangePasswordForm, LanguageForm, LoginForm
from portal.auth.permissions import Permission
from portal.web.htmx import redirect_to

bp = Blueprint("auth", __name__)

ERRORS = {
    "invalid": lambda: _("Email or password is wrong, or this login is disabled."),
    "throttled": lambda: _("Too many login attempts. Please wait a few minutes and try again."),
    "wrong-current-password": lambda: _("The current password is wrong."),
    "password-too-short": lambda: _(
        "The password must have at least %(min)d characters.", min=service.MIN_PASSWORD_LENGTH
    ),
    "invalid-token": lambda: _(
        "This link is invalid, already used or expired. Ask the salon owner for a new invitation."
    ),
}


def _wait_message(seconds: int) -> str:
    if seconds > 90:
        return _(
            "Too many wrong passwords for this login. Please wait %(minutes)d minutes and try again, "
            "or reset your password.",
            minutes=(seconds + 59) // 60,
        )
    return _(
        "Too many wrong passwords for this login. Please wait %(seconds)d seconds and try again, "
        "or reset your password.",
        seconds=seconds,
    )


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.home"))
    form = LoginForm(next=request.args.get("next", ""))
    status = 200
    if form.validate_on_submit():
        try:
            login = service.authenticate(form.email.data, form.password.data, client())
        except service.AuthError as error:
            flash(_wait_message(error.seconds) if error.code == "wait" else ERRORS[error.code](), "error")
            status = 429 if error.code in ("throttled", "wait") else 401
        else:
            if login.has_two_factor:
                await_second_factor(login, form.next.data)
                return redirect_to(url_for("two_factor.login_code"))
            start_session(login)
            return redirect_to(form.next.data)
    elif request.method == "POST":
        status = 422
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@requires(Permission.SELF)
def logout():
    service.log_out(current_user, current_user.get_id(), client())
    logout_user()
    session.clear()
    flash(_("You have been logged out."), "info")
    return redirect_to(url_for("auth.login"))


@bp.route("/invite/<token>", methods=["GET", "POST"])
@public
def accept_invite(token: str):
    # GET only checks (mail scanners prefetch links); POST consumes.
    if tokens.check(token, service.INVITE_PURPOSE) is None:
        return render_template("auth/invite_invalid.html"), 410
    form = AcceptInviteForm()
    if form.validate_on_submit():
        try:
            service.accept_invite(token, form.password.data, client())
        except service.AuthError as error:
            flash(ERRORS[error.code](), "error")
            return render_template("auth/invite_invalid.html"), 410
        flash(_("Your password is set. Please log in."), "success")
        return redirect(url_for("auth.login"))
    status = 422 if request.method == "POST" else 200
    return render_template("auth/accept_invite.html", form=form), status


@bp.route("/me", methods=["GET", "POST"])
@requires(Permission.SELF)
def profile():
    form = ChangePasswordForm()
    language_form = LanguageForm(locale=current_user.locale)
    status = 200
    if form.validate_on_submit():
        try:
            service.change_password(current_user, form.current_password.data, form.password.data, client())
        except service.AuthError as error:
            form.current_password.errors.append(ERRORS[error.code]())
            status = 422
        else:
            # Every session of this login ended; this device continues with a new one.
            start_session(current_user._get_current_object())
            flash(_("Your password was changed. Other devices have been logged out."), "success")
            return redirect(url_for("auth.profile"))
    elif request.method == "POST":
        status = 422
    return render_template("auth/profile.html", form=form, language_form=language_form), status


@bp.route("/language", methods=["POST"])
@public
def set_language():
    form = LanguageForm()
    if form.validate_on_submit():
        if current_user.is_authenticated:
            service.set_locale(current_user, form.locale.data)
        else:
            session["locale"] = form.locale.data
    return redirect_to(request.form.get("next"))
