"""Tablet mode: the hand-over (from the customer file or the appointment), the form the
customer fills in and signs, the neutral screen after five idle minutes, and taking the tablet
back with a PIN. While a browser is in tablet mode, every other page leads back to the form."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.auth.decorators import requires
from portal.auth.permissions import Permission
from portal.models import Appointment, Customer, SalonForm
from portal.signed_forms import tablet as service
from portal.signed_forms.answers import AnswerErrors
from portal.signed_forms.designer import forms_of
from portal.signed_forms.forms import HandOverForm, TakeBackForm
from portal.signed_forms.signature import SignatureError
from portal.signed_forms.signing import SigningError, Submission, form_of, sign
from portal.tenancy import get_owned, get_owned_or_404
from portal.web.actor import request_actor
from portal.web.converters import id_arg
from portal.web.forms import flash_errors
from portal.web.htmx import redirect_to, safe_redirect_target
from portal.web.pin import PIN_ERRORS
from portal.web.templating import blueprint_labels

bp = Blueprint("tablet", __name__, url_prefix="/tablet")
blueprint_labels(bp)
SESSION_KEY = "tablet_session"
ALLOWED = frozenset({"tablet.page", "tablet.sign_form", "tablet.idle", "tablet.take_back", "static"})

ANSWER_ERRORS = {
    "required": lambda: _("Please fill in this field."),
    "date": lambda: _("Please enter a valid date."),
    "number": lambda: _("Please enter a number."),
    "choice": lambda: _("Please choose one of the options."),
    "email": lambda: _("Please enter a valid email address."),
    "phone": lambda: _("Please enter a valid phone number."),
    "too-long": lambda: _("This answer is too long."),
}
SIGNING_ERRORS = {
    "empty": lambda: _("Please sign in the box with your finger."),
    "too-short": lambda: _("That is too short for a signature. Please sign again."),
    "too-large": lambda: _("The signature could not be read. Please clear it and sign again."),
    "malformed": lambda: _("The signature could not be read. Please clear it and sign again."),
    "health-without-consent": lambda: _(
        "You answered questions about your health. Please tick the consent to health data, or leave those questions empty."
    ),
    "stale-page": lambda: _("This page is out of date. Please ask the team to hand over the tablet again."),
    "closed": lambda: _("This form is no longer open. Please hand the tablet back to the team."),
    "already-signed": lambda: _("This form has already been signed. Thank you!"),
}
HAND_OVER_ERRORS = {
    "inactive": lambda: _("This form is switched off."),
    "needs-customer": lambda: _("A treatment form is always for a customer: please open it from the customer file."),
    "wrong-appointment": lambda: _("The appointment belongs to another customer."),
}


@bp.before_app_request
def stay_in_tablet_mode():
    """The customer holding the tablet reaches the form and nothing else."""
    tablet_id = session.get(SESSION_KEY)
    if not tablet_id:
        return None
    if not current_user.is_authenticated:  # the login ended: nothing to protect any more
        session.pop(SESSION_KEY, None)
        return None
    tablet = service.open_session(tablet_id, current_user.account_id)
    if tablet is None:
        session.pop(SESSION_KEY, None)
        return None
    g.tablet = tablet
    g.tablet_locale = tablet.locale
    if request.endpoint in ALLOWED:
        return None
    return redirect_to(url_for("tablet.page"))


@bp.after_app_request
def keep_nothing(response):
    """Tablet pages are never cached: the back button shows no earlier answers."""
    if g.get("tablet") is not None or (request.endpoint or "").startswith("tablet."):
        response.headers["Cache-Control"] = "no-store"
    return response


def _back_to(form: HandOverForm) -> str:
    if form.appointment_id.data:
        return url_for("documents.offer", appointment_id=id_arg(form.appointment_id.data))
    if form.customer_id.data:
        return url_for("customers.detail", customer_id=id_arg(form.customer_id.data), tab="forms")
    return url_for("customers.create")


@bp.route("/start", methods=["POST"])
@requires(Permission.CUSTOMER_EDIT)
def start():
    form = HandOverForm()
    form.form_id.choices = [(f.id, f.title) for f in forms_of(current_user.account_id, active_only=True)]
    form.employee_id.choices = service.pin_holders(current_user.account_id)
    try:
        back = safe_redirect_target(_back_to(form))
    except ValueError:
        back = url_for("customers.index")
    if not form.validate_on_submit():
        flash_errors(form)
        return redirect(back)
    salon_form = get_owned_or_404(SalonForm, form.form_id.data, current_user.account_id)
    customer = (
        get_owned_or_404(Customer, id_arg(form.customer_id.data), current_user.account_id)
        if form.customer_id.data
        else None
    )
    appointment = (
        get_owned_or_404(Appointment, id_arg(form.appointment_id.data), current_user.account_id)
        if form.appointment_id.data
        else None
    )
    try:
        tablet = service.hand_over(
            request_actor(), salon_form, customer, appointment, form.employee_id.data, form.pin.data, form.locale.data
        )
    except service.TabletPinError as error:
        flash(PIN_ERRORS[error.code](), "error")
        return redirect(back)
    except service.TabletError as error:
        flash(HAND_OVER_ERRORS[error.code](), "error")
        return redirect(back)
    session[SESSION_KEY] = tablet.id
    return redirect(url_for("tablet.page"))


def _page(
    tablet, errors: dict | None = None, message: str = "", take_back_form: TakeBackForm | None = None, status: int = 200
):
    take_back_form = take_back_form or TakeBackForm(formdata=None)
    take_back_form.employee_id.choices = service.pin_holders(current_user.account_id)
    if take_back_form.employee_id.data is None:
        take_back_form.employee_id.data = tablet.employee_id
    version = service.version_of(tablet)
    if tablet.document_id:
        state = "signed"
    elif not service.is_fillable(tablet):
        state = "closed"
    else:
        state = "fill"
    return render_template(
        "signed_forms/tablet.html",
        tablet=tablet,
        state=state,
        version=version,
        salon_form=form_of(tablet),
        errors=errors or {},
        answers=request.form if request.method == "POST" else service.prefilled(tablet, version),
        message=message,
        take_back_form=take_back_form,
        idle_seconds=current_app.config.get("TABLET_IDLE_SECONDS", service.IDLE_SECONDS),
    ), status


@bp.route("")
@requires(Permission.CUSTOMER_EDIT)
def page():
    tablet = g.get("tablet")
    if tablet is None:
        return redirect(url_for("dashboard.home"))
    if service.is_fillable(tablet):
        service.seen(tablet)
    return _page(tablet)


@bp.route("/sign", methods=["POST"])
@requires(Permission.CUSTOMER_EDIT)
def sign_form():
    tablet = g.get("tablet")
    if tablet is None:
        return redirect(url_for("dashboard.home"))
    submission = Submission(
        form_data=request.form,
        ticked=set(request.form.getlist("consent")),
        signature=request.form.get("signature", "")[: 2 * 200_000],
        pad_width=request.form.get("pad_width", type=int) or 0,
        pad_height=request.form.get("pad_height", type=int) or 0,
        version_id=request.form.get("version_id", type=int) or 0,
        ip=request.remote_addr or "",
    )
    try:
        sign(tablet, submission)
    except AnswerErrors as error:
        errors = {key: ANSWER_ERRORS[code]() for key, code in error.errors.items()}
        return _page(tablet, errors, _("Please check the marked fields."), status=422)
    except (SignatureError, SigningError) as error:
        if error.code == "already-signed":
            return redirect(url_for("tablet.page"))
        return _page(tablet, message=SIGNING_ERRORS[error.code](), status=422)
    return redirect(url_for("tablet.page"))


@bp.route("/idle", methods=["POST"])
@requires(Permission.CUSTOMER_EDIT)
def idle():
    tablet = g.get("tablet")
    if tablet is not None and tablet.document_id is None:
        service.close_idle(tablet)
    return redirect(url_for("tablet.page"))


@bp.route("/take-back", methods=["POST"])
@requires(Permission.CUSTOMER_EDIT)
def take_back():
    tablet = g.get("tablet")
    if tablet is None:
        return redirect(url_for("dashboard.home"))
    form = TakeBackForm()
    form.employee_id.choices = service.pin_holders(current_user.account_id)
    if not form.validate_on_submit():
        return _page(
            tablet,
            message=_("Only the team can leave tablet mode: please enter a PIN."),
            take_back_form=form,
            status=422,
        )
    try:
        service.take_back(request_actor(), tablet, form.employee_id.data, form.pin.data)
    except service.TabletPinError as error:
        return _page(tablet, message=PIN_ERRORS[error.code](), take_back_form=form, status=422)
    session.pop(SESSION_KEY, None)
    g.tablet = None
    if tablet.customer_id and get_owned(Customer, tablet.customer_id, current_user.account_id):
        if tablet.document_id:
            flash(_("The form was signed and is stored in the customer file."), "success")
        return redirect(url_for("customers.detail", customer_id=tablet.customer_id, tab="forms"))
    return redirect(url_for("customers.index"))
