"""Datenschutz → Datenpannen: the breach register (Art. 33/34 GDPR). Recorded and decided by the
owner (and admins granted the privacy settings); read by whoever may read them, the accountant
included."""

from __future__ import annotations

from flask import Blueprint, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.accountability import breach_notices as notices
from portal.accountability import breaches as service
from portal.accountability.breach_report import authority_report, report_pdf
from portal.accountability.forms import (
    BreachForm,
    BreachNoticeForm,
    NoNotificationForm,
    NotifiedForm,
    PeopleDecisionForm,
)
from portal.auth.decorators import requires
from portal.auth.permissions import Permission
from portal.models import Breach
from portal.tenancy import get_owned_or_404
from portal.web.actor import request_actor

bp = Blueprint("breaches", __name__, url_prefix="/settings/privacy/breaches")

ERRORS = {
    "occurred": lambda: _("Please enter when it happened (as far as known)."),
    "aware": lambda: _("Please enter when the salon became aware of it: the 72 hours start there."),
    "occurred-future": lambda: _("This time lies in the future."),
    "aware-future": lambda: _("This time lies in the future."),
    "aware-before": lambda: _("The salon cannot have become aware of it before it happened."),
    "description": lambda: _("Please describe what happened."),
    "categories": lambda: _("Please name the data affected."),
    "people": lambda: _("Please enter about how many people are affected (0 or more)."),
    "records": lambda: _("Please enter 0 or more."),
    "too-long": lambda: _("Each text may have at most 5000 characters."),
    "notified": lambda: _("Please enter when the authority was notified."),
    "notified-future": lambda: _("This time lies in the future."),
    "notified-before": lambda: _("The notification cannot lie before the salon became aware of the breach."),
    "late-reason": lambda: _(
        "More than 72 hours have passed: please give the reasons for the delay (Art. 33(1) GDPR)."
    ),
    "already-notified": lambda: _("The notification is already recorded. Nothing was changed."),
    "no-notification-reason": lambda: _("Please give the reason why no notification is needed."),
    "inform": lambda: _("Please choose yes or no."),
    "reasoning": lambda: _("Please give the reasoning for the decision."),
    "already-sent": lambda: _("The people were already told. Nothing was changed."),
    "not-decided": lambda: _("First decide that the people must be told."),
    "notice-text": lambda: _("Please enter the subject and the message."),
    "nobody": lambda: _("Nobody with an email address is in this group. Nothing was sent."),
    "count-changed": lambda: _("Please check the number of people and confirm it."),
}


def _breach(breach_id: int) -> Breach:
    return get_owned_or_404(Breach, breach_id, current_user.account_id)


def _zone() -> str:
    return current_user.account.timezone


def _refuse(form, error: service.BreachError) -> None:
    """The message beside its field, or above the form."""
    message = ERRORS[error.code]()
    if error.field and error.field in form:
        form[error.field].errors = [message]
    else:
        flash(message, "error")


@bp.route("")
@requires(Permission.PRIVACY_SETTINGS_VIEW)
def index():
    return render_template(
        "accountability/breaches.html", breaches=service.register(current_user.account_id), clock=service.clock
    )


def _form_page(form: BreachForm, breach: Breach | None = None, status: int = 200):
    return make_response(render_template("accountability/breach_form.html", form=form, breach=breach), status)


@bp.route("/new")
@requires(Permission.PRIVACY_SETTINGS_EDIT)
def new():
    return _form_page(BreachForm(formdata=None))


@bp.route("/new", methods=["POST"])
@requires(Permission.PRIVACY_SETTINGS_EDIT)
def create():
    form = BreachForm()
    if not form.validate_on_submit():
        return _form_page(form, status=422)
    try:
        breach = service.record_breach(request_actor(), form.values(_zone()))
    except service.BreachError as error:
        _refuse(form, error)
        return _form_page(form, status=422)
    flash(_("The breach is recorded. The 72 hours run from when the salon became aware of it."), "success")
    return redirect(url_for("breaches.detail", breach_id=breach.id))


@bp.route("/<int:breach_id>/edit")
@requires(Permission.PRIVACY_SETTINGS_EDIT)
def edit(breach_id: int):
    breach = _breach(breach_id)
    return _form_page(BreachForm.of(breach, _zone()), breach)


@bp.route("/<int:breach_id>/edit", methods=["POST"])
@requires(Permission.PRIVACY_SETTINGS_EDIT)
def update(breach_id: int):
    breach = _breach(breach_id)
    form = BreachForm()
    if not form.validate_on_submit():
        return _form_page(form, breach, 422)
    try:
        changed = service.update_facts(request_actor(), breach, form.values(_zone()))
    except service.BreachError as error:
        _refuse(form, error)
        return _form_page(form, breach, 422)
    flash(_("Saved.") if changed else _("Nothing changed."), "success")
    return redirect(url_for("breaches.detail", breach_id=breach.id))


