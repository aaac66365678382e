"""Customer file (Kundenakte): list with live search, detail tabs, create and edit."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.auth.decorators import requires
from portal.auth.permissions import Permission, has_permission
from portal.checkout.labels import TEMPLATE_LABELS as CHECKOUT_LABELS
from portal.customers import service
from portal.customers.forms import FieldDefinitionForm, customer_form_class, fill_custom
from portal.customers.tabs import tab_data
from portal.history.display import TEMPLATE_LABELS as HISTORY_LABELS
from portal.messaging.forms import NewCustomerConsentForm
from portal.messaging.labels import TEMPLATE_LABELS as MESSAGING_LABELS
from portal.models import Customer, CustomerFieldDefinition
from portal.requests.forms import StaffRequestForm
from portal.requests.labels import TEMPLATE_LABELS as REQUEST_LABELS
from portal.retention.forms import HoldForm
from portal.signed_forms.designer import intake_form
from portal.signed_forms.forms import hand_over_form
from portal.tenancy import get_owned_or_404
from portal.validation import format_phone
from portal.vouchers.service import TEMPLATE_HELPERS as VOUCHER_HELPERS
from portal.web.actor import request_actor
from portal.web.converters import id_arg
from portal.web.htmx import is_fragment_request, page_or_fragment
from portal.web.pin import acting, pin_form
from portal.web.templating import blueprint_labels

bp = Blueprint("customers", __name__)
blueprint_labels(bp, REQUEST_LABELS, MESSAGING_LABELS, CHECKOUT_LABELS, VOUCHER_HELPERS, HISTORY_LABELS)

TABS = ("data", "appointments", "invoices", "vouchers", "messages", "forms", "privacy", "history")
TAB_PERMISSIONS = {
    "invoices": Permission.INVOICE_VIEW,
    "history": Permission.CUSTOMER_HISTORY,
    "messages": Permission.CUSTOMER_DETAILS,  # consents: not for the accountant
    "forms": Permission.CUSTOMER_DETAILS,  # signed forms: answers, signatures
}


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
        answers = {"email": prompt.consent_email.data, "sms": prompt.consent_sms.data}
        customer = service.register_customer(actor, form.standard_data(), form.custom_data(), answers)
        flash(_("Customer %(name)s created.", name=customer.full_name), "success")
        return redirect(url_for("customers.detail", customer_id=customer.id))
    status = 422 if request.method == "POST" else 200
    intake = intake_form(current_user.account_id)
    hand_over = hand_over_form(current_user.account_id, None, None, [intake]) if intake else None
    return render_template(
        "customers/new.html", form=form, pin_form=confirm, prompt=prompt, hand_over=hand_over
    ), status


def _tab_forms(customer: Customer, tab: str, data: dict) -> dict:
    """The forms a tab shows beside its records."""
    if tab == "data":
        form, definitions = _form_for(customer)
        return {"form": form, "definitions": definitions, "pin_form": pin_form()}
    if tab in ("messages", "vouchers"):
        return {"pin_form": pin_form()}
    if tab == "forms":
        return {"hand_over": hand_over_form(customer.account_id, customer, None, data["offered"])}
    if tab == "privacy":
        request_form = StaffRequestForm(formdata=None)
        request_form.location_id.choices = [(loc.id, loc.name) for loc in data["locations"]]
        return {"request_form": request_form, "hold_form": HoldForm(formdata=None)}
    return {}


def _visible_tabs() -> list[str]:
    return [t for t in TABS if t not in TAB_PERMISSIONS or has_permission(current_user, TAB_PERMISSIONS[t])]


@bp.route("/customers/<int:customer_id>", defaults={"tab": "data"})
@bp.route("/customers/<int:customer_id>/<tab>")
@requires(Permission.CUSTOMER_VIEW)
def detail(customer_id: int, tab: str):
    customer = get_owned_or_404(Customer, customer_id, current_user.account_id)
    if tab not in _visible_tabs():
        abort(404)
    before = request.args.get("before", type=id_arg)
    if tab != "history" or not before:  # paging the history is not a new look
        service.record_view(request_actor(), customer, tab)
    data = tab_data(
        customer, tab, history_before=before, include_access=has_permission(current_user, Permission.ACCESS_LOG_VIEW)
    )
    return page_or_fragment(
        "customers/detail.html",
        f"customers/_tab_{tab}.html",
        customer=customer,
        tab=tab,
        tabs=_visible_tabs(),
        **data,
        **_tab_forms(customer, tab, data),
    )


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
        return page_or_fragment(
            "customers/detail.html", "customers/_tab_data.html", status=200 if is_fragment_request() else 422, **context
        )
    changes = service.update_customer(actor, customer, form.standard_data(), form.custom_data())
    form.phone.data = format_phone(customer.phone)
    context["saved"] = bool(changes)
    context["unchanged"] = not changes
    return page_or_fragment("customers/detail.html", "customers/_tab_data.html", **context)


# --- Settings > Customer fields -------------------------------------------------------------


@bp.route("/settings/customer-fields", methods=["GET", "POST"])
@requires(Permission.SETTINGS_MANAGE)
def fields():
    form = FieldDefinitionForm()
    if form.validate_on_submit():
        definition = service.add_field_definition(
            request_actor(), form.label.data, form.field_type.data, form.choice_list()
        )
        flash(_("Customer field %(label)s added.", label=definition.label), "success")
        return redirect(url_for("customers.fields"))
    status = 422 if request.method == "POST" else 200
    definitions = service.field_definitions(current_user.account_id)
    return render_template("customers/fields.html", form=form, definitions=definitions), status


@bp.route("/settings/customer-fields/<int:field_id>/toggle", methods=["POST"])
@requires(Permission.SETTINGS_MANAGE)
def toggle_field(field_id: int):
    definition = get_owned_or_404(CustomerFieldDefinition, field_id, current_user.account_id)
    service.set_field_active(request_actor(), definition, not definition.active)
    return redirect(url_for("customers.fields"))
