"""Settings > Privacy: the overview, and the privacy settings of each location, saved section
by section with htmx."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_login import current_user

from portal.auth.decorators import requires
from portal.auth.permissions import Permission
from portal.customers.service import field_definitions
from portal.models import Account, Location
from portal.privacy import settings_service as service
from portal.privacy.forms import LOCATION_FORMS, RetentionForm, TradeSecretsForm
from portal.tenancy import get_owned_or_404
from portal.web.actor import request_actor
from portal.web.htmx import is_fragment_request

bp = Blueprint("privacy", __name__, url_prefix="/settings/privacy")

SECTIONS = (
    "requests",
    "marketing",
    "notification",
    "controller",
    "dpo",
    "extensions",
    "trade_secrets",
    "retention",
)


def _forms(location: Location, account: Account) -> dict:
    """Every section's form, filled from what is stored."""
    settings = service.settings_for(location)
    forms = {name: form_class(formdata=None, obj=settings) for name, form_class in LOCATION_FORMS.items()}
    forms["retention"] = RetentionForm(
        formdata=None,
        retention_months=account.retention_months or 0,
        marketing_window_months=account.marketing_window_months,
    )
    return forms


def _section_response(location, account, section, forms, saved=None, error=None, status=200, **extra):
    context = dict(
        **extra,
        location=location,
        account=account,
        section=section,
        forms=forms,
        saved=saved,
        error=error,
        fields=field_definitions(account.id),
        retention_summary=service.retention_summary(account),
    )
    if is_fragment_request():
        return render_template("privacy/_section.html", **context), 200
    if status == 200:
        return redirect(url_for("privacy.location", location_id=location.id, _anchor=f"section-{section}"))
    context.update(sections=SECTIONS)
    return render_template("privacy/location.html", **context), status


@bp.route("/")
@requires(Permission.PRIVACY_SETTINGS_VIEW)
def overview():
    account = current_user.account
    return render_template("privacy/overview.html", account=account, **service.overview_page(account))


@bp.route("/locations/<int:location_id>")
@requires(Permission.PRIVACY_SETTINGS_VIEW)
def location(location_id: int):
    loc = get_owned_or_404(Location, location_id, current_user.account_id)
    account = current_user.account
    forms = _forms(loc, account)
    return render_template(
        "privacy/location.html",
        location=loc,
        account=account,
        forms=forms,
        sections=SECTIONS,
        fields=field_definitions(account.id),
        retention_summary=service.retention_summary(account),
        section=None,
        saved=None,
        error=None,
    )


@bp.route("/locations/<int:location_id>/<section>", methods=["POST"])
@requires(Permission.PRIVACY_SETTINGS_EDIT)
def save(location_id: int, section: str):
    loc = get_owned_or_404(Location, location_id, current_user.account_id)
    if section not in SECTIONS:
        abort(404)
    account = current_user.account
    forms = _forms(loc, account)
    actor = request_actor()
    if section in LOCATION_FORMS:
        form = forms[section] = LOCATION_FORMS[section]()
        if not form.validate():
            return _section_response(loc, account, section, forms, status=422)
        changed = service.save_location_section(actor, loc, section, form.values())
    elif section == "retention":
        form = forms[section] = RetentionForm()
        if not form.validate():
            return _section_response(loc, account, section, forms, status=422)
        pending = service.forgetting_to_confirm(account, form.retention_months.data or None)
        if pending and form.confirm.data != str(pending["due"]):
            # Irreversible from tonight: the owner sees how many, and saves again to confirm.
            return _section_response(loc, account, section, forms, status=409, confirm_forgetting=pending)
        changed = service.save_retention(
            actor, account, form.retention_months.data or None, form.marketing_window_months.data
        )
    else:  # trade_secrets
        form = TradeSecretsForm()
        try:
            changed = service.save_trade_secrets(actor, account.id, form.field_ids())
        except (ValueError, service.SettingsError):
            return _section_response(loc, account, section, _forms(loc, account), error="unknown-field", status=422)
    return _section_response(loc, account, section, _forms(loc, account), saved=bool(changed))
