"""Marketing (campaigns, message settings, consent requests), the customer's unsubscribe and
consent-confirmation pages, and consent recording from the customer file."""

from __future__ import annotations

import time
from datetime import timedelta

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from portal.auth.decorators import public, requires
from portal.auth.permissions import Permission
from portal.extensions import csrf
from portal.messaging import (
    appointment_texts,
    automations,
    campaigns,
    consent,
    consent_requests,
    links,
    service,
    webhooks,
)
from portal.messaging.forms import (
    AppointmentTextForm,
    AutomationForm,
    CampaignForm,
    ConsentRequestForm,
    ConsentTextForm,
    MessageOptionsForm,
    MessagingSettingsForm,
    RecordConsentForm,
    ScheduleForm,
    SmsLengthForm,
)
from portal.messaging.labels import TEMPLATE_LABELS as MESSAGING_LABELS
from portal.models import Campaign, Customer, Location
from portal.tenancy import get_owned_or_404
from portal.web.actor import public_actor, request_actor
from portal.web.forms import flash_errors
from portal.web.pin import acting, pin_form
from portal.web.templating import blueprint_labels

bp = Blueprint("messaging", __name__)
blueprint_labels(bp, MESSAGING_LABELS)

ERRORS = {
    "empty": lambda d: _("Please write the text."),
    "unknown-placeholder": lambda d: _(
        "Unknown placeholder: %(names)s. Allowed: {first_name}, {last_name}, {salon}, {unsubscribe_link}.", names=d
    ),
    "no-unsubscribe": lambda d: _(
        "A marketing message must contain the {unsubscribe_link} placeholder; without it nothing can be sent."
    ),
    "no-subject": lambda d: _("Please enter a subject for the email."),
    "sms-too-long": lambda d: _(
        "The SMS is too long: the gateway accepts at most %(max)s parts (with the unsubscribe link and the longest "
        "names). Please shorten it.",
        max=d,
    ),
    "already-sent": lambda d: _("This campaign was already sent."),
    "no-recipients": lambda d: _("Nobody may receive this message: the preview shows why. Nothing was sent."),
    "not-confirmed": lambda d: _("Please confirm the number of recipients (now %(n)d). Nothing was sent.", n=int(d)),
    "unknown-channel": lambda d: _("Please choose email or SMS."),
    "out-of-range": lambda d: OUT_OF_RANGE[d](),
    "beyond-window": lambda d: _(
        "The marketing window is %(months)s months: a customer quiet for longer may no longer receive marketing. "
        "Please choose fewer months.",
        months=d,
    ),
    "unknown-kind": lambda d: _("This automation does not exist."),
    "schedule-past": lambda d: _(
        "The moment to send lies in the past. Please choose a later one. Nothing was planned."
    ),
    "already-started": lambda d: _("The campaign has started already and can no longer be stopped."),
    "filter-window": lambda d: _(
        "The activity filter must be shorter than the marketing window of %(months)s months.", months=d
    ),
    "filter-age": lambda d: _("The age is between 1 and 120."),
}
OUT_OF_RANGE = {
    "send_hour": lambda: _("The hour is between 0 and 23."),
    "delay_hours": lambda: _("Between 1 and 168 hours after the visit."),
    "period_days": lambda: _("Between 1 and 730 days."),
    "months": lambda: _("Between 1 and 120 months."),
}


def _today():
    return current_user.account.today()


@bp.route("/marketing")
@requires(Permission.MARKETING_MANAGE)
def index():
    page = service.marketing_page(current_user.account_id)
    settings = [(location, MessagingSettingsForm(formdata=None, obj=ms)) for location, ms in page["settings"]]
    return render_template(
        "messaging/index.html",
        campaigns=page["campaigns"],
        settings=settings,
        consent_waiting=page["consent_waiting"],
        consent_waiting_again=page["consent_waiting_again"],
        marketing_off=page["marketing_off"],
        form=FlaskForm(),
    )


@bp.route("/marketing/settings/<int:location_id>", methods=["POST"])
@requires(Permission.MARKETING_MANAGE)
def save_settings(location_id: int):
    location = get_owned_or_404(Location, location_id, current_user.account_id)
    form = MessagingSettingsForm()
    if not form.validate_on_submit():
        flash_errors(form)
        return redirect(url_for("messaging.index"))
    names = ("reminder_hours", "review_is_marketing", "existing_customer_email")
    changes = service.save_settings(request_actor(), location, {name: getattr(form, name).data for name in names})
    flash(_("Settings saved.") if changes else _("Nothing changed."), "success" if changes else "info")
    return redirect(url_for("messaging.index"))


@bp.route("/marketing/automations")
@requires(Permission.MARKETING_MANAGE)
def automations_page():
    return _automations_page()


