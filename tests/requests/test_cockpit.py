"""The privacy cockpit on the overview: open requests by kind with the nearest due date and the
overdue ones, requests per month as a chart, consent per channel, what is missing."""

from __future__ import annotations

import re
from datetime import timedelta

from portal.models.base import utcnow
from tests import factories


def test_the_cockpit_shows_what_waits_and_how_it_goes(salon, login_as):
    greta = factories.make_customer(salon.account, "Sommer", "Greta", email="greta@example.com")
    owner = login_as(salon.owner)
    with factories.travel_to(utcnow() - timedelta(days=70)):  # received 70 days ago: overdue now
        owner.post(
            f"/customers/{greta}/privacy-requests",
            data={"kind": "access", "channel": "phone", "location_id": salon.location.id, "note": ""},
        )
    owner.post(
        f"/customers/{greta}/privacy-requests",
        data={"kind": "access", "channel": "phone", "location_id": salon.location.id, "note": ""},
    )
    page = owner.get("/overview", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Privacy at a glance" in page
    row = re.search(r'<tr class="overdue">(.*?)</tr>', page, re.S).group(1)
    assert "Access" in row and ">2<" in row and "1 overdue" in row
    assert page.count('<rect x="') == 12  # a bar per month
    assert "0 of 1 customers (0 %)" in page  # email consent: nobody yet
    assert "The privacy notice is not published" in page  # the setup checklist

    # Read-only for the accountant; not for the staff at the front desk.
    assert "Privacy at a glance" in login_as(salon.accountant).get(
        "/overview", headers={"Accept-Language": "en"}
    ).get_data(as_text=True)
    assert "Privacy at a glance" not in login_as(salon.staff).get(
        "/overview", headers={"Accept-Language": "en"}
    ).get_data(as_text=True)


def test_the_cockpit_counts_each_kind_no_further_than_it_shows(salon, login_as, monkeypatch):
    """As the navigation's badge and the inbox's tabs: "99+" (here "2+") above the limit, for
    the open ones and the overdue ones, counted no further however many wait; the nearest due
    date over both open states; below the limit the counts are exact."""
    from portal.dashboard.cockpit import open_requests
    from portal.web import templating

    monkeypatch.setattr(templating, "NAV_BADGE_LIMIT", 2)
    greta = factories.make_customer(salon.account, "Sommer", "Greta", email="greta@example.com")
    owner = login_as(salon.owner)

    def record(kind: str) -> None:
        owner.post(
            f"/customers/{greta}/privacy-requests",
            data={"kind": kind, "channel": "phone", "location_id": salon.location.id, "note": ""},
        )

    with factories.travel_to(utcnow() - timedelta(days=70)):  # overdue now
        for _ in range(4):
            record("access")
    record("access")
    record("correction")
    page = owner.get("/overview", headers={"Accept-Language": "en"}).get_data(as_text=True)
    access = re.search(r'<tr class="overdue">(.*?)</tr>', page, re.S).group(1)
    assert '<span title="More than 2 open">2+</span>' in access and "more than 2 overdue" in access
    correction = next(row for row in re.findall(r"<tr>(.*?)</tr>", page, re.S) if "Correction" in row)
    assert ">1<" in correction and "overdue" not in correction
    owner.post("/language", data={"locale": "de", "next": "/overview"})
    german = owner.get("/overview").get_data(as_text=True)
    assert "mehr als 2 überfällig" in german and 'title="Mehr als 2 offen"' in german

    waiting = open_requests(salon.account)
    assert [(item.kind, item.count, item.overdue) for item in waiting] == [("access", 3, 3), ("correction", 1, 0)]
    assert waiting[0].next_due < waiting[1].next_due
