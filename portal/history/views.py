"""The salon's histories: appointment log, customer change log, settings history, login history
(with its CSV export by email link)."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from portal.auth.decorators import requires
from portal.auth.permissions import Permission
from portal.history import exports
from portal.history.display import TEMPLATE_LABELS as HISTORY_LABELS
from portal.history.forms import LogFilterForm, LoginHistoryExportForm
from portal.history.queries import LogFilter, SalonPeople, log_page, salon_people
from portal.models import Customer
from portal.tenancy import get_owned
from portal.web.actor import request_actor
from portal.web.converters import id_arg
from portal.web.downloads import single_use_download
from portal.web.htmx import is_fragment_request, page_or_fragment
from portal.web.templating import blueprint_labels

bp = Blueprint("history", __name__, url_prefix="/history")
blueprint_labels(bp, HISTORY_LABELS)
# The rows of a history (here and in the customer file's history tab) call these as filters.
for _name in ("sentence", "appointment_ref", "describe_changes", "entity_label", "device_label"):
    bp.add_app_template_filter(HISTORY_LABELS[_name], _name)

LOGS = {
    "appointments": ("appointment", _l("Appointment log")),
    "customers": ("customer", _l("Customer change log")),
    "settings": ("setting", _l("Settings history")),
    "logins": ("login", _l("Login history")),
}
SETTING_TYPES = [
    ("", _l("All settings")),
    ("account", _l("Account")),
    ("customer_field", _l("Customer field")),
    ("login", _l("Login")),
    ("employee", _l("Employee")),
]


def _filter_form(staff: SalonPeople) -> LogFilterForm:
    form = LogFilterForm(formdata=request.args)
    form.employee.choices = [(0, _("All employees")), *staff.employee_choices()]
    form.login.choices = [(0, _("All logins")), *staff.login_choices()]
    form.entity_type.choices = SETTING_TYPES
    return form


def _render_log(
    name: str, staff: SalonPeople | None = None, export_form: LoginHistoryExportForm | None = None, status: int = 200
):
    category, title = LOGS[name]
    # The salon's people, read once: the filters' lists, the rows' names, the export's choices.
    staff = staff or salon_people(current_user.account_id)
    form = _filter_form(staff)
    valid = form.validate()
    customer = None
    if form.customer.data:
        customer = get_owned(Customer, form.customer.data, current_user.account_id)
        if customer is None:
            form.customer.errors = [*form.customer.errors, _("This customer does not exist in your salon.")]
            valid = False
    page = None
    if valid:
        filters = LogFilter(
            category=category,
            start=form.start.data,
            end=form.end.data,
            employee_id=form.employee.data or None,
            customer_id=customer.id if customer else None,
            entity_type=form.entity_type.data or None if name == "settings" else None,
            entity_id=(
                form.appointment.data if name == "appointments" else form.login.data if name == "logins" else None
            )
            or None,
            actor_login_id=form.login.data or None if name in ("customers", "settings") else None,
            timezone=current_user.account.timezone,
        )
        page = log_page(current_user.account_id, filters, request.args.get("before", type=id_arg), people=staff)
    context = dict(name=name, title=title, form=form, page=page, customer=customer, export_form=export_form, logs=LOGS)
    if request.args.get("before") and is_fragment_request():
        return render_template("history/_rows.html", **context)
    if not valid and not is_fragment_request():
        status = 422
    return page_or_fragment("history/log.html", "history/_results.html", status=status, **context)


@bp.route("/appointments")
@requires(Permission.HISTORY_VIEW)
def appointments():
    return _render_log("appointments")


@bp.route("/customers")
@requires(Permission.HISTORY_VIEW)
def customers():
    return _render_log("customers")


@bp.route("/settings")
@requires(Permission.HISTORY_VIEW)
def settings():
    return _render_log("settings")


def _export_form(staff: SalonPeople) -> LoginHistoryExportForm:
    form = LoginHistoryExportForm()
    form.login.choices = staff.login_choices()
    return form


@bp.route("/logins")
@requires(Permission.HISTORY_VIEW)
def logins():
    staff = salon_people(current_user.account_id)
    return _render_log("logins", staff, export_form=_export_form(staff))


@bp.route("/logins/export", methods=["POST"])
@requires(Permission.LOGIN_HISTORY_EXPORT)
def export_logins():
    staff = salon_people(current_user.account_id)
    form = _export_form(staff)
    if not form.validate_on_submit():
        return _render_log("logins", staff, export_form=form, status=422)
    exports.request_login_history(request_actor(), current_user, form.login.data, form.start.data, form.end.data)
    form_done = _export_form(staff)
    form_done.sent = True
    return _render_log("logins", staff, export_form=form_done)


@bp.route("/downloads/<token>", methods=["GET", "POST"])
@requires(Permission.LOGIN_HISTORY_EXPORT)
def download(token: str):
    return single_use_download(token, exports.DOWNLOAD_PURPOSE, "login")