def _automations_page(errors: dict | None = None, status: int = 200):
    """Every location's automations with their form and who would receive them tomorrow."""
    tomorrow = _today() + timedelta(days=1)
    sections = [
        (location, [(a, AutomationForm(formdata=None, obj=a), automations.preview(a, tomorrow)) for a in items])
        for location, items in service.automations_by_location(current_user.account_id)
    ]
    return make_response(
        render_template(
            "messaging/automations.html",
            sections=sections,
            tomorrow=tomorrow,
            errors=errors or {},
            automation_kinds=automations.KIND_LABELS,
        ),
        status,
    )


@bp.route("/marketing/automations/<int:location_id>/<kind>", methods=["POST"])
@requires(Permission.MARKETING_MANAGE)
def save_automation(location_id: int, kind: str):
    location = get_owned_or_404(Location, location_id, current_user.account_id)
    form = AutomationForm()
    if not form.validate_on_submit():
        return _automations_page(
            {(location.id, kind): [str(e) for errors in form.errors.values() for e in errors]}, 422
        )
    data = automations.AutomationData(
        **{name: getattr(form, name).data for name in automations.AutomationData.__dataclass_fields__}
    )
    data.subject = data.subject or ""
    try:
        automations.save(request_actor(), location, kind, data)
    except campaigns.CampaignError as exc:
        return _automations_page({(location.id, kind): [ERRORS[code](detail) for code, detail in exc.problems]}, 422)
    flash(_("Saved."), "success")
    return redirect(url_for("messaging.automations_page", _anchor=f"automation-{location.id}-{kind}"))


@bp.route("/marketing/appointment-texts/<int:location_id>")
@requires(Permission.MARKETING_MANAGE)
def appointment_texts_page(location_id: int):
    location = get_owned_or_404(Location, location_id, current_user.account_id)
    return _appointment_texts(location)


def _appointment_texts(location: Location, errors: dict | None = None, status: int = 200):
    texts = appointment_texts.texts_for(location)
    return make_response(
        render_template(
            "messaging/appointment_texts.html",
            location=location,
            texts=texts,
            kinds=appointment_texts.KINDS,
            errors=errors or {},
            form=FlaskForm(),
        ),
        status,
    )


@bp.route("/marketing/appointment-texts/<int:location_id>/<kind>", methods=["POST"])
@requires(Permission.MARKETING_MANAGE)
def save_appointment_text(location_id: int, kind: str):
    location = get_owned_or_404(Location, location_id, current_user.account_id)
    form = AppointmentTextForm()
    if not form.validate_on_submit():
        return _appointment_texts(location, {kind: [str(e) for es in form.errors.values() for e in es]}, 422)
    try:
        appointment_texts.save(
            request_actor(), location, kind, form.subject.data or "", form.body.data or "", form.back_to_portal.data
        )
    except appointment_texts.TextError as error:
        return _appointment_texts(location, {kind: [TEXT_ERRORS[error.code](error.detail)]}, 422)
    flash(_("Saved."), "success")
    return redirect(url_for("messaging.appointment_texts_page", location_id=location.id, _anchor=f"text-{kind}"))


TEXT_ERRORS = {
    "unknown-kind": lambda d: _("This message does not exist."),
    "empty": lambda d: _("Please write the subject and the text."),
    "unknown-placeholder": lambda d: _(
        "Unknown placeholder: %(names)s. Allowed: {first_name}, {last_name}, {salon}, {location}, {when}, {service}.",
        names=d,
    ),
}


@bp.route("/marketing/consent-texts")
@requires(Permission.MARKETING_MANAGE)
def consent_texts():
    return render_template(
        "messaging/consent_texts.html",
        texts=service.consent_texts(current_user.account),
        default_version=consent.DEFAULT_VERSION,
        form=FlaskForm(),
    )


@bp.route("/marketing/consent-texts/<channel>", methods=["POST"])
@requires(Permission.MARKETING_MANAGE)
def save_consent_text(channel: str):
    form = ConsentTextForm()
    if not form.validate_on_submit():
        flash_errors(form)
        return redirect(url_for("messaging.consent_texts"))
    try:
        text = service.save_consent_text(request_actor(), current_user.account, channel, form.text.data)
    except consent.TextUnchanged:
        flash(_("The text is unchanged; no new version was made."), "info")
    except ValueError:
        flash(_("Please write the consent text."), "error")
    else:
        flash(
            _("Saved as version %(version)s. Consents given from now on name this version.", version=text.version),
            "success",
        )
    return redirect(url_for("messaging.consent_texts", _anchor=f"text-{channel}"))


