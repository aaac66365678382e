"""Customer file (Kundenakte): list with live search, detail tabs, create and edit."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.auth.decorators import requires
from portal.auth.permissions import Permission, has_permission
from portal.bonus import service as bonus
from portal.customers import service
from portal.customers.forms import FieldDefinitionForm, customer_form_class, fill_custom
from portal.extensions import db
from portal.history.queries import customer_history
from portal.messaging.consent import consent_status, record_prompt_answers
from portal.messaging.forms import NewCustomerConsentForm
from portal.models import (
    Appointment,
    ConsentLog,
    Customer,
    CustomerFieldDefinition,
    Invoice,
    Location,
    Message,
    PrivacyRequest,
    Voucher,
)
from portal.requests.forms import StaffRequestForm
from portal.retention.views import HoldForm, active_holds
from portal.tenancy import get_owned_or_404, scoped
from portal.validation import format_phone
from portal.web.actor import request_actor
from portal.web.converters import id_arg
from portal.web.htmx import is_fragment_request, page_or_fragment
from portal.web.pin import acting, pin_form

bp = Blueprint("customers", __name__)

TABS = ("data", "appointments", "invoices", "vouchers", "messages", "privacy", "history")


def _search_page(query: str, after_id: int | None, include_restricted: bool = False):
    return service.search_customers(
        current_user.account_id, query, after_id, current_app.config["CUSTOMER_PAGE_SIZE"], include_restricted
    )


@bp.route("/customers")
@requires(Permission.CUSTOMER_VIEW)
def index():
    page = _search_page("", None)
    return render_template("customers/index.html", page=page, query="")


@bp.route("/customers/search", methods=["POST"])
@requires(Permission.CUSTOMER_VIEW, reads_only=True)
def search():
    # POST keeps the search term (a name, a phone number) out of URLs and access logs.
    query = request.form.get("q", "")[:200]
    after_id = request.form.get("after", type=id_arg)
    page = _search_page(query, after_id, include_restricted=bool(request.form.get("restricted")))
    template = "customers/_more_rows.html" if after_id else "customers/_results.html"
    return render_template(template, page=page, query=query, restricted=bool(request.form.get("restricted")))


def _form_for(customer: Customer | None):
    definitions = service.active_field_definitions(current_user.account_id)
    form_class = customer_form_class(definitions, current_user.account.today())
    if request.method == "POST":
        return form_class(), definitions
    form = form_class(obj=customer)
    if customer is not None:
        form.phone.data = format_phone(customer.phone)
        fill_custom(form, service.custom_values(customer), definitions)
    return form, definitions


@bp.route("/customers/new", methods=["GET", "POST"])
@requires(Permission.CUSTOMER_EDIT)
def create():
    form, _definitions = _form_for(None)
    prompt = NewCustomerConsentForm(prefix="prompt")
    confirm = pin_form()
    if form.validate_on_submit() and prompt.validate() and (actor := acting(confirm)):
        customer = service.create_customer(actor, form.standard_data(), form.custom_data())
        record_prompt_answers(actor, customer, prompt)
        db.session.commit()
        flash(_("Customer %(name)s created.", name=customer.full_name), "success")
        return redirect(url_for("customers.detail", customer_id=customer.id))
    status = 422 if request.method == "POST" else 200
    return render_template("customers/new.html", form=form, pin_form=confirm, prompt=prompt), status


def _detail_context(customer: Customer, tab: str) -> dict:
    context = {"customer": customer, "tab": tab, "tabs": _visible_tabs()}
    account_id = current_user.account_id
    if tab == "data":
        form, definitions = _form_for(customer)
        context.update(form=form, definitions=definitions, pin_form=pin_form())
    elif tab == "appointments":
        context["appointments"] = db.session.scalars(
            scoped(Appointment, account_id)
            .where(Appointment.customer_id == customer.id)
            .order_by(Appointment.starts_at.desc())
            .limit(200)
        ).all()
    elif tab == "invoices":
        context["invoices"] = db.session.scalars(
            scoped(Invoice, account_id)
            .where(Invoice.customer_id == customer.id)
            .order_by(Invoice.issued_at.desc())
            .limit(200)
        ).all()
    elif tab == "history":
        context["history"] = customer_history(
            account_id,
            customer.id,
            request.args.get("before", type=id_arg),
            include_access=has_permission(current_user, Permission.ACCESS_LOG_VIEW),
        )
    elif tab == "messages":
        context["messages"] = db.session.scalars(
            scoped(Message, account_id)
            .where(Message.customer_id == customer.id)
            .order_by(Message.created_at.desc())
            .limit(200)
        ).all()
        context["consents"] = consent_status(customer.id)
        context["consent_log"] = db.session.scalars(
            scoped(ConsentLog, account_id)
            .where(ConsentLog.customer_id == customer.id)
            .order_by(ConsentLog.occurred_at.desc())
        ).all()
        context["pin_form"] = pin_form()
    elif tab == "privacy":
        context["requests"] = db.session.scalars(
            scoped(PrivacyRequest, account_id)
            .where(PrivacyRequest.customer_id == customer.id)
            .order_by(PrivacyRequest.created_at.desc())
        ).all()
        form = StaffRequestForm(formdata=None)
        form.location_id.choices = [(loc.id, loc.name) for loc in db.session.scalars(scoped(Location, account_id))]
        context["request_form"] = form
        context["holds"] = active_holds(customer)
        context["hold_form"] = HoldForm(formdata=None)
    elif tab == "vouchers":
        context["vouchers"] = db.session.scalars(
            scoped(Voucher, account_id).where(Voucher.customer_id == customer.id).order_by(Voucher.issued_at.desc())
        ).all()
        context["stamp_cards"] = bonus.cards(customer.id)
        context["programs"] = bonus.programs(account_id, active_only=True)
        context["pin_form"] = pin_form()
    return context


TAB_PERMISSIONS = {"invoices": Permission.INVOICE_VIEW, "history": Permission.CUSTOMER_HISTORY}


def _visible_tabs() -> list[str]:
    return [t for t in TABS if t not in TAB_PERMISSIONS or has_permission(current_user, TAB_PERMISSIONS[t])]


@bp.route("/customers/<int:customer_id>", defaults={"tab": "data"})
@bp.route("/customers/<int:customer_id>/<tab>")
@requires(Permission.CUSTOMER_VIEW)
def detail(customer_id: int, tab: str):
    customer = get_owned_or_404(Customer, customer_id, current_user.account_id)
    if tab not in _visible_tabs():
        abort(404)
    if tab != "history" or not request.args.get("before"):  # paging the history is not a new look
        service.record_view(request_actor(), customer, tab)
        db.session.commit()
    return page_or_fragment("customers/detail.html", f"customers/_tab_{tab}.html", **_detail_context(customer, tab))


@bp.route("/customers/<int:customer_id>", methods=["POST"])
@requires(Permission.CUSTOMER_EDIT)
def update(customer_id: int):
    customer = get_owned_or_404(Customer, customer_id, current_user.account_id)
    form, definitions = _form_for(customer)
    confirm = pin_form()
    context = {
        "customer": customer,
        "tab": "data",
        "tabs": _visible_tabs(),
        "form": form,
        "definitions": definitions,
        "pin_form": confirm,
    }
    if not form.validate_on_submit() or not (actor := acting(confirm)):
        # 200 with the errors shown in place (htmx 2 swaps no 4xx by default).
        db.session.rollback()
        return page_or_fragment(
            "customers/detail.html", "customers/_tab_data.html", status=200 if is_fragment_request() else 422, **context
        )
    changes = service.update_customer(actor, customer, form.standard_data(), form.custom_data())
    db.session.commit()
    form.phone.data = format_phone(customer.phone)
    context["saved"] = bool(changes)
    context["unchanged"] = not changes
    return page_or_fragment("customers/detail.html", "customers/_tab_data.html", **context)


# --- Settings > Customer fields -------------------------------------------------------------


@bp.route("/settings/customer-fields", methods=["GET", "POST"])
@requires(Permission.SETTINGS_MANAGE)
def fields():
    form = FieldDefinitionForm()
    status = 200
    if form.validate_on_submit():
        definition = service.add_field_definition(
            request_actor(), form.label.data, form.field_type.data, form.choice_list()
        )
        db.session.commit()
        flash(_("Customer field %(label)s added.", label=definition.label), "success")
        return redirect(url_for("customers.fields"))
    if request.method == "POST":
        status = 422
    definitions = db.session.scalars(
        scoped(CustomerFieldDefinition, current_user.account_id).order_by(CustomerFieldDefinition.position)
    ).all()
    return render_template("customers/fields.html", form=form, definitions=definitions), status


@bp.route("/settings/customer-fields/<int:field_id>/toggle", methods=["POST"])
@requires(Permission.SETTINGS_MANAGE)
def toggle_field(field_id: int):
    definition = get_owned_or_404(CustomerFieldDefinition, field_id, current_user.account_id)
    service.set_field_active(request_actor(), definition, not definition.active)
    db.session.commit()
    return redirect(url_for("customers.fields"))
