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
from portal.requests.service import record_staff_request, reject, start
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


def _pages(account_id, kind, view):
    seen, after = [], None
    while True:
        page = inbox.inbox_page(account_id, kind, view, after)
        seen += [r.id for r in page.requests]
        if not page.next_after:
            return seen
        after = page.next_after


def test_a_kind_pages_by_due_date_across_states_and_closed_requests_newest_first(salon, monkeypatch):
    """Filtered by kind, open requests of both states page most urgent first; rejected ones page
    newest due date first; each request shows up once, in its own view only."""
    monkeypatch.setattr(inbox, "PAGE_SIZE", 3)
    actor = Actor(salon.account.id, salon.owner.id)
    customer = db.session.get(Customer, factories.make_customer(salon.account, "Sommer", "Greta"))
    due, states = {}, {}
    for n in range(14):
        kind = "access" if n % 2 else "objection"
        # Received out of order: the due dates do not follow the numbers.
        with factories.travel_to(datetime(2026, 3, 1, 10, tzinfo=UTC) + timedelta(days=(5 * n) % 14 * 2)):
            request = record_staff_request(actor, customer, kind, "phone", "", salon.location.id)
            db.session.commit()
            if n % 3 == 1:
                start(actor, request)
            elif n % 3 == 2:
                reject(actor, request, "Die Identität ließ sich nicht bestätigen.")
            db.session.commit()
        due[request.id], states[request.id] = (request.due_on, request.id), (kind, request.status)

    def expected(kind, statuses, newest_first=False):
        ids = [rid for rid, (k, status) in states.items() if k == kind and status in statuses]
        return sorted(ids, key=due.get, reverse=newest_first)

    for kind in ("access", "objection"):
        open_ids = expected(kind, ("new", "in_progress"))
        assert {states[rid][1] for rid in open_ids} == {"new", "in_progress"}
        assert _pages(salon.account.id, kind, "open") == open_ids
        assert _pages(salon.account.id, kind, "rejected") == expected(kind, ("rejected",), newest_first=True)
    assert _pages(salon.account.id, None, "rejected") == sorted(
        [rid for rid, (_k, status) in states.items() if status == "rejected"], key=due.get, reverse=True
    )


def test_the_badge_counts_no_further_than_it_shows(salon, login_as, monkeypatch):
    """Above its limit the badge says "99+" (here "2+") with a sentence for the title: every page
    counts it, and the count stops there however many requests wait."""
    from portal.web import templating

    monkeypatch.setattr(templating, "NAV_BADGE_LIMIT", 2)
    owner = login_as(salon.owner)
    greta = factories.make_customer(salon.account, "Sommer", "Greta", email="greta@example.com")

    def badge():
        page = owner.get("/overview").get_data(as_text=True)
        found = re.search(r'<span class="count" title="([^"]+)">([^<]+)</span>', page)
        return found and found.groups()

    _record(owner, salon, greta)
    _record(owner, salon, greta, kind="correction")
    assert badge() == ("2 open", "2")
    _record(owner, salon, greta, kind="objection")
    assert badge() == ("More than 2 open", "2+")
    owner.post("/language", data={"locale": "de", "next": "/overview"})
    assert badge() == ("Mehr als 2 offen", "2+")
    assert inbox.open_count(salon.account.id, 2) == 3 and inbox.open_count(salon.account.id, 5) == 3


def test_the_badge_is_counted_for_pages_with_the_navigation_only(salon, login_as, monkeypatch):
    """An htmx fragment (a search, a next page) renders without the layout: it counts no badge."""
    from portal.web import templating

    counted = []
    count = templating.NAV_BADGES["requests.index"]
    monkeypatch.setitem(
        templating.NAV_BADGES, "requests.index", lambda account_id, limit: counted.append(1) or count(account_id, limit)
    )
    owner = login_as(salon.owner)
    assert "Privacy requests" in owner.get("/customers").get_data(as_text=True)
    assert len(counted) == 1
    fragment = owner.post("/customers/search", data={"q": "so"}, headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "<nav" not in fragment.get_data(as_text=True)
    assert len(counted) == 1


def test_the_tabs_count_open_requests_by_kind_no_further_than_they_show(salon, login_as, monkeypatch):
    """As the badge: a tab says "99+" (here "2+") above its limit, and each kind is counted no
    further, however many requests wait; below it the count is exact."""
    from portal.web import templating

    monkeypatch.setattr(templating, "NAV_BADGE_LIMIT", 2)
    monkeypatch.setattr(inbox, "COUNT_LIMIT", 2)
    owner = login_as(salon.owner)
    greta = factories.make_customer(salon.account, "Sommer", "Greta")
    for kind in ("access", "access", "access", "correction"):
        _record(owner, salon, greta, kind=kind)
    owner.post(f"/privacy/requests/{_record(owner, salon, greta, kind='objection')}/reject", data={"reason": "Doppelt"})

    page = owner.get("/privacy/requests", headers={"Accept-Language": "en"}).get_data(as_text=True)
    tabs = page[page.index('<nav class="tabs"') : page.index("</nav>", page.index('<nav class="tabs"'))]
    counts = dict(re.findall(r">\s*([A-Z][a-z]+)[^<]*(?:<span class=\"count\"[^>]*>([^<]+)</span>)?</a>", tabs))
    assert counts["All"] == "2+" and counts["Access"] == "2+" and counts["Correction"] == "1"
    assert counts.get("Objection") == ""  # rejected: not open, no count
    assert 'title="More than 2 open"' in tabs
    assert inbox.inbox_page(salon.account.id, None, "open", None).counts == {"access": 3, "correction": 1}


def test_the_inbox_hands_its_own_count_to_the_badge_and_it_is_not_counted_again(salon, login_as, monkeypatch):
    """The inbox counts its tabs (all open requests by kind) anyway; the navigation's badge on
    that page is their sum, not a second count, and says what the count on any other page says."""
    from portal.web import templating

    monkeypatch.setattr(templating, "NAV_BADGE_LIMIT", 2)
    monkeypatch.setattr(inbox, "COUNT_LIMIT", 2)
    counted = []
    count = templating.NAV_BADGES["requests.index"]
    monkeypatch.setitem(templating.NAV_BADGES, "requests.index", lambda *args: counted.append(args) or count(*args))
    owner = login_as(salon.owner)
    greta = factories.make_customer(salon.account, "Sommer", "Greta")

    def badge(path: str) -> str:
        page = owner.get(path, headers={"Accept-Language": "en"}).get_data(as_text=True)
        return re.search(r'href="/privacy/requests"[^>]*>[^<]*<span class="count"[^>]*>([^<]+)</span>', page)[1]

    _record(owner, salon, greta, kind="access")
    _record(owner, salon, greta, kind="correction")
    assert badge("/privacy/requests") == badge("/privacy/requests?view=done") == "2"
    assert counted == []
    assert badge("/customers") == "2" and len(counted) == 1
    _record(owner, salon, greta, kind="access")
    assert badge("/privacy/requests") == badge("/customers") == "2+"
    assert len(counted) == 2
