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
