"""Settings > Privacy requests: the inbox, one request with its timeline and actions, staff-
recorded requests from the customer file, and the retained records of erased customers."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.auth.decorators import requires
from portal.auth.permissions import Permission
from portal.customers.duplicates import merge_customers
from portal.history.display import TEMPLATE_LABELS as HISTORY_LABELS
from portal.models import Customer, PrivacyRequest
from portal.requests import reads, recipients, service
from portal.requests.forms import (
    ExtendForm,
    InboxSearchForm,
    LinkForm,
    MergeForm,
    RejectForm,
    StaffRequestForm,
    TickForm,
)
from portal.requests.inbox import inbox_page, open_count
from portal.requests.inbox import search as inbox_search
from portal.requests.labels import TEMPLATE_LABELS as REQUEST_LABELS
from portal.tenancy import get_owned, get_owned_or_404
from portal.vouchers.service import TEMPLATE_HELPERS as VOUCHER_HELPERS
from portal.web.actor import request_actor
from portal.web.confirm import ConfirmErasureForm, ConfirmForm
from portal.web.converters import id_arg
from portal.web.htmx import page_or_fragment
from portal.web.templating import badge_already_counted, blueprint_labels, format_day, register_nav_badge

bp = Blueprint("requests", __name__)
blueprint_labels(bp, REQUEST_LABELS, HISTORY_LABELS, VOUCHER_HELPERS)
register_nav_badge("requests.index", open_count)
bp.add_app_template_filter(REQUEST_LABELS["due_badge"], "due_badge")  # an inbox row's: a direct call

ERRORS = {
    "already-handled": lambda: _("This request was already handled. Nothing was changed."),
    "reason-required": lambda: _("Please give a reason."),
    "extension-too-long": lambda: _("The deadline can be extended by two further months at most."),
    "extension-too-late": lambda: _("An extension must be given within the first month."),
    "no-customer": lambda: _("Link the request to a customer first."),
    "blocked": lambda: _("The erasure is blocked. Resolve the points listed first."),
}

TICK_ERRORS = {
    "already": lambda: _("This system was already ticked off. Nothing was changed."),
    "outcome": lambda: _("Please choose whether the system was cleaned or skipped."),
    "reason": lambda: _("Please give the reason for skipping this system. Nothing was changed."),
    "reason-long": lambda: _("Please keep the reason under 500 characters. Nothing was changed."),
}


def _today():
    return current_user.account.today()


@bp.route("/privacy/requests")
@requires(Permission.PRIVACY_REQUESTS)
def index():
    kind = request.args.get("kind") or None
    view = request.args.get("view", "open")
    page = inbox_page(current_user.account_id, kind, view, request.args.get("after", type=id_arg))
    badge_already_counted("requests.index", sum(page.counts.values()))  # all kinds' open ones
    return page_or_fragment(
        "requests/index.html",
        "requests/_rows.html",
        page=page,
        kind=kind,
        view=view,
        today=_today(),
        fragment_rows=bool(request.args.get("after")),
    )


@bp.route("/privacy/requests/search", methods=["POST"])
@requires(Permission.PRIVACY_REQUESTS, reads_only=True)
def search():
    # POST keeps the search term (a name, an email) out of URLs and access logs.
    form = InboxSearchForm()
    page = inbox_search(current_user.account_id, (form.q.data or "")[:200]) if form.validate_on_submit() else None
    return render_template("requests/_search_results.html", page=page, today=_today(), query=form.q.data or "")


def _detail_context(privacy_request: PrivacyRequest, **extra) -> dict:
    context = dict(
        r=privacy_request,
        today=_today(),
        account=current_user.account,
        extend_form=ExtendForm(formdata=None),
        reject_form=RejectForm(formdata=None),
        link_form=LinkForm(formdata=None),
        **reads.detail_page(privacy_request),
    )
    context.update(extra)
    return context


@bp.route("/privacy/requests/<int:request_id>")
@requires(Permission.PRIVACY_REQUESTS)
def detail(request_id: int):
    privacy_request = get_owned_or_404(PrivacyRequest, request_id, current_user.account_id)
    return render_template("requests/detail.html", **_detail_context(privacy_request))


@bp.route("/privacy/requests/<int:request_id>/package")
@requires(Permission.PRIVACY_REQUESTS)
def package_progress(request_id: int):
    """Polled while the data package is built; 286 tells htmx to stop once it is mailed."""
    privacy_request = get_owned_or_404(PrivacyRequest, request_id, current_user.account_id)
    package = reads.package_progress(privacy_request)
    if package is None:
        abort(404)
    html = render_template("requests/_package_progress.html", r=privacy_request, package=package)
    return html, 200 if package.building else 286


def _act(request_id: int, action):
    """Run one action on a request; errors become a message and nothing changes."""
    privacy_request = get_owned_or_404(PrivacyRequest, request_id, current_user.account_id)
    try:
        message = action(privacy_request, request_actor())
    except service.RequestError as error:
        flash(ERRORS.get(error.code, ERRORS["already-handled"])(), "error")
        return redirect(url_for("requests.detail", request_id=request_id))
    if message:
        flash(message, "success")
    return redirect(url_for("requests.detail", request_id=request_id))


@bp.route("/privacy/requests/<int:request_id>/start", methods=["POST"])
@requires(Permission.PRIVACY_REQUESTS)
def start(request_id: int):
    return _act(request_id, lambda r, actor: service.start(actor, r) or _("Marked as in progress."))


@bp.route("/privacy/requests/<int:request_id>/extend", methods=["POST"])
@requires(Permission.PRIVACY_REQUESTS)
def extend(request_id: int):
    form = ExtendForm()
    if not form.validate():
        privacy_request = get_owned_or_404(PrivacyRequest, request_id, current_user.account_id)
        return render_template("requests/detail.html", **_detail_context(privacy_request, extend_form=form)), 422
    return _act(
        request_id,
        lambda r, actor: (
            service.extend(actor, r, form.months.data, form.reason.data, _today())
            or _("Deadline extended; the customer is told why.")
        ),
    )


@bp.route("/privacy/requests/<int:request_id>/reject", methods=["POST"])
@requires(Permission.PRIVACY_REQUESTS)
def reject(request_id: int):
    form = RejectForm()
    if not form.validate():
        privacy_request = get_owned_or_404(PrivacyRequest, request_id, current_user.account_id)
        return render_template("requests/detail.html", **_detail_context(privacy_request, reject_form=form)), 422
    return _act(request_id, lambda r, actor: service.reject(actor, r, form.reason.data) or _("Request rejected."))


def _erasure_not_confirmed(privacy_request: PrivacyRequest) -> str | None:
    """The erasure is irreversible: the customer's name typed, and no unresolved duplicate."""
    customer, duplicates = reads.erasure_target(privacy_request)
    form = ConfirmErasureForm()
    if customer is not None and not form.confirms(customer.full_name):
        return _("Please type the customer's name to confirm the erasure. Nothing was erased.")
    if duplicates and not form.other_people.data:
        return _("Merge the likely duplicates first, or confirm that they are other people. Nothing was erased.")
    return None


