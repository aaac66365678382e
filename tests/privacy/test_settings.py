"""Privacy settings per location: each section saves, validates and writes one readable
settings-history event; the public notice shows exactly what is set."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Account, CustomerFieldDefinition, Location, PrivacySettings
from tests import factories
from tests.history.helpers import events

VALID = {
    "requests": ({"requests_mode": "manual"}, {"requests_mode": {"old": "self_service", "new": "manual"}}),
    "marketing": ({"marketing_enabled": "y"}, {"marketing_enabled": {"old": False, "new": True}}),
    "notification": (
        {"notification_email": "Datenschutz@Salon-A.de"},
        {"notification_email": {"old": "", "new": "datenschutz@salon-a.de"}},
    ),
    "dpo": (
        {"dpo_name": "Dr. Dora Daten", "dpo_email": "dsb@example.com", "dpo_phone": "030 1234567"},
        {
            "dpo_name": {"old": "", "new": "Dr. Dora Daten"},
            "dpo_email": {"old": "", "new": "dsb@example.com"},
            "dpo_phone": {"old": "", "new": "+49301234567"},
        },
    ),
    "extensions": (
        {"extensions": "## Fotos\n\nNur mit **Erlaubnis**."},
        {"extensions": {"old": "", "new": "## Fotos\n\nNur mit **Erlaubnis**."}},
    ),
    "retention": (
        {"retention_months": "36", "marketing_window_months": "24"},
        {"retention_months": {"old": None, "new": 36}, "marketing_window_months": {"old": 36, "new": 24}},
    ),
}

INVALID = {
    "notification": ({"notification_email": "kein-at-zeichen"}, "This is not a valid email address."),
    "dpo": ({"dpo_email": "dsb@example.com"}, "Please enter the name of the data protection officer."),
    "extensions": ({"extensions": "x" * 5001}, "At most 5000 characters."),
    "retention": ({"retention_months": "0", "marketing_window_months": "0"}, "Between 6 and 60 months."),
    "controller": (
        {
            "controller_name": "A",
            "controller_street": "S 1",
            "controller_postal_code": "123",
            "controller_city": "B",
            "controller_email": "nope",
            "authority_code": "XX",
        },
        "A German postal code has five digits.",
    ),
    "requests": ({"requests_mode": "whenever"}, "Not a valid choice."),
}


def _post(client, location, section, data):
    return client.post(
        f"/settings/privacy/locations/{location.id}/{section}", data=data, headers={"HX-Request": "true"}
    )


@pytest.mark.parametrize("section", sorted(VALID))
def test_each_section_saves_and_writes_one_event(salon, login_as, section):
    owner = login_as(salon.owner)
    owner.get(f"/settings/privacy/locations/{salon.location.id}")  # creates the defaults
    data, expected = VALID[section]
    response = _post(owner, salon.location, section, data)
    assert response.status_code == 200 and "Saved." in response.get_data(as_text=True)
    (event,) = events("setting")
    assert event.changes == expected and event.actor_login_id == salon.owner.id
    # Saving the same again changes nothing and records nothing.
    assert "Nothing changed." in _post(owner, salon.location, section, data).get_data(as_text=True)
    assert len(events("setting")) == 1


@pytest.mark.parametrize("section", sorted(INVALID))
def test_invalid_input_is_explained_and_changes_nothing(salon, login_as, section):
    owner = login_as(salon.owner)
    owner.get(f"/settings/privacy/locations/{salon.location.id}")
    before = _snapshot(salon)
    data, message = INVALID[section]
    response = _post(owner, salon.location, section, data)
    assert message in response.get_data(as_text=True)
    assert "Nothing was saved." in response.get_data(as_text=True)
    assert _snapshot(salon) == before and events("setting") == []


def _snapshot(salon):
    db.session.expire_all()
    settings = db.session.scalars(select(PrivacySettings)).all()
    account = db.session.get(Account, salon.account.id)
    return (
        [tuple(str(getattr(s, c.key)) for c in PrivacySettings.__table__.columns) for s in settings],
        account.retention_months,
        account.marketing_window_months,
    )


def test_controller_section_and_readable_history(salon, login_as):
    owner = login_as(salon.owner)
    response = _post(
        owner,
        salon.location,
        "controller",
        {
            "controller_name": "Salon A GmbH",
            "controller_street": "Torstraße 1",
            "controller_postal_code": "10119",
            "controller_city": "Berlin",
            "controller_email": "Info@Salon-A.de",
            "controller_phone": "030 5550000",
            "authority_code": "BE",
        },
    )
    assert response.status_code == 200
    settings = db.session.scalars(select(PrivacySettings)).one()
    assert (settings.controller_email, settings.controller_phone, settings.authority_code) == (
        "info@salon-a.de",
        "+49305550000",
        "BE",
    )
    page = owner.get("/history/settings").get_data(as_text=True)
    assert "Privacy settings" in page and "Contact email" in page and "info@salon-a.de" in page


def test_trade_secret_flags_per_field_and_foreign_ids_refused(salon, other_salon, login_as):
    recipe = CustomerFieldDefinition(account_id=salon.account.id, key="a", label="Farbrezeptur")
    hair = CustomerFieldDefinition(account_id=salon.account.id, key="b", label="Haartyp")
    foreign = CustomerFieldDefinition(account_id=other_salon.account.id, key="c", label="Fremd")
    db.session.add_all([recipe, hair, foreign])
    db.session.commit()
    owner = login_as(salon.owner)
    response = _post(owner, salon.location, "trade_secrets", {"trade_secret": [str(recipe.id), str(foreign.id)]})
    assert response.status_code == 200
    assert "That field is not one of your customer fields. Nothing was saved." in response.get_data(as_text=True)
    db.session.expire_all()
    assert not any(d.is_trade_secret for d in db.session.scalars(select(CustomerFieldDefinition)))
    _post(owner, salon.location, "trade_secrets", {"trade_secret": [str(recipe.id)]})
    db.session.expire_all()
    assert db.session.get(CustomerFieldDefinition, recipe.id).is_trade_secret
    assert not db.session.get(CustomerFieldDefinition, hair.id).is_trade_secret
    (event,) = events("setting")
    assert (event.entity_type, event.entity_id, event.changes) == (
        "customer_field",
        recipe.id,
        {"is_trade_secret": {"old": False, "new": True}},
    )


def test_who_may_see_and_change_privacy_settings(salon, other_salon, login_as):
    url = f"/settings/privacy/locations/{salon.location.id}"
    assert login_as(salon.staff).get(url).status_code == 403
    assert login_as(salon.staff).get("/settings/privacy/").status_code == 403
    accountant = login_as(salon.accountant)
    page = accountant.get(url)
    assert page.status_code == 200 and "<fieldset disabled>" in page.get_data(as_text=True)
    assert _post(accountant, salon.location, "notification", {"notification_email": "a@b.de"}).status_code == 403
    admin = login_as(salon.admin)
    assert _post(admin, salon.location, "notification", {"notification_email": "a@b.de"}).status_code == 403
    salon.admin.extra_permissions = ["privacy.settings.edit"]
    db.session.commit()
    assert (
        _post(login_as(salon.admin), salon.location, "notification", {"notification_email": "a@b.de"}).status_code
        == 200
    )
    # Another salon's location is a 404, for reading and writing.
    other = login_as(other_salon.owner)
    assert other.get(url).status_code == 404
    assert _post(other, salon.location, "notification", {"notification_email": "x@y.de"}).status_code == 404
    assert [e.actor_login_id for e in events("setting")] == [salon.admin.id]


def test_notice_shows_what_is_set_and_nothing_of_another_location(salon, login_as, client):
    second = Location(account_id=salon.account.id, name="Salon A Süd", city="Berlin")
    db.session.add(second)
    db.session.commit()
    for location in (salon.location, second):  # published: the notice names a contact
        factories.privacy_settings(salon, location, controller_email="kontakt@salon-a.de")
    owner = login_as(salon.owner)
    _post(owner, salon.location, "dpo", {"dpo_name": "Dr. Dora Daten", "dpo_email": "dsb@example.com"})
    _post(owner, salon.location, "extensions", {"extensions": "Wir fotografieren **nur** mit Erlaubnis."})
    _post(owner, second, "dpo", {"dpo_name": "Sven Süd", "dpo_email": "sued@example.com"})
    owner.post(
        "/settings/privacy/processors/new",
        data={"name": "Newsletter-Tool GmbH", "service": "Newsletter", "region": "eu"},
    )
    first = client.get(f"/b/{salon.account.slug}/{salon.location.id}/privacy").get_data(as_text=True)
    assert "Dr. Dora Daten" in first and "dsb@example.com" in first
    assert "Wir fotografieren <strong>nur</strong> mit Erlaubnis." in first
    assert "Newsletter-Tool" in first and "Sven Süd" not in first
    assert "keine Rechtsberatung" in first  # German by default, with the not-legal-advice note
    south = client.get(f"/b/{salon.account.slug}/{second.id}/privacy").get_data(as_text=True)
    assert "Sven Süd" in south and "Dr. Dora Daten" not in south and "fotografieren" not in south
    assert "Newsletter-Tool GmbH" in south  # processors are the salon's, not one location's
    # With two locations the short address lists both.
    index = client.get(f"/b/{salon.account.slug}/privacy").get_data(as_text=True)
    assert salon.location.name in index and "Salon A Süd" in index


def test_notice_of_another_salons_location_is_404(salon, other_salon, client):
    assert client.get(f"/b/{salon.account.slug}/{other_salon.location.id}/privacy").status_code == 404
    assert client.get("/b/no-such-salon/privacy").status_code == 404


def test_extensions_cannot_inject_html_or_script(salon, login_as, client):
    factories.privacy_settings(salon, controller_email="kontakt@salon-a.de")
    owner = login_as(salon.owner)
    evil = '<script>alert(1)</script>\n\n<img src=x onerror=alert(2)> **<a href="javascript:x">b</a>**'
    _post(owner, salon.location, "extensions", {"extensions": evil})
    page = client.get(f"/b/{salon.account.slug}/{salon.location.id}/privacy").get_data(as_text=True)
    assert "<script>alert(1)" not in page and "<img src=x" not in page and '<a href="javascript' not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_notice_names_marketing_basis_only_when_marketing_is_on(salon, login_as, client):
    factories.privacy_settings(salon, controller_phone="+49301234567")
    owner = login_as(salon.owner)
    url = f"/b/{salon.account.slug}/{salon.location.id}/privacy"
    assert "§ 7(3) UWG" not in client.get(url, headers={"Accept-Language": "en"}).get_data(as_text=True)
    _post(owner, salon.location, "marketing", {"marketing_enabled": "y"})
    assert "§ 7(3) UWG" in client.get(url, headers={"Accept-Language": "en"}).get_data(as_text=True)


def test_overview_flags_what_is_missing(salon, login_as):
    owner = login_as(salon.owner)
    page = owner.get("/settings/privacy/").get_data(as_text=True)
    assert "No separate address for notifications" in page  # the owners get the mails meanwhile
    _post(owner, salon.location, "notification", {"notification_email": "ds@salon-a.de"})
    page = owner.get("/settings/privacy/").get_data(as_text=True)
    assert "No separate address for notifications" not in page
    assert (
        f"/settings/privacy/locations/{salon.location.id}#section-controller" in page
    )  # address incomplete: link to fix


def test_the_notice_is_published_only_with_a_contact_and_links_to_the_request_page(salon, login_as, client):
    url = f"/b/{salon.account.slug}/{salon.location.id}/privacy"
    unpublished = client.get(url, headers={"Accept-Language": "en"})
    assert unpublished.status_code == 404 and "not published yet" in unpublished.get_data(as_text=True)
    owner = login_as(salon.owner)
    assert "The privacy notice is not published" in owner.get("/settings/privacy/").get_data(as_text=True)
    factories.privacy_settings(salon, controller_email="kontakt@salon-a.de")
    published = client.get(url, headers={"Accept-Language": "en"})
    assert published.status_code == 200
    assert f"/b/{salon.account.slug}/{salon.location.id}/requests" in published.get_data(as_text=True)
    assert "The privacy notice is not published" not in owner.get("/settings/privacy/").get_data(as_text=True)
