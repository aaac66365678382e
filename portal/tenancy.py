"""Tenant scoping in one place: every customer-data query goes through these helpers."""

from __future__ import annotations

from functools import cache
from typing import TypeVar

from flask import abort
from sqlalchemy import Select, bindparam, select

from portal.extensions import db
from portal.web.converters import LARGEST_ID

T = TypeVar("T")


def scoped(model: type[T], account_id: int) -> Select:
    """SELECT model rows of one account only."""
    return select(model).where(model.account_id == account_id)


def get_owned(model: type[T], obj_id, account_id: int) -> T | None:
    try:
        obj_id = int(obj_id)
    except (TypeError, ValueError):
        return None
    if not 0 < obj_id <= LARGEST_ID:  # no row has it, and the database would refuse to look
        return None
    return db.session.scalars(_owned(model), {"id": obj_id, "account_id": account_id}).one_or_none()


@cache
def _owned(model: type) -> Select:
    """One row of one account, by number: built once per model (pages look rows up this way on
    every request, and building the select cost more than running it)."""
    return select(model).where(model.id == bindparam("id"), model.account_id == bindparam("account_id"))


def get_owned_or_404(model: type[T], obj_id, account_id: int) -> T:
    """Another salon's id is a 404, never data."""
    obj = get_owned(model, obj_id, account_id)
    if obj is None:
        abort(404)
    return obj
