"""Marketing (campaigns, message settings, consent requests), the customer's unsubscribe and
consent-confirmation pages, and consent recording from the customer file."""

from __future__ import annotations

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select

from portal import tokens
from portal.auth.decorators import public, requires
from portal.auth.permissions import Permission
from portal.extensions import csrf, db
from portal.mail import external_url, queue_email
from portal.messaging import campaigns, consent, eligibility, service
from portal.messaging.forms import CampaignForm, MessagingSettingsForm
from portal.models import Account, Campaign, Consent, ConsentText, Customer, Location
from portal.tenancy import get_owned_or_404, scoped
from portal.web.actor import public_actor, request_actor
from portal.web.pin import acting, pin_form

bp = Blueprint("messaging", __name__)
CONSENT_PURPOSE = "consent-confirm"

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
        "The SMS is too long: the gateway accepts at most %(max)s characters including the unsubscribe link.", max=d
    ),
    "already-sent": lambda d: _("This campaign was already sent."),
    "no-recipients": lambda d: _("Nobody may receive this message: the preview shows why. Nothing was sent."),
}


def _locations():
    return db.session.scalars(scoped(Location, current_user.account_id).order_by(Location.id)).all()


def _today():
    return current_user.account.today()


@bp.route("/marketing")
@requires(Permission.MARKETING_MANAGE)
def index():
    items = db.session.scalars(
        scoped(Campaign, current_user.account_id).order_by(Campaign.created_at.desc()).limit(50)
    ).all()
    settings = []
    for location in _locations():
        ms = eligibility.messaging_settings(location)
        settings.append((location, MessagingSettingsForm(formdata=None, obj=ms)))
    db.session.commit()
    return render_template("messaging/index.html", campaigns=items, settings=settings, form=FlaskForm())


@bp.route("/marketing/settings/<int:location_id>", methods=["POST"])
@requires(Permission.MARKETING_MANAGE)
def save_settings(location_id: int):
    location = get_owned_or_404(Location, location_id, current_user.account_id)
    form = MessagingSettingsForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
        return redirect(url_for("messaging.index"))
    changes = service.save_settings(
        request_actor(),
        location,
        {
            name: getattr(form, name).data
            for name in ("reminder_hours", "review_is_marketing", "existing_customer_email")
        },
    )
    db.session.commit()
    flash(_("Settings saved.") if changes else _("Nothing changed."), "success" if changes else "info")
    return redirect(url_for("messaging.index"))


def _campaign_form(campaign: Campaign | None = None) -> CampaignForm:
    form = CampaignForm(obj=campaign) if request.method == "GET" else CampaignForm()
    form.location_id.choices = [(loc.id, loc.name) for loc in _locations()]
    return form


@bp.route("/marketing/campaigns/new", methods=["GET", "POST"])
@requires(Permission.MARKETING_MANAGE)
def new_campaign():
    form = _campaign_form()
    if request.method == "GET":
        form.body.data = _("Hello {first_name},\n\n…\n\nYour team of {salon}\n\nNo more emails: {unsubscribe_link}")
    error = None
    if form.validate_on_submit():
        location = get_owned_or_404(Location, form.location_id.data, current_user.account_id)
        campaign = Campaign(account_id=current_user.account_id, created_by_id=current_user.id, status="draft")
        try:
            campaigns.save(
                request_actor(),
                campaign,
                location,
                form.kind.data,
                form.channel.data,
                form.subject.data or "",
                form.body.data,
            )
        except campaigns.CampaignError as exc:
            error = ERRORS[exc.code](exc.detail)
        else:
            db.session.add(campaign)
            db.session.commit()
            return redirect(url_for("messaging.campaign", campaign_id=campaign.id))
    status = 422 if request.method == "POST" else 200
    return render_template("messaging/compose.html", form=form, error=error), status


@bp.route("/marketing/campaigns/<int:campaign_id>")
@requires(Permission.MARKETING_MANAGE)
def campaign(campaign_id: int):
    item = get_owned_or_404(Campaign, campaign_id, current_user.account_id)
    account = db.session.get(Account, current_user.account_id)
    location = db.session.get(Location, item.location_id)
    numbers = eligibility.preview(account, location, item.channel, item.kind, _today())
    db.session.commit()
    return render_template(
        "messaging/campaign.html", campaign=item, preview=numbers, location=location, form=FlaskForm()
    )


