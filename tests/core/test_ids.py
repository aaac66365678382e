"""Impossible ids and path segments are 404s (or "not given"), never a database error: every
route with an id, the public pages, the keyset cursors and the ids inside forms."""

from __future__ import annotations

import pytest

from tests import factories

HUGE = ("2147483648", "9223372036854775808", "99999999999999999999")


def test_every_route_with_an_id_is_404_for_an_id_beyond_the_column(app, salon, login_as):
    owner = login_as(salon.owner)
    tried = 0
    for rule in app.url_map.iter_rules():
        if "<int:" not in rule.rule and not any(a.endswith("_id") for a in rule.arguments):
            continue
        if rule.endpoint == "static":
            continue
        for huge in HUGE:
            path = rule.rule
            for argument in rule.arguments:
                path = path.replace(f"<int:{argument}>", huge).replace(f"<{argument}>", "x")
            method = "GET" if "GET" in rule.methods else "POST"
            response = owner.open(path, method=method)
            assert response.status_code == 404, (rule.rule, huge, response.status_code)
            tried += 1
    assert tried >= 60


@pytest.mark.parametrize(
    "path",
    [
        "/b/{slug}/99999999999999999999/privacy",
        "/b/{slug}/99999999999999999999/requests",
        "/b/{slug}%00/privacy",
        "/b/%00/privacy",
        "/r/confirm/%00abc",
    ],
)
def test_public_pages_are_404_for_impossible_values(salon, client, path):
    assert client.get(path.format(slug=salon.account.slug)).status_code in (404, 410)


@pytest.mark.parametrize("query", ["after=99999999999999999999", "after=-1", "after=abc"])
def test_keyset_cursors_beyond_any_id_are_ignored(salon, login_as, query):
    owner = login_as(salon.owner)
    factories.make_customer(salon.account, "Erste")
    assert owner.get(f"/privacy/requests?{query}").status_code == 200
    assert owner.post("/customers/search", data={"q": "Erste", "after": query.split("=")[1]}).status_code == 200
    assert owner.get(f"/vouchers/new?customer={query.split('=')[1]}").status_code == 200
