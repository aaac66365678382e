"""Signing through the portal's own pages: the hand-over with a PIN, the tablet's POST with
strokes as the signature pad sends them."""

from __future__ import annotations

import json

from sqlalchemy import select

from portal.extensions import db
from portal.models import FormKind, FormVersion, SalonForm, TabletSession
from tests import factories

# Two strokes of a quick signature, in the pad's CSS pixels (pad 600 x 220).
STROKES = [
    [[30, 150], [60, 90], [90, 140], [120, 80], [150, 150], [190, 100], [230, 140]],
    [[260, 120], [300, 90], [340, 130], [380, 95], [420, 125]],
]
PAD = {"pad_width": "600", "pad_height": "220"}


def intake_form(salon) -> SalonForm:
    return db.session.scalars(
        select(SalonForm).where(SalonForm.account_id == salon.account.id, SalonForm.kind == FormKind.INTAKE)
    ).one()


def hand_over(client, salon, form_id: int, customer_id=None, appointment_id=None, pin=None, locale="en"):
    return client.post(
        "/tablet/start",
        data={
            "form_id": form_id,
            "customer_id": customer_id or "",
            "appointment_id": appointment_id or "",
            "locale": locale,
            "employee_id": salon.employee.id,
            "pin": pin or factories.PIN,
        },
    )


def open_tablet() -> TabletSession:
    return db.session.scalars(select(TabletSession).order_by(TabletSession.id.desc())).first()


def sign_data(version_id: int, answers: dict, consents=(), strokes=STROKES) -> dict:
    data = {"version_id": str(version_id), "signature": json.dumps(strokes), **PAD}
    data.update({f"field_{key}": value for key, value in answers.items()})
    data["consent"] = list(consents)
    return data


def current_version_id(form_id: int) -> int:
    form = db.session.get(SalonForm, form_id)
    return db.session.scalars(
        select(FormVersion.id).where(FormVersion.form_id == form_id, FormVersion.number == form.version)
    ).one()


def sign_on_tablet(
    client, salon, form_id: int, customer_id: int | None, answers: dict, consents=(), appointment_id=None
):
    """Hand over, sign, take back: the whole visit at the tablet."""
    assert hand_over(client, salon, form_id, customer_id, appointment_id).status_code == 302
    version_id = open_tablet().version_id
    response = client.post("/tablet/sign", data=sign_data(version_id, answers, consents))
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    back = client.post("/tablet/take-back", data={"employee_id": salon.employee.id, "pin": factories.PIN})
    assert back.status_code == 302
    db.session.expire_all()
    return open_tablet().document_id


def signed_by_service(salon, customer_id: int, answers: dict | None = None, consents=("health",)) -> int:
    """A signed intake form built through the services (hand-over with the PIN, then signing),
    for tests that need a document but not the pages."""
    from portal.audit import Actor
    from portal.models import Customer
    from portal.signed_forms.signing import Submission, sign
    from portal.signed_forms.tablet import hand_over as start

    form = intake_form(salon)
    customer = db.session.get(Customer, customer_id)
    tablet = start(
        Actor(salon.account.id, salon.staff.id), form, customer, None, salon.employee.id, factories.PIN, "de"
    )
    answers = answers or {"first_name": customer.first_name, "last_name": customer.last_name, "allergies": "Nickel"}
    data = sign_data(tablet.version_id, answers, consents)
    submission = Submission(
        form_data=data,
        ticked=set(consents),
        signature=data["signature"],
        pad_width=600,
        pad_height=220,
        version_id=tablet.version_id,
        ip="192.0.2.10",
    )
    return sign(tablet, submission).id