def _campaign_form(campaign: Campaign | None = None) -> CampaignForm:
    form = CampaignForm(obj=campaign) if request.method == "GET" else CampaignForm()
    form.location_id.choices = service.locations(current_user.account_id)
    choices = service.audience_choices(current_user.account_id)
    form.service_ids.choices = choices["services"]
    form.bonus_program_id.choices = [(0, _("any or none")), *choices["programs"]]
    return form


@bp.route("/marketing/sms-length", methods=["POST"])
@requires(Permission.MARKETING_MANAGE)
def sms_length():
    """While composing: how many SMS parts the text becomes, in which encoding (htmx)."""
    form = SmsLengthForm()
    length = campaigns.sms_segments(form.body.data or "") if form.validate_on_submit() else None
    return render_template("messaging/_sms_length.html", length=length, max_parts=campaigns.MAX_SEGMENTS)


@bp.route("/marketing/campaigns/new", methods=["GET", "POST"])
@requires(Permission.MARKETING_MANAGE)
def new_campaign():
    form = _campaign_form()
    if request.method == "GET":
        form.body.data = _("Hello {first_name},\n\n…\n\nYour team of {salon}\n\nNo more emails: {unsubscribe_link}")
    errors = []
    if form.validate_on_submit():
        location = get_owned_or_404(Location, form.location_id.data, current_user.account_id)
        try:
            campaign = service.create_campaign(
                request_actor(),
                location,
                form.kind.data,
                form.channel.data,
                form.subject.data or "",
                form.body.data,
                form.filters(),
            )
        except campaigns.CampaignError as exc:
            errors = [ERRORS[code](detail) for code, detail in exc.problems]
        else:
            return redirect(url_for("messaging.campaign", campaign_id=campaign.id))
    status = 422 if request.method == "POST" else 200
    return render_template("messaging/compose.html", form=form, errors=errors), status


@bp.route("/marketing/campaigns/<int:campaign_id>")
@requires(Permission.MARKETING_MANAGE)
def campaign(campaign_id: int):
    item = get_owned_or_404(Campaign, campaign_id, current_user.account_id)
    return render_template(
        "messaging/campaign.html", campaign=item, form=FlaskForm(), **service.campaign_page(item, _today())
    )


@bp.route("/marketing/campaigns/<int:campaign_id>/send", methods=["POST"])
@requires(Permission.MARKETING_MANAGE)
def send(campaign_id: int):
    """Now, or at the moment given (the salon's time)."""
    item = get_owned_or_404(Campaign, campaign_id, current_user.account_id)
    form = ScheduleForm()
    if not form.validate_on_submit():
        flash(_("Please enter the date and time as shown."), "error")
        return redirect(url_for("messaging.campaign", campaign_id=item.id))
    send_at = current_user.account.utc_of_local(form.send_at.data) if form.send_at.data else None
    try:
        count = campaigns.start(request_actor(), item, _today(), form.confirm.data, send_at)
    except campaigns.CampaignError as exc:
        flash(ERRORS[exc.code](exc.detail), "error")
    else:
        flash(
            _("Scheduled for %(n)d recipients.", n=count) if send_at else _("Sending to %(n)d recipients.", n=count),
            "success",
        )
    return redirect(url_for("messaging.campaign", campaign_id=item.id))


