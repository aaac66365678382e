"""What the till tests share: a salon with a service catalogue, and the checkout form's fields."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Invoice


def invoice_count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Invoice))


def line(
    n: int,
    kind: str = "service",
    service_id: int = 0,
    description: str = "",
    price: str = "",
    quantity: int = 1,
    vat: int = 190,
) -> dict:
    return {
        f"lines-{n}-kind": kind,
        f"lines-{n}-service_id": service_id,
        f"lines-{n}-description": description,
        f"lines-{n}-price": price,
        f"lines-{n}-quantity": quantity,
        f"lines-{n}-vat_rate": vat,
    }


def sale_form(salon, *lines: dict, key: str = "form-1", **extra) -> dict:
    data = {
        "key": key,
        "location_id": salon.location.id,
        "discount_percent": 0,
        "method": "cash",
        "voucher_code": "",
        "voucher_amount": "",
    }
    for entry in lines:
        data.update(entry)
    return {**data, **extra}
