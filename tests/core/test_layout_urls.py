"""The layout's links (navigation, stylesheet, scripts) are built once per process and script
root: a portal served under a path prefix links under that prefix, and one at the root does
not, whichever was asked first."""

from __future__ import annotations

import re


def _links(client, base_url: str) -> set[str]:
    page = client.get("/overview", base_url=base_url).get_data(as_text=True)
    return set(re.findall(r'(?:href|src|action)="([^"]+)"', page))


def test_layout_links_follow_the_script_root(salon, login_as):
    owner = login_as(salon.owner)
    under_prefix = _links(owner, "http://localhost/praxis")
    at_root = _links(owner, "http://localhost/")
    for links, prefix in ((under_prefix, "/praxis/"), (at_root, "/")):
        assert {f"{prefix}customers", f"{prefix}privacy/requests", f"{prefix}static/css/app.css"} <= links
    assert not any(link.startswith("/praxis") for link in at_root)
    assert "/praxis/language" in under_prefix and "/language" in at_root
