"""Customer-facing pages of a salon's booking profile (no login)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_wtf import FlaskForm
from limits import parse

from portal.auth.decorators import public
from portal.auth.lockout import ip_key
from portal.models import Account, Location
from portal.models.privacy import RequestsMode
from portal.privacy.notice import build_notice
from portal.privacy.settings_service import settings_for
from portal.public import service
from portal.rate_limits import attempts
from portal.requests import access
from portal.requests import service as requests
from portal.requests.forms import PublicRequestForm
from portal.requests.labels import TEMPLATE_LABELS as REQUEST_LABELS
from portal.web.actor import public_actor
from portal.web.templating import blueprint_labels

bp = Blueprint("public", __name__)
blueprint_labels(bp, REQUEST_LABELS)


def _account_or_404(slug: str) -> Account:
    account = service.salon(slug)
    if account is None:
        abort(404)
    return account


def _location_or_404(slug: str, location_id: int) -> tuple[Account, Location]:
    account = _account_or_404(slug)
    location = service.location_of(account, location_id)
    if location is None:
        abort(404)
    return account, location


@bp.route("/b/<slug>/privacy")
@public
def privacy_index(slug: str):
    account = _account_or_404(slug)
    locations = account.locations
    if len(locations) == 1:
        return redirect(url_for("public.privacy_notice", slug=slug, location_id=locations[0].id))
    return render_template("public/privacy_index.html", account=account, locations=locations)


@bp.route("/b/<slug>/<int:location_id>/privacy")
@public
def privacy_notice(slug: str, location_id: int):
    account, location = _location_or_404(slug, location_id)
    notice = build_notice(location)
    if not notice.published:
        return render_template("public/notice_unpublished.html", account=account), 404
    return render_template("public/privacy_notice.html", notice=notice)


REQUEST_LIMIT = "5 per hour"


@bp.route("/b/<slug>/<int:location_id>/requests", methods=["GET", "POST"])
@public
def privacy_request(slug: str, location_id: int):
    """The customer's own privacy request. The answer is the same whether the email is known."""
    account, location = _location_or_404(slug, location_id)
    form = PublicRequestForm()
    status, throttled = 200, False
    if request.method == "POST":
        item = parse(current_app.config.get("PUBLIC_REQUEST_LIMIT", REQUEST_LIMIT))
        ip = request.remote_addr or ""
        if not attempts.hit(item, "privacy-request", ip_key(ip)):  # every attempt from this IP
            status, throttled = 429, True  # the form again, with what was typed
        elif form.validate_on_submit():
            requests.create_online_request(
                location, form.kind.data, form.email.data.lower(), (form.message.data or "").strip(), str(get_locale())
            )
            return render_template("public/request_sent.html", account=account, location=location)
        else:
            status = 422
    self_service = settings_for(location).requests_mode == RequestsMode.SELF_SERVICE
    return render_template(
        "public/request_form.html",
        account=account,
        location=location,
        form=form,
        self_service=self_service,
        throttled=throttled,
    ), status


@bp.route("/r/confirm/<token>", methods=["GET", "POST"])
@public
def confirm_request(token: str):
    # GET only shows (mail scanners prefetch links); POST confirms.
    privacy_request = requests.request_for_link(token)
    if privacy_request is None:
        return render_template("public/link_invalid.html"), 410
    account = service.account_of(privacy_request.account_id)
    if request.method == "GET":
        return render_template(
            "public/confirm_request.html", privacy_request=privacy_request, account=account, form=FlaskForm()
        )
    try:
        confirmed = requests.confirm_online_request(token, public_actor(account.id))
    except requests.RequestError:
        return render_template("public/link_invalid.html"), 410
    return render_template("public/request_confirmed.html", privacy_request=confirmed, account=account)


@bp.route("/r/package/<token>", methods=["GET", "POST"])
@public
def download_package(token: str):
    account = access.package_account(token)
    if account is None:
        return render_template("public/link_invalid.html"), 410
    if request.method == "GET":
        return render_template("public/download_package.html", form=FlaskForm(), account=account)
    package = access.take_package(token, public_actor(account.id))
    if package is None:
        return render_template("public/link_invalid.html"), 410
    content, filename = package
    return Response(
        content,
        mimetype="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )
