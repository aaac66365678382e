"""Every view declares @requires(Permission.X) or @public; an undeclared endpoint is refused."""

from __future__ import annotations

from functools import wraps

from flask import abort, request
from flask_login import current_user

from portal.auth.permissions import Permission, Role, has_permission

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def public(view):
    view.access = "public"
    return view


def requires(permission: Permission, reads_only: bool = False):
    """Guard a view. `reads_only=True` declares a POST that changes nothing (a search that
    keeps the search term out of URLs and logs), so the read-only accountant may use it."""

    def decorate(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            if not current_user.is_authenticated:
                from portal.web.htmx import login_required_response

                return login_required_response()
            # Defence in depth: a read-only login never changes data, whatever a view declares.
            if (
                current_user.role == Role.ACCOUNTANT
                and request.method not in SAFE_METHODS
                and permission is not Permission.SELF
                and not reads_only
            ):
                abort(403)
            if not has_permission(current_user, permission):
                abort(403)
            return view(*args, **kwargs)

        guarded.access = permission
        return guarded

    return decorate


def declared_access(view) -> object | None:
    return getattr(view, "access", None)
