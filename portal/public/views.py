"""Customer-facing pages of a salon's booking profile (no login)."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, url_for
from sqlalchemy import select

from portal.auth.decorators import public
from portal.extensions import db
from portal.models import Account, Location
from portal.privacy.notice import build_notice

bp = Blueprint("public", __name__, url_prefix="/b")


def _account_or_404(slug: str) -> Account:
    account = db.session.scalars(select(Account).where(Account.slug == slug)).one_or_none()
    if account is None:
        abort(404)
    return account


@bp.route("/<slug>/privacy")
@public
def privacy_index(slug: str):
    account = _account_or_404(slug)
    locations = account.locations
    if len(locations) == 1:
        return redirect(url_for("public.privacy_notice", slug=slug, location_id=locations[0].id))
    return render_template("public/privacy_index.html", account=account, locations=locations)


@bp.route("/<slug>/<int:location_id>/privacy")
@public
def privacy_notice(slug: str, location_id: int):
    account = _account_or_404(slug)
    location = db.session.get(Location, location_id)
    if location is None or location.account_id != account.id:
        abort(404)
    notice = build_notice(location)
    db.session.commit()  # default settings are created on the first look
    return render_template("public/privacy_notice.html", notice=notice)
