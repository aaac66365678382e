"""Two-factor login: set up, recovery codes, switch off (own profile), and the code step of a
login. While the salon requires it and the login has none, the portal opens only the setup."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.auth.browser import client, pending_login_id, pending_next, start_session
from portal.auth.decorators import public, requires
from portal.auth.permissions import Permission
from portal.two_factor import service
from portal.two_factor.forms import CodeForm, DisableForm, LoginCodeForm
from portal.web.htmx import redirect_to

bp = Blueprint("two_factor", __name__)

ERRORS = {
    "wrong-code": lambda: _("This code is not right (or was used already). Please enter the current code."),
    "wrong-password": lambda: _("The password is wrong."),
    "wait": lambda: _("Too many wrong codes. Please wait ten minutes and try again."),
    "required": lambda: _("Your salon requires two-factor login for your login; it cannot be switched off."),
    "no-setup": lambda: _("Please start the setup again."),
}
# What a login that must set up two-factor login may still open.
OPEN_DURING_ENROLLMENT = {
    "two_factor.index",
    "two_factor.setup",
    "two_factor.confirm",
    "auth.logout",
    "auth.set_language",
    "static",
}


@bp.before_app_request
def _enrollment_first():
    if (
        current_user.is_authenticated
        and request.endpoint not in OPEN_DURING_ENROLLMENT
        and service.needs_enrollment(current_user)
    ):
        flash(_("Your salon requires two-factor login for your login. Please set it up now."), "info")
        return redirect_to(url_for("two_factor.index"))
    return None


def _page(status: int = 200, **context):
    context.setdefault("codes_left", service.recovery_codes_left(current_user) if current_user.has_two_factor else 0)
    return render_template(
        "two_factor/index.html",
        required=service.required_for(current_user),
        code_form=context.pop("code_form", CodeForm()),
        disable_form=context.pop("disable_form", DisableForm(prefix="off")),
        **context,
    ), status


@bp.route("/me/two-factor")
@requires(Permission.SELF)
def index():
    return _page()


@bp.route("/me/two-factor/setup", methods=["POST"])
@requires(Permission.SELF)
def setup():
    """A new secret (CSRFProtect has checked the POST); the current one works until confirmed."""
    secret = service.start_setup(current_user)
    return _setup_page(secret)


def _setup_page(secret: str, form: CodeForm | None = None, status: int = 200):
    uri = service.provisioning_uri(current_user, secret)
    return render_template(
        "two_factor/setup.html",
        qr=service.qr_code(uri),
        secret=service.grouped(secret),
        form=form or CodeForm(formdata=None),
    ), status


@bp.route("/me/two-factor/confirm", methods=["POST"])
@requires(Permission.SELF)
def confirm():
    form = CodeForm()
    secret = current_user.totp_pending_secret
    if not secret:
        flash(ERRORS["no-setup"](), "error")
        return redirect(url_for("two_factor.index"))
    if not form.validate_on_submit():
        return _setup_page(secret, form, 422)
    try:
        codes = service.confirm_setup(current_user, form.code.data, client())
    except service.TwoFactorError as error:
        form.code.errors.append(ERRORS[error.code]())
        return _setup_page(secret, form, 422)
    return render_template("two_factor/recovery_codes.html", codes=codes, first=True)


@bp.route("/me/two-factor/recovery-codes", methods=["POST"])
@requires(Permission.SELF)
def recovery_codes():
    form = CodeForm()
    if form.validate_on_submit():
        try:
            codes = service.regenerate_codes(current_user, form.code.data, client())
        except service.TwoFactorError as error:
            form.code.errors.append(ERRORS[error.code]())
        else:
            return render_template("two_factor/recovery_codes.html", codes=codes, first=False)
    return _page(422, code_form=form)


@bp.route("/me/two-factor/off", methods=["POST"])
@requires(Permission.SELF)
def disable():
    form = DisableForm(prefix="off")
    if form.validate_on_submit():
        try:
            service.disable(current_user, form.password.data, form.code.data, client())
        except service.TwoFactorError as error:
            (form.password if error.code == "wrong-password" else form.code).errors.append(ERRORS[error.code]())
        else:
            flash(_("Two-factor login is switched off."), "success")
            return redirect(url_for("two_factor.index"))
    return _page(422, disable_form=form)


@bp.route("/login/code", methods=["GET", "POST"])
@public
def login_code():
    """The second step of a login with two-factor login: the password was right."""
    login = service.pending_login(pending_login_id())
    if login is None or not login.active or not login.has_two_factor:
        session.pop("two_factor", None)
        flash(_("Please log in again."), "info")
        return redirect(url_for("auth.login"))
    form = LoginCodeForm()
    status = 200
    if form.validate_on_submit():
        try:
            kind = service.verify_login(login, form.code.data, client())
        except service.TwoFactorError as error:
            form.code.errors.append(ERRORS[error.code]())
            status = 429 if error.code == "wait" else 422
        else:
            service.login_completed(login)
            next_path = pending_next()
            start_session(login)
            if kind == "recovery":
                flash(
                    _(
                        "You logged in with a recovery code; %(left)d are left. If your phone is lost, set up "
                        "two-factor login again.",
                        left=service.recovery_codes_left(login),
                    ),
                    "info",
                )
            return redirect_to(next_path)
    elif request.method == "POST":
        status = 422
    return render_template("two_factor/login_code.html", form=form), status
