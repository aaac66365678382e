"""htmx helpers: one template serves as page and as fragment."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

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


def safe_redirect_target(target: str | None, fallback: str | None = None) -> str:
    """`target` when it is a path on this site, else `fallback` (the dashboard). Only a path
    starting with exactly one "/" — no "//" or "/\\" (browsers read both as another host), no
    backslash or control character anywhere (browsers drop tabs and line breaks: "/\t/x" is "//x"), also after percent-decoding, no scheme or
    host. Used for the login's `next`, the language switch and every redirect and HX-Redirect."""
    fallback = fallback or url_for("dashboard.home")
    if not target or not target.startswith("/"):
        return fallback
    for form in {target, unquote(target), unquote(unquote(target))}:
        if form.startswith(("//", "/\\")) or "\\" in form or any(ord(c) < 0x20 or ord(c) == 0x7F for c in form):
            return fallback
        parts = urlsplit(form)
        if parts.scheme or parts.netloc:
            return fallback
    return target


def redirect_to(location: str):
    """Redirect that also works when the request came from htmx (which follows no 302 into a page)."""
    location = safe_redirect_target(location)
    if htmx:
        response = make_response("", 204)
        response.headers["HX-Redirect"] = location
        return response
    return redirect(location)


def login_required_response():
    target = url_for("auth.login", next=request.full_path if request.method == "GET" else None)
    if htmx:
        response = make_response("", 401)
        response.headers["HX-Redirect"] = safe_redirect_target(target)
        return response
    return redirect(target)
