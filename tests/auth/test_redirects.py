"""One check for every redirect target: only paths of this site, on the normal and the htmx
path (HX-Redirect, which the browser resolves itself), for the login's `next` and the
language switch."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import pytest
from flask import url_for

from portal.web.htmx import safe_redirect_target
from tests import factories

HOSTILE = [
    "//evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/%2F/evil.example",
    "/%5Cevil.example",
    "/%252F%252Fevil.example",
    "https://evil.example/",
    "http:evil.example",
    "javascript:alert(1)",
    "evil.example",
    " /customers",
    "/%09/evil.example",
    "///evil.example",
    "",
]
SAFE = ["/customers", "/customers?q=M%C3%BCller%20Anna", "/privacy/requests?view=open#top"]


@pytest.mark.parametrize("target", HOSTILE)
def test_hostile_targets_fall_back_to_the_dashboard(app, target):
    with app.test_request_context():
        assert safe_redirect_target(target) == url_for("dashboard.home")


@pytest.mark.parametrize("target", SAFE)
def test_paths_of_this_site_are_kept(app, target):
    with app.test_request_context():
        assert safe_redirect_target(target) == target


def _where_a_browser_goes(location: str) -> str:
    """A browser drops tabs and line breaks and reads a backslash as a slash (WHATWG URL)."""
    cleaned = re.sub("[\t\n\r]", "", location).replace("\\", "/")
    return urlsplit(urljoin("https://portal.test/here", cleaned)).netloc


@pytest.mark.parametrize("target", HOSTILE + SAFE)
@pytest.mark.parametrize("htmx", [False, True])
def test_login_next_and_language_switch_never_leave_the_site(app, salon, target, htmx):
    headers = {"HX-Request": "true"} if htmx else {}
    client = app.test_client()
    login = client.post(
        "/login", data={"email": salon.owner.email, "password": factories.PASSWORD, "next": target}, headers=headers
    )
    language = client.post("/language", data={"locale": "en", "next": target}, headers=headers)
    for response in (login, language):
        location = response.headers.get("HX-Redirect" if htmx else "Location")
        assert _where_a_browser_goes(location) == "portal.test", (target, htmx, location)
        if target in SAFE:
            assert location == target