@bp.route("/marketing/campaigns/<int:campaign_id>/send", methods=["POST"])
@requires(Permission.MARKETING_MANAGE)
def send(campaign_id: int):
    item = get_owned_or_404(Campaign, campaign_id, current_user.account_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        count = campaigns.start(request_actor(), item, _today())
    except campaigns.CampaignError as exc:
        db.session.rollback()
        flash(ERRORS[exc.code](exc.detail), "error")
    else:
        db.session.commit()
        flash(_("Sending to %(n)d recipients.", n=count), "success")
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
    """Marketingeinwilligung: ask customers with an email but no recorded consent to confirm
    (double opt-in)."""
    if not FlaskForm().validate_on_submit():
        abort(400)
    account = db.session.get(Account, current_user.account_id)
    text = consent.current_text(account.id, "email", account.name)
    recorded = select(Consent.customer_id).where(Consent.channel == "email")
    candidates = db.session.scalars(
        scoped(Customer, account.id)
        .where(Customer.email.is_not(None), Customer.restricted_at.is_(None), Customer.id.not_in(recorded))
        .limit(5000)
    ).all()
    for customer in candidates:
        token = tokens.issue(
            account.id, CONSENT_PURPOSE, {"customer_id": customer.id, "text_id": text.id}, hours=24 * 30
        )
        queue_email(
            account.id,
            customer.email,
            "consent_request",
            {
                "salon": account.name,
                "name": customer.first_name,
                "text": text.text,
                "link": external_url("messaging.confirm_consent", token=tokens.link_value(token)),
            },
        )
    db.session.commit()
    flash(_("Consent requests sent to %(n)d customers.", n=len(candidates)), "success")
    return redirect(url_for("messaging.index"))


# --- the customer's pages ---------------------------------------------------------------------


@bp.route("/u/<token>", methods=["GET", "POST"])
@public
@csrf.exempt  # RFC 8058 one-click: the mail client POSTs without a form; the token is the proof
def unsubscribe(token: str):
    checked = tokens.check(token, campaigns.UNSUBSCRIBE_PURPOSE)
    customer = db.session.get(Customer, checked.subject.get("customer_id")) if checked else None
    if customer is None or customer.account_id != checked.account_id:
        return render_template("messaging/unsubscribe.html", invalid=True), 410
    account = db.session.get(Account, customer.account_id)
    channel = checked.subject.get("channel", "email")
    if request.method == "GET":
        return render_template("messaging/unsubscribe.html", account=account, channel=channel)
    if tokens.consume(token, campaigns.UNSUBSCRIBE_PURPOSE) is None:
        return render_template("messaging/unsubscribe.html", invalid=True), 410
    actor = public_actor(account.id)
    consent.set_consent(actor, customer, channel, "withdrawn", "unsubscribe")
    db.session.commit()
    return render_template("messaging/unsubscribe.html", account=account, channel=channel, done=True)


@bp.route("/c/<token>", methods=["GET", "POST"])
@public
def confirm_consent(token: str):
    checked = tokens.check(token, CONSENT_PURPOSE)
    customer = db.session.get(Customer, checked.subject.get("customer_id")) if checked else None
    if customer is None or customer.account_id != checked.account_id:
        return render_template("messaging/confirm_consent.html", invalid=True), 410
    text = db.session.get(ConsentText, checked.subject.get("text_id"))
    account = db.session.get(Account, customer.account_id)
    form = FlaskForm()
    if request.method == "GET":
        return render_template("messaging/confirm_consent.html", account=account, text=text, form=form)
    if not form.validate_on_submit() or tokens.consume(token, CONSENT_PURPOSE) is None:
        return render_template("messaging/confirm_consent.html", invalid=True), 410
    actor = public_actor(account.id)
    consent.set_consent(actor, customer, "email", "granted", "double_opt_in", text)
    db.session.commit()
    return render_template("messaging/confirm_consent.html", account=account, text=text, done=True)


# --- from the customer file -------------------------------------------------------------------


@bp.route("/customers/<int:customer_id>/consent", methods=["POST"])
@requires(Permission.CUSTOMER_EDIT)
def record_consent(customer_id: int):
    customer = get_owned_or_404(Customer, customer_id, current_user.account_id)
    confirm = pin_form()
    channel, status, method = (
        request.form.get("channel"),
        request.form.get("status"),
        request.form.get("method", "oral"),
    )
    if not FlaskForm().validate_on_submit():
        abort(400)
    actor = acting(confirm)
    if actor is None:
        flash(_("Please confirm with your PIN."), "error")
        return redirect(url_for("customers.detail", customer_id=customer.id, tab="messages"))
    account = db.session.get(Account, customer.account_id)
    try:
        changed = consent.set_consent(
            actor,
            customer,
            channel,
            status,
            method if method in ("oral", "signed_form") else "oral",
            consent.current_text(account.id, channel, account.name) if status == "granted" else None,
        )
    except ValueError:
        db.session.rollback()
        flash(_("Please choose a channel and whether the customer agrees."), "error")
        return redirect(url_for("customers.detail", customer_id=customer.id, tab="messages"))
    db.session.commit()
    flash(_("Consent recorded.") if changed else _("Nothing changed."), "success" if changed else "info")
    return redirect(url_for("customers.detail", customer_id=customer.id, tab="messages"))


@bp.route("/customers/<int:customer_id>/message-options", methods=["POST"])
@requires(Permission.CUSTOMER_EDIT)
def message_options(customer_id: int):
    """Staff only: opt out of reminders, record a guardian's consent for a minor."""
    customer = get_owned_or_404(Customer, customer_id, current_user.account_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    changes = service.save_options(
        request_actor(), customer, request.form.get("reminders_off") == "y", request.form.get("guardian_consent") == "y"
    )
    db.session.commit()
    flash(_("Saved.") if changes else _("Nothing changed."), "success" if changes else "info")
    return redirect(url_for("customers.detail", customer_id=customer.id, tab="messages"))
