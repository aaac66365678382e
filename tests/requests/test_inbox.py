"""The inbox names the customer, finds a request by number, name or email (by POST: no name in
a URL), and the navigation shows how many requests wait."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from portal.audit import Actor
from portal.extensions import db
from portal.models import Customer, PrivacyRequest
from portal.requests import inbox
from portal.requests.service import record_staff_request, start
from tests import factories


def _record(owner, salon, customer_id, kind="access"):
    owner.post(
        f"/customers/{customer_id}/privacy-requests",
        data={"kind": kind, "channel": "phone", "location_id": salon.location.id, "note": ""},
    )
    return db.session.scalars(select(PrivacyRequest.id).order_by(PrivacyRequest.id.desc())).first()


def test_inbox_names_customers_searches_and_counts_open_requests(salon, login_as):
    greta = factories.make_customer(salon.account, "Sommer", "Greta", email="greta@example.com")
    paul = factories.make_customer(salon.account, "Winter", "Paul")
    owner = login_as(salon.owner)
    first = _record(owner, salon, greta)
    second = _record(owner, salon, paul, kind="correction")
    page = owner.get("/privacy/requests", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Greta Sommer" in page and "Paul Winter" in page and f"K-{greta}" not in page
    badge = re.search(r'Privacy requests <span class="count"[^>]*>(\d+)</span>', page)
    assert badge and badge.group(1) == "2"

    def found(query):
        html = owner.post("/privacy/requests/search", data={"q": query}).get_data(as_text=True)
        return {int(n) for n in re.findall(r"/privacy/requests/(\d+)\"", html)}

    assert found("sommer") == {first}
    assert found("greta sommer") == {first}
    assert found(f"#{second}") == {second}
    assert found("greta@example.com") == {first}
    assert found("niemand") == set()
    # The staff, who may not open the inbox, see no badge and cannot search.
    staff = login_as(salon.staff)
    assert 'class="count"' not in staff.get("/overview").get_data(as_text=True)
    assert staff.post("/privacy/requests/search", data={"q": "sommer"}).status_code == 403


def test_open_requests_of_both_states_page_by_due_date_most_urgent_first(salon, monkeypatch):
    """Each open state's most urgent requests come through the index and are merged: the pages
    hold every open request once, by due date, whichever state it is in."""
    monkeypatch.setattr(inbox, "PAGE_SIZE", 4)
    actor = Actor(salon.account.id, salon.owner.id)
    customer = db.session.get(Customer, factories.make_customer(salon.account, "Sommer", "Greta"))
    received = {}
    for n in range(11):
        with factories.travel_to(datetime(2026, 1, 1, 10, tzinfo=UTC) + timedelta(days=3 * n)):
            request = record_staff_request(actor, customer, "access", "phone", "", salon.location.id)
            db.session.commit()
            if n % 3:  # two in three are being worked on
                start(actor, request)
        received[request.id] = request.due_on
    expected = sorted(received, key=lambda rid: (received[rid], rid))
    assert len({r.status for r in db.session.scalars(select(PrivacyRequest))}) == 2
    seen, after = [], None
    while True:
        page = inbox.inbox_page(salon.account.id, None, "open", after)
        seen += [r.id for r in page.requests]
        if not page.next_after:
            break
        after = page.next_after
    assert seen == expected
    assert [r.id for r in inbox.inbox_page(salon.account.id, "correction", "open", None).requests] == []
