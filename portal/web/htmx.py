"""htmx helpers: one template serves as page and as fragment."""

from __future__ import annotations

from flask import make_response, redirect, render_template, request, url_for

from portal.extensions import htmx


def is_fragment_request() -> bool:
    """An htmx swap, but not a history restore (that one wants the whole page)."""
    return bool(htmx) and not htmx.history_restore_request


def page_or_fragment(page: str, fragment: str, /, status: int = 200, **context):
    """Full page for a normal request, the fragment alone for an htmx swap."""
    template = fragment if is_fragment_request() else page
    response = make_response(render_template(template, **context), status)
    response.vary.add("HX-Request")
    return response


def redirect_to(location: str):
    """Redirect that also works when the request came from htmx (which follows no 302 into a page)."""
    if htmx:
        response = make_response("", 204)
        response.headers["HX-Redirect"] = location
        return response
    return redirect(location)


def invalid_form(template: str, **context):
    """htmx 2 does not swap 4xx; 422 plus HX-Reswap makes it show the form with its errors."""
    response = make_response(render_template(template, **context), 422)
    if htmx:
        response.headers["HX-Reswap"] = "outerHTML"
    return response


def login_required_response():
    target = url_for("auth.login", next=request.full_path if request.method == "GET" else None)
    if htmx:
        response = make_response("", 401)
        response.headers["HX-Redirect"] = target
        return response
    return redirect(target)
