"""The acting login of the current request, as the explicit Actor that services take."""

from __future__ import annotations

import uuid

from flask import Flask, g, request
from flask_login import current_user

from portal.audit import Actor


def init_request_ids(app: Flask) -> None:
    @app.before_request
    def assign_request_id():
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if incoming.isalnum() and len(incoming) <= 32 else uuid.uuid4().hex

    @app.after_request
    def expose_request_id(response):
        response.headers.setdefault("X-Request-ID", g.get("request_id", ""))
        return response


def request_actor(employee_id: int | None = None, login=None) -> Actor:
    login = login or current_user
    return Actor(
        account_id=login.account_id,
        login_id=login.id,
        employee_id=employee_id,
        ip=request.remote_addr or "",
        request_id=g.get("request_id", ""),
        user_agent=(request.user_agent.string or "")[:300],
    )


def public_actor(account_id: int) -> Actor:
    """The salon's customer acting without a login (email links, public pages)."""
    return Actor(
        account_id=account_id,
        login_id=None,
        ip=request.remote_addr or "",
        request_id=g.get("request_id", ""),
        user_agent=(request.user_agent.string or "")[:300],
    )