@bp.route("/privacy/requests/<int:request_id>/complete", methods=["POST"])
@requires(Permission.PRIVACY_REQUESTS)
def complete(request_id: int):
    privacy_request = get_owned_or_404(PrivacyRequest, request_id, current_user.account_id)
    if privacy_request.kind == "erasure" and (refusal := _erasure_not_confirmed(privacy_request)):
        flash(refusal, "error")
        return redirect(url_for("requests.detail", request_id=request_id))

    def action(r, actor):
        service.complete(actor, r)
        if r.kind in ("access", "portability"):
            return _("The data package is being built; the customer receives the link by email.")
        if r.is_open:  # erased, the other systems still to tick off (Art. 19)
            return _("The customer is erased. Tick off the other systems below to close the request.")
        return _("Request done.")

    return _act(request_id, action)


@bp.route("/privacy/requests/<int:request_id>/systems/<int:processor_id>/<outcome>", methods=["POST"])
@requires(Permission.PRIVACY_REQUESTS)
def tick_system(request_id: int, processor_id: int, outcome: str):
    privacy_request = get_owned_or_404(PrivacyRequest, request_id, current_user.account_id)
    form = TickForm()
    if outcome not in recipients.OUTCOMES:
        abort(404)
    if not form.validate_on_submit():
        if not form.reason.errors:  # the CSRF token
            abort(400)
        flash(TICK_ERRORS["reason-long"](), "error")
        return redirect(url_for("requests.detail", request_id=request_id, _anchor="systems"))
    try:
        closed = service.tick_system(request_actor(), privacy_request, processor_id, outcome, form.reason.data or "")
    except recipients.TickError as error:
        if error.code == "unknown":
            abort(404)
        flash(TICK_ERRORS[error.code](), "error")
    except service.RequestError as error:
        flash(ERRORS.get(error.code, ERRORS["already-handled"])(), "error")
    else:
        flash(_("Request done.") if closed else _("Ticked off."), "success")
    return redirect(url_for("requests.detail", request_id=request_id, _anchor="systems"))