@bp.route("/marketing/campaigns/<int:campaign_id>/unschedule", methods=["POST"])
@requires(Permission.MARKETING_MANAGE)
def unschedule(campaign_id: int):
    item = get_owned_or_404(Campaign, campaign_id, current_user.account_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        campaigns.cancel_schedule(request_actor(), item)
    except campaigns.CampaignError as exc:
        flash(ERRORS[exc.code](exc.detail), "error")
    else:
        flash(_("The schedule is cancelled; the campaign is a draft again."), "success")
    return redirect(url_for("messaging.campaign", campaign_id=item.id))


@bp.route("/marketing/campaigns/<int:campaign_id>/test-mail", methods=["POST"])
@requires(Permission.MARKETING_MANAGE)
def test_mail(campaign_id: int):
    item = get_owned_or_404(Campaign, campaign_id, current_user.account_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    service.send_test_mail(request_actor(), item, current_user)
    flash(_("A test email is on its way to %(email)s.", email=current_user.email), "success")
    return redirect(url_for("messaging.campaign", campaign_id=item.id))


@bp.route("/marketing/campaigns/<int:campaign_id>/progress")
@requires(Permission.MARKETING_MANAGE)
def progress(campaign_id: int):
    item = get_owned_or_404(Campaign, campaign_id, current_user.account_id)
    response = make_response(render_template("messaging/_progress.html", campaign=item))
    if item.status != "sending":
        response.status_code = 286
    return response


@bp.route("/marketing/consent-request", methods=["POST"])
@requires(Permission.MARKETING_MANAGE)
def consent_request():
    """Marketingeinwilligung: a worker asks the customers (double opt-in); the page shows progress."""
    form = ConsentRequestForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        item = consent_requests.start(request_actor(), current_user.account, form.confirm.data, form.again.data)
    except consent_requests.MarketingOff:
        flash(_("Marketing is switched off: no consent request is sent. Nothing was sent."), "error")
        return redirect(url_for("messaging.index"))
    except consent_requests.CountNotConfirmed as refused:
        flash(
            _("Please confirm the number of customers to ask (now %(n)d). Nothing was sent.", n=refused.waiting),
            "error",
        )
        return redirect(url_for("messaging.index"))
    except consent_requests.NobodyToAsk:
        flash(
            _(
                "Nobody is waiting to be asked: only unprovable approvals from before 25.05.2018 are asked, each customer at most twice."
            ),
            "info",
        )
        return redirect(url_for("messaging.index"))
    flash(_("Consent requests are being sent to %(n)d customers.", n=item.total), "success")
    return redirect(url_for("messaging.campaign", campaign_id=item.id))


# --- the SMS provider ---------------------------------------------------------------------------


@bp.route("/webhooks/sms", methods=["POST"])
@public
@csrf.exempt  # the provider signs instead (portal/messaging/webhooks.py)
def sms_report():
    body = request.get_data(cache=False)
    try:
        webhooks.verify(
            current_app.config["SMS_WEBHOOK_SECRET"],
            request.headers.get("X-Timestamp"),
            request.headers.get("X-Signature"),
            body,
            time.time(),
        )
        applied = webhooks.apply_reports(body)
    except webhooks.BadReport as bad:
        return jsonify(error=bad.code), 400 if bad.code == "not-a-report" else 403
    return jsonify(updated=applied.updated, unknown=applied.unknown)


# --- the customer's pages ---------------------------------------------------------------------


@bp.route("/u/<token>", methods=["GET", "POST"])
@public
@csrf.exempt  # RFC 8058 one-click: the mail client POSTs without a form; the token is the proof
def unsubscribe(token: str):
    target = links.unsubscribe_target(token)
    if target is None:
        return render_template("messaging/unsubscribe.html", invalid=True), 410
    if request.method == "GET":
        return render_template("messaging/unsubscribe.html", account=target.account, channel=target.channel)
    if not links.unsubscribe(token, target, public_actor(target.account.id)):
        return render_template("messaging/unsubscribe.html", invalid=True), 410
    return render_template("messaging/unsubscribe.html", account=target.account, channel=target.channel, done=True)


@bp.route("/c/<token>", methods=["GET", "POST"])
@public
def confirm_consent(token: str):
    target = links.consent_target(token)
    if target is None:
        return render_template("messaging/confirm_consent.html", invalid=True), 410
    form = FlaskForm()
    page = {"account": target.account, "text": target.text}
    if request.method == "GET":
        return render_template("messaging/confirm_consent.html", form=form, **page)
    if not form.validate_on_submit() or not links.confirm_consent(token, target, public_actor(target.account.id)):
        return render_template("messaging/confirm_consent.html", invalid=True), 410
    return render_template("messaging/confirm_consent.html", done=True, **page)


# --- from the customer file -------------------------------------------------------------------


@bp.route("/customers/<int:customer_id>/consent", methods=["POST"])
@requires(Permission.CUSTOMER_EDIT)
def record_consent(customer_id: int):
    customer = get_owned_or_404(Customer, customer_id, current_user.account_id)
    confirm = pin_form()
    form = RecordConsentForm()
    if not form.validate_on_submit():
        abort(400)
    back = redirect(url_for("customers.detail", customer_id=customer.id, tab="messages"))
    actor = acting(confirm)
    if actor is None:
        flash(_("Please confirm with your PIN."), "error")
        return back
    try:
        changed = service.record_consent(actor, customer, form.channel.data, form.status.data, form.method.data)
    except ValueError:
        flash(_("Please choose a channel and whether the customer agrees."), "error")
        return back
    flash(_("Consent recorded.") if changed else _("Nothing changed."), "success" if changed else "info")
    return back


@bp.route("/customers/<int:customer_id>/message-options", methods=["POST"])
@requires(Permission.CUSTOMER_EDIT)
def message_options(customer_id: int):
    """Staff only: opt out of reminders, record a guardian's consent for a minor."""
    customer = get_owned_or_404(Customer, customer_id, current_user.account_id)
    form = MessageOptionsForm()
    if not form.validate_on_submit():
        abort(400)
    changes = service.save_options(request_actor(), customer, form.reminders_off.data, form.guardian_consent.data)
    flash(_("Saved.") if changes else _("Nothing changed."), "success" if changes else "info")
    return redirect(url_for("customers.detail", customer_id=customer.id, tab="messages"))
