"""Settings > Team: logins (invite, role, grants, deactivate) and employees (name, PIN)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.auth import service as auth_service
from portal.auth.decorators import requires
from portal.auth.forms import InviteForm, LoginRightsForm
from portal.auth.permissions import GRANTABLE, PERMISSION_LABELS, ROLE_LABELS, Permission, Role
from portal.models import Employee, Login
from portal.team import service
from portal.team.forms import EmployeeForm, NewEmployeeForm
from portal.tenancy import get_owned_or_404
from portal.web.actor import request_actor

bp = Blueprint("team", __name__, url_prefix="/settings/team")

LOGIN_ERRORS = {
    "email-taken": lambda: _("A login with this email address already exists."),
    "last-owner": lambda: _("The salon needs at least one active owner."),
    "cannot-deactivate-self": lambda: _("You cannot deactivate your own login."),
    "cannot-change-own-role": lambda: _("You cannot change your own role; another owner can."),
}


def _role_choices():
    return [(role.value, str(ROLE_LABELS[role])) for role in Role]


def _location_choices():
    return [(0, _("All locations")), *service.locations(current_user.account_id)]


def _page(invite_form=None, employee_form=None, status=200):
    if invite_form is None:
        invite_form = InviteForm(locale=current_user.locale, role=Role.STAFF.value)
        invite_form.role.choices = _role_choices()
    if employee_form is None:
        employee_form = NewEmployeeForm()
        employee_form.location_id.choices = _location_choices()
    return render_template(
        "team/page.html",
        **service.team_page(current_user.account_id),
        invite_form=invite_form,
        employee_form=employee_form,
        role_labels=ROLE_LABELS,
        grantable={role.value: [(p.value, PERMISSION_LABELS[p]) for p in grants] for role, grants in GRANTABLE.items()},
        locations={loc_id: name for loc_id, name in _location_choices()},
    ), status


@bp.route("/")
@requires(Permission.TEAM_MANAGE)
def index():
    return _page()


@bp.route("/logins/invite", methods=["POST"])
@requires(Permission.TEAM_MANAGE)
def invite():
    form = InviteForm()
    form.role.choices = _role_choices()
    if not form.validate_on_submit():
        return _page(invite_form=form, status=422)
    if form.role.data == Role.OWNER and current_user.role != Role.OWNER:
        return _page(invite_form=form, status=403)
    try:
        auth_service.invite_login(
            request_actor(), form.email.data, form.name.data, form.role.data, form.locale.data, current_user
        )
    except auth_service.AuthError as error:
        form.email.errors.append(LOGIN_ERRORS[error.code]())
        return _page(invite_form=form, status=422)
    flash(_("Invitation sent to %(email)s.", email=form.email.data.lower()), "success")
    return redirect(url_for("team.index"))


@bp.route("/logins/<int:login_id>", methods=["POST"])
@requires(Permission.TEAM_MANAGE)
def update_login(login_id: int):
    target = get_owned_or_404(Login, login_id, current_user.account_id)
    form = LoginRightsForm()
    form.role.choices = _role_choices()
    if not form.validate_on_submit():
        flash(_("Please choose a valid role."), "error")
        return redirect(url_for("team.index"))
    # Only an owner may touch owners or make one.
    if current_user.role != Role.OWNER and Role.OWNER in (target.role, form.role.data):
        flash(_("Only an owner can change owner logins."), "error")
        return redirect(url_for("team.index")), 403
    grants = form.grants.data if current_user.role == Role.OWNER else target.extra_permissions
    try:
        auth_service.update_login(request_actor(), target, form.role.data, grants, form.active.data)
    except auth_service.AuthError as error:
        flash(LOGIN_ERRORS[error.code](), "error")
        return redirect(url_for("team.index"))
    flash(_("Login %(email)s saved.", email=target.email), "success")
    return redirect(url_for("team.index"))


@bp.route("/employees", methods=["POST"])
@requires(Permission.TEAM_MANAGE)
def create_employee():
    form = NewEmployeeForm()
    form.location_id.choices = _location_choices()
    if not form.validate_on_submit():
        return _page(employee_form=form, status=422)
    service.create_employee(request_actor(), form.name.data, form.pin.data, form.location_id.data or None)
    flash(_("Employee %(name)s added.", name=form.name.data.strip()), "success")
    return redirect(url_for("team.index"))


@bp.route("/employees/<int:employee_id>", methods=["GET", "POST"])
@requires(Permission.TEAM_MANAGE)
def edit_employee(employee_id: int):
    employee = get_owned_or_404(Employee, employee_id, current_user.account_id)
    form = EmployeeForm(obj=employee if request.method == "GET" else None)
    form.location_id.choices = _location_choices()
    if request.method == "GET":
        form.location_id.data = employee.location_id or 0
    if form.validate_on_submit():
        service.update_employee(
            request_actor(),
            employee,
            form.name.data,
            form.pin.data or None,
            form.location_id.data or None,
            form.active.data,
        )
        flash(_("Employee %(name)s saved.", name=employee.name), "success")
        return redirect(url_for("team.index"))
    status = 422 if request.method == "POST" else 200
    return render_template("team/employee.html", form=form, employee=employee), status