@bp.route("/privacy/requests/<int:request_id>/link", methods=["POST"])
@requires(Permission.PRIVACY_REQUESTS)
def link(request_id: int):
    get_owned_or_404(PrivacyRequest, request_id, current_user.account_id)
    form = LinkForm()
    customer = get_owned(Customer, form.customer_id.data, current_user.account_id) if form.validate() else None
    if customer is None:
        flash(_("There is no customer with this number in your salon."), "error")
        return redirect(url_for("requests.detail", request_id=request_id))
    return _act(request_id, lambda r, actor: service.link_customer(actor, r, customer) or _("Customer linked."))


@bp.route("/privacy/requests/<int:request_id>/merge", methods=["POST"])
@requires(Permission.PRIVACY_REQUESTS)
def merge(request_id: int):
    """Merge a duplicate into the request's customer before the erasure."""
    get_owned_or_404(PrivacyRequest, request_id, current_user.account_id)
    form = MergeForm()

    def action(r, actor):
        keep = get_owned_or_404(Customer, r.customer_id, current_user.account_id) if r.customer_id else abort(404)
        merge_customers(actor, keep, other)
        return _("Duplicate merged into this customer.")

    if not form.validate():
        abort(400)
    other = get_owned_or_404(Customer, form.other_id.data, current_user.account_id)
    if not ConfirmForm().confirms(other.full_name):  # merging deletes the other record
        flash(_("Please type the name of the customer to merge to confirm. Nothing was merged."), "error")
        return redirect(url_for("requests.detail", request_id=request_id))
    return _act(request_id, action)


# --- from the customer file ------------------------------------------------------------------


@bp.route("/customers/<int:customer_id>/privacy-requests", methods=["POST"])
@requires(Permission.CUSTOMER_EDIT)
def record(customer_id: int):
    customer = get_owned_or_404(Customer, customer_id, current_user.account_id)
    form = StaffRequestForm()
    form.location_id.choices = reads.locations(current_user.account_id)
    if not form.validate_on_submit():
        flash(_("Please choose the kind of request, how it was received and the location."), "error")
        return redirect(url_for("customers.detail", customer_id=customer.id, tab="privacy"))
    privacy_request = service.record_staff_request(
        request_actor(),
        customer,
        form.kind.data,
        form.channel.data,
        (form.note.data or "").strip(),
        form.location_id.data,
    )
    flash(_("Request recorded. Due on %(date)s.", date=format_day(privacy_request.due_on)), "success")
    return redirect(url_for("customers.detail", customer_id=customer.id, tab="privacy"))


@bp.route("/customers/<int:customer_id>/lift-restriction", methods=["POST"])
@requires(Permission.PRIVACY_REQUESTS)
def lift_restriction(customer_id: int):
    customer = get_owned_or_404(Customer, customer_id, current_user.account_id)
    service.lift_restriction(request_actor(), customer)
    flash(_("The restriction is lifted."), "success")
    return redirect(url_for("customers.detail", customer_id=customer.id))


@bp.route("/privacy/retained")
@requires(Permission.RETAINED_RECORDS_VIEW)
def retained():
    return render_template("requests/retained.html", invoices=reads.retained_invoices(current_user.account_id))