def _detail(breach: Breach, status: int = 200, **forms):
    account = current_user.account
    notice_form = forms.get("notice_form")
    if notice_form is None:
        subject, body = notices.default_text(account, breach)
        notice_form = forms["notice_form"] = BreachNoticeForm(formdata=None, notice_subject=subject, notice_body=body)
    notice_form.location_id.choices = [("", _("All customers"))] + [
        (str(location_id), _("Customers who visited %(location)s", location=name))
        for location_id, name in notices.location_choices(account.id)
    ]
    forms.setdefault("notified_form", NotifiedForm(formdata=None))
    forms.setdefault("no_notification_form", NoNotificationForm(formdata=None))
    forms.setdefault(
        "decision_form",
        PeopleDecisionForm(formdata=None, inform_people=breach.inform_people, inform_reasoning=breach.inform_reasoning),
    )
    return make_response(
        render_template(
            "accountability/breach.html",
            breach=breach,
            clock=service.clock(breach),
            late=service.notified_late(breach),
            notified_by=service.notified_by(breach),
            audience=notices.audience(account, notice_form.filters()),
            told=notices.told(breach),
            **forms,
        ),
        status,
    )


def _act(breach: Breach, form, form_name: str, action, done: str):
    """Validate, run one service call, or show the page again with the message."""
    if not form.validate_on_submit():
        return _detail(breach, 422, **{form_name: form})
    try:
        action()
    except service.BreachError as error:
        _refuse(form, error)
        return _detail(breach, 422, **{form_name: form})
    flash(done, "success")
    return redirect(url_for("breaches.detail", breach_id=breach.id))


@bp.route("/<int:breach_id>")
@requires(Permission.PRIVACY_SETTINGS_VIEW)
def detail(breach_id: int):
    return _detail(_breach(breach_id))


@bp.route("/<int:breach_id>/notified", methods=["POST"])
@requires(Permission.PRIVACY_SETTINGS_EDIT)
def notified(breach_id: int):
    breach, form = _breach(breach_id), NotifiedForm()
    return _act(
        breach,
        form,
        "notified_form",
        lambda: service.record_notification(
            request_actor(), breach, form.moment(_zone()), form.authority_reference.data, form.late_reason.data
        ),
        _("The notification is recorded."),
    )


@bp.route("/<int:breach_id>/no-notification", methods=["POST"])
@requires(Permission.PRIVACY_SETTINGS_EDIT)
def no_notification(breach_id: int):
    breach, form = _breach(breach_id), NoNotificationForm()
    return _act(
        breach,
        form,
        "no_notification_form",
        lambda: service.record_no_notification(request_actor(), breach, form.reason.data),
        _("The decision is recorded."),
    )


@bp.route("/<int:breach_id>/people", methods=["POST"])
@requires(Permission.PRIVACY_SETTINGS_EDIT)
def decide_people(breach_id: int):
    breach, form = _breach(breach_id), PeopleDecisionForm()
    return _act(
        breach,
        form,
        "decision_form",
        lambda: service.decide_on_people(
            request_actor(), breach, form.inform_people.data or "", form.inform_reasoning.data
        ),
        _("The decision is recorded."),
    )


@bp.route("/<int:breach_id>/notice", methods=["POST"])
@requires(Permission.PRIVACY_SETTINGS_EDIT)
def send_notice(breach_id: int):
    breach, form = _breach(breach_id), BreachNoticeForm()
    confirmed = int(form.confirm.data) if (form.confirm.data or "").isdigit() else -1
    return _act(
        breach,
        form,
        "notice_form",
        lambda: notices.start(
            request_actor(), breach, form.notice_subject.data, form.notice_body.data, form.filters(), confirmed
        ),
        _("The messages are being sent."),
    )


@bp.route("/<int:breach_id>/notice/progress")
@requires(Permission.PRIVACY_SETTINGS_VIEW)
def notice_progress(breach_id: int):
    """Polled while the messages go out; 286 tells htmx to stop once all are sent."""
    breach = _breach(breach_id)
    html = render_template("accountability/_breach_notice_progress.html", breach=breach, told=notices.told(breach))
    return html, 200 if breach.notice_status == "sending" else 286


@bp.route("/<int:breach_id>/authority")
@requires(Permission.PRIVACY_SETTINGS_VIEW)
def authority(breach_id: int):
    breach = _breach(breach_id)
    return render_template("accountability/breach_authority.html", breach=breach, report=authority_report(breach))


@bp.route("/<int:breach_id>/authority.pdf")
@requires(Permission.PRIVACY_SETTINGS_VIEW)
def authority_pdf(breach_id: int):
    breach = _breach(breach_id)
    response = make_response(report_pdf(authority_report(breach)))
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="Datenpanne-{breach.id}-Meldung.pdf"'
    return response
