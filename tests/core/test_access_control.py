"""Access control cannot be forgotten: every endpoint declares it, the accountant changes
nothing, and another salon's ids are 404."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.accountability.breaches import record_breach
from portal.accountability.evidence import request_pack
from portal.accountability.processing import save_own
from portal.accountability.processors import save as save_processor
from portal.audit import Actor
from portal.auth.decorators import declared_access
from portal.extensions import db
from portal.models import (
    Account,
    Appointment,
    Breach,
    BreachNotice,
    ConsentLog,
    Customer,
    CustomerFieldDefinition,
    CustomerFieldValue,
    EmailToken,
    Employee,
    ErasureSystemCheck,
    EvidencePack,
    FormVersion,
    Login,
    LoginHistoryExport,
    OutboundEmail,
    PrivacyRequest,
    Processor,
    RecordEntry,
    RecordVersion,
    SalonForm,
    SignedDocument,
    StoredFile,
    TabletSession,
)
from portal.models.base import utcnow
from tests import factories
from tests.signed_forms.helpers import signed_by_service


def test_every_endpoint_declares_permission_or_public(app):
    undeclared = [
        rule.endpoint for rule in app.url_map.iter_rules() if declared_access(app.view_functions[rule.endpoint]) is None
    ]
    assert undeclared == []


def test_undeclared_endpoint_is_refused(redis_url, smtp_sink):
    # Deny by default: a view someone forgot to decorate never runs.
    from portal import create_app
    from tests.conftest import app_config

    fresh = create_app(app_config(redis_url, smtp_sink))
    fresh.add_url_rule("/__undeclared", "undeclared_probe", lambda: "secret")
    response = fresh.test_client().get("/__undeclared")
    assert response.status_code == 403
    assert b"secret" not in response.data


def _all_rules(app):
    return [r for r in app.url_map.iter_rules() if r.endpoint != "static"]


def _fill(rule, ids):
    values = {}
    for arg in rule.arguments:
        if arg == "tab":
            values[arg] = "appointments"  # "data" is the canonical URL without the tab
        elif arg == "token":
            values[arg] = "x"
        elif arg == "outcome":
            values[arg] = "cleaned"
        else:
            values[arg] = ids.get(arg, 1)
    return rule.build(values)[1]


def _counts():
    models = (
        Account,
        Login,
        Employee,
        Customer,
        CustomerFieldDefinition,
        CustomerFieldValue,
        Appointment,
        EmailToken,
        OutboundEmail,
        LoginHistoryExport,
        PrivacyRequest,
    )
    return {m.__name__: db.session.scalar(select(func.count()).select_from(m)) for m in models}


def _snapshot():
    # Row counts and the content of every row a write could touch, fresh from the database.
    db.session.expire_all()
    rows = {}
    for model in (
        Customer,
        Login,
        Employee,
        CustomerFieldDefinition,
        Appointment,
        Account,
        PrivacyRequest,
        Processor,
        ErasureSystemCheck,
        StoredFile,
        Breach,
        BreachNotice,
        RecordEntry,
        RecordVersion,
        EvidencePack,
        SalonForm,
        FormVersion,
        SignedDocument,
        TabletSession,
        ConsentLog,
    ):
        rows[model.__name__] = sorted(
            tuple(str(getattr(obj, column.key)) for column in model.__table__.columns)
            for obj in db.session.scalars(select(model))
        )
    return _counts(), rows


def _ids_of_salon_records(salon, customer_name: str, login) -> dict[str, int]:
    """One record of each kind a route can take an id of, in this salon."""
    customer_id = factories.make_customer(salon.account, customer_name, email=f"{customer_name.lower()}@example.com")
    definition = CustomerFieldDefinition(account_id=salon.account.id, key="k", label="Farbe")
    db.session.add(definition)
    start = utcnow() + timedelta(days=3)
    appointment = Appointment(
        account_id=salon.account.id,
        location_id=salon.location.id,
        customer_id=customer_id,
        starts_at=start,
        ends_at=start + timedelta(minutes=30),
    )
    db.session.add(appointment)
    privacy_request = PrivacyRequest(
        account_id=salon.account.id,
        location_id=salon.location.id,
        customer_id=customer_id,
        kind="erasure",
        status="new",
    )
    db.session.add(privacy_request)
    owner = Actor(salon.account.id, salon.owner.id)
    processor = save_processor(
        owner, None, {"name": "Newsletter-Tool", "service": "Newsletter", "region": "eu"}, salon.account.today()
    )
    breach = record_breach(
        Actor(salon.account.id, salon.owner.id),
        {
            "occurred_at": utcnow() - timedelta(days=1),
            "aware_at": utcnow(),
            "description": "Geheim: Tablet verloren",
            "data_categories": "Namen",
            "people_affected": 3,
            "records_affected": None,
            "consequences": "",
            "measures": "",
        },
    )
    entry = save_own(
        Actor(salon.account.id, salon.owner.id),
        None,
        {"name": "Geheim: Papierbuch", "purpose": "Termine", "legal_basis": "Art. 6 Abs. 1 lit. b DSGVO"},
    )
    pack = request_pack(Actor(salon.account.id, salon.owner.id))
    db.session.commit()
    document = db.session.get(SignedDocument, signed_by_service(salon, customer_id))
    return {
        "form_id": document.form_id,
        "version_id": document.version_id,
        "document_id": document.id,
        "breach_id": breach.id,
        "entry_id": entry.id,
        "pack_id": pack.id,
        "processor_id": processor.id,
        "customer_id": customer_id,
        "login_id": login.id,
        "employee_id": salon.employee.id,
        "field_id": definition.id,
        "appointment_id": appointment.id,
        "location_id": salon.location.id,
        "request_id": privacy_request.id,
    }


def test_accountant_cannot_change_anything(app, salon, login_as):
    ids = _ids_of_salon_records(salon, "Muster", salon.owner)
    client = login_as(salon.accountant)
    before = _snapshot()
    refused = []
    for rule in _all_rules(app):
        for method in sorted((rule.methods or set()) - {"GET", "HEAD", "OPTIONS"}):
            if rule.endpoint in {
                "auth.logout",
                "auth.set_language",
                "auth.profile",
                "customers.search",
                "exports.download",
                "two_factor.setup",
                "two_factor.confirm",
                "two_factor.recovery_codes",
                "two_factor.disable",
            }:
                continue  # own session, preferences and second factor, a read-only search, one's own export download
            if declared_access(app.view_functions[rule.endpoint]) == "public":
                continue  # the customers' own pages: no login is involved at all
            url = _fill(rule, ids)
            response = client.open(
                url,
                method=method,
                data={
                    "last_name": "Changed",
                    "email": "x@example.com",
                    "role": "owner",
                    "active": "y",
                    "name": "Changed",
                    "pin": "999999",
                    "label": "Changed",
                    "field_type": "text",
                    "location_id": "0",
                    "day": "2030-01-01",
                    "start": "10:00",
                    "duration_minutes": "30",
                    "pin_required": "y",
                },
            )
            assert response.status_code == 403, (rule.endpoint, response.status_code)
            refused.append(rule.endpoint)
    db.session.expire_all()
    assert _snapshot() == before
    assert {
        "customers.update",
        "customers.create",
        "team.invite",
        "team.update_login",
        "team.create_employee",
        "customers.fields",
        "appointments.create",
        "appointments.edit",
        "appointments.cancel",
        "settings.account",
        "history.export_logins",
        "privacy.save",
        "requests.complete",
        "requests.reject",
        "requests.record",
        "requests.merge",
        "requests.tick_system",
        "processors.create",
        "processors.save",
        "processors.upload_dpa",
        "processors.delete",
        "breaches.create",
        "breaches.update",
        "breaches.notified",
        "breaches.no_notification",
        "breaches.decide_people",
        "breaches.send_notice",
        "processing.save_note",
        "processing.create_own",
        "processing.update_own",
        "processing.delete_own",
        "evidence.build",
        "forms.new",
        "forms.edit",
        "forms.set_active",
        "tablet.start",
        "tablet.sign_form",
        "tablet.idle",
        "tablet.take_back",
        "documents.withdraw_health",
        "documents.check_in",
    } <= set(refused)


def test_accountant_may_read_and_search(salon, login_as):
    customer_id = factories.make_customer(salon.account, "Schmidt")
    client = login_as(salon.accountant)
    assert client.get(f"/customers/{customer_id}/invoices").status_code == 200
    response = client.post("/customers/search", data={"q": "schmi"})
    assert response.status_code == 200
    assert "Schmidt" in response.get_data(as_text=True)


def test_staff_has_no_settings_or_team(salon, login_as):
    client = login_as(salon.staff)
    assert client.get("/customers").status_code == 200
    assert client.get("/settings/team/").status_code == 403
    assert client.get("/settings/customer-fields").status_code == 403
    assert client.get("/cash-book").status_code == 403
    assert client.get("/settings/bonus-programs").status_code == 403
    # The till is daily business: staff see the invoices they hand out.
    assert client.get(f"/customers/{factories.make_customer(salon.account)}/invoices").status_code == 200


def test_tenant_isolation_every_route_with_an_id(app, salon, other_salon, login_as):
    """A login of salon B asking for salon A's ids gets 404 on every route that takes one."""
    ids = _ids_of_salon_records(salon, "Geheim", salon.staff)
    client = login_as(other_salon.owner)
    before = _snapshot()
    checked = 0
    for rule in _all_rules(app):
        id_args = [a for a in rule.arguments if a.endswith("_id")]
        if not id_args:
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            tabs = ["appointments", "invoices", "vouchers", "history"] if "tab" in rule.arguments else [None]
            for tab in tabs:
                url = _fill(rule, ids)
                if tab:
                    url = re.sub(r"/appointments$", f"/{tab}", url)
                response = client.open(
                    url, method=method, data={"last_name": "X", "role": "staff", "name": "X", "location_id": "0"}
                )
                assert response.status_code == 404, (rule.endpoint, method, url, response.status_code)
                assert b"Geheim" not in response.data
                checked += 1
    assert checked >= 8
    db.session.expire_all()
    assert _snapshot() == before


@pytest.mark.parametrize("path", ["/customers", "/overview", "/settings/team/"])
def test_anonymous_is_sent_to_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_htmx_request_without_login_gets_hx_redirect(client):
    response = client.post("/customers/search", data={"q": "a"}, headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/login")
    assert b"<form" not in response.data
