"""Einstellungen → Formulare: every saved change a new version with its SHA-256, old versions
kept; a question marked as health data needs the explicit consent checkbox."""

from __future__ import annotations

import hashlib
import json

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import AuditEvent, FormVersion, SalonForm
from portal.signed_forms.designer import current_version
from tests import factories
from tests.signed_forms.helpers import intake_form


def _versions(form_id: int) -> list[FormVersion]:
    return db.session.scalars(
        select(FormVersion).where(FormVersion.form_id == form_id).order_by(FormVersion.number)
    ).all()


def _canonical_hash(content: dict) -> str:
    return hashlib.sha256(
        json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
    ).hexdigest()


def _designer_data(form: SalonForm, **changes) -> dict:
    """The designer's fields as the page posts them, from the form's current version."""
    content = current_version(form).content
    data = {
        "title": content["title"],
        "intro": content["intro"],
        "privacy_text": content["privacy_text"],
        "interval": content["interval"],
    }
    for kind in ("email", "sms", "photo", "health"):
        data[f"consent_{kind}"] = content["consents"].get(kind, "")
    for n, field in enumerate(content["fields"]):
        data.update(
            {
                f"fields-{n}-key": field["key"],
                f"fields-{n}-question": field["label"],
                f"fields-{n}-kind": field["type"],
                f"fields-{n}-choices": "; ".join(field["choices"]),
                f"fields-{n}-maps_to": field["maps_to"],
            }
        )
        if field["health"]:
            data[f"fields-{n}-health"] = "y"
        if field["required"]:
            data[f"fields-{n}-required"] = "y"
    data.update(changes)
    return data


def test_every_salon_starts_with_the_german_intake_form_version_1(salon):
    form = intake_form(salon)
    [version] = _versions(form.id)
    assert version.number == 1 and form.version == 1
    assert version.sha256 == _canonical_hash(version.content)
    assert version.privacy_sha256 == hashlib.sha256(version.content["privacy_text"].encode()).hexdigest()
    assert "Art. 9 Abs. 2 lit. a DSGVO" in version.content["consents"]["health"]
    assert {"first_name", "last_name"} <= {f["maps_to"] for f in version.content["fields"]}


def test_a_saved_change_is_a_new_version_and_the_old_one_is_kept_with_its_hash(salon, login_as):
    form = intake_form(salon)
    first = _versions(form.id)[0]
    first_hash, first_content = first.sha256, dict(first.content)
    owner = login_as(salon.owner)
    unchanged = owner.post(f"/settings/forms/{form.id}", data=_designer_data(form), follow_redirects=True)
    assert "Nothing changed." in unchanged.get_data(as_text=True) and len(_versions(form.id)) == 1
    text = first_content["privacy_text"] + "\n\nWir speichern Fotos nur mit Ihrer Einwilligung."
    response = owner.post(f"/settings/forms/{form.id}", data=_designer_data(form, privacy_text=text))
    assert response.status_code == 302
    db.session.expire_all()
    old, new = _versions(form.id)
    assert (old.number, new.number, db.session.get(SalonForm, form.id).version) == (1, 2, 2)
    assert old.sha256 == first_hash and old.content == first_content  # the proof of version 1 stays
    assert new.sha256 == _canonical_hash(new.content) != first_hash
    assert new.content["privacy_text"].endswith("nur mit Ihrer Einwilligung.")
    page = owner.get(f"/settings/forms/{form.id}").get_data(as_text=True)
    assert first_hash in page and new.sha256 in page
    assert owner.get(f"/settings/forms/versions/{old.id}").status_code == 200
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "form")).one()
    assert event.changes["version"] == {"old": 1, "new": 2} and event.category == "setting"


def test_a_health_question_cannot_be_saved_without_the_explicit_consent(salon, login_as):
    service = factories.make_service(salon.account, "Wimpernlifting")
    owner = login_as(salon.owner)
    data = {
        "title": "Wimpernlifting",
        "privacy_text": "Wir verarbeiten Ihre Angaben für die Behandlung.",
        "interval": "every_visit",
        "services": [str(service.id)],
        "fields-0-question": "Haben Sie eine Allergie gegen Kleber?",
        "fields-0-kind": "yes_no",
        "fields-0-health": "y",
    }
    refused = owner.post("/settings/forms/new", data=data)
    assert refused.status_code == 422
    assert "need the explicit consent" in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(SalonForm)) == 1  # the intake form only
    data["consent_health"] = "Ich willige ausdrücklich ein, dass meine Angaben zu Allergien gespeichert werden."
    assert owner.post("/settings/forms/new", data=data).status_code == 302
    form = db.session.scalars(select(SalonForm).where(SalonForm.title == "Wimpernlifting")).one()
    assert form.kind == "treatment" and form.interval == "every_visit" and [s.id for s in form.services] == [service.id]
    [version] = _versions(form.id)
    assert version.health_fields == [version.content["fields"][0]["key"]]
    # Removing the consent text later is refused just the same.
    again = owner.post(f"/settings/forms/{form.id}", data=_designer_data(form, consent_health=""))
    assert again.status_code == 422 and len(_versions(form.id)) == 1


def test_bad_designs_are_explained_and_the_intake_form_keeps_the_name(salon, login_as):
    owner = login_as(salon.owner)
    form = intake_form(salon)
    data = _designer_data(form)
    data["fields-1-maps_to"] = "first_name"  # the last name's row now asks the first name again
    page = owner.post(f"/settings/forms/{form.id}", data=data)
    assert page.status_code == 422 and "asked twice" in page.get_data(as_text=True)
    choice = {
        "title": "Farbe",
        "privacy_text": "Text",
        "fields-0-question": "Farbe?",
        "fields-0-kind": "choice",
        "fields-0-choices": "blond",
    }
    page = owner.post("/settings/forms/new", data=choice)
    assert page.status_code == 422 and "at least two options" in page.get_data(as_text=True)
    assert len(_versions(form.id)) == 1
    switched_off = owner.post(f"/settings/forms/{form.id}/active", data={"active": "0"}, follow_redirects=True)
    assert "cannot be switched off" in switched_off.get_data(as_text=True)


def test_only_owners_and_admins_design_forms(salon, other_salon, login_as):
    for role in ("staff", "accountant"):
        assert login_as(salon.login(role)).get("/settings/forms").status_code == 403
    assert login_as(salon.admin).get("/settings/forms").status_code == 200
    foreign = intake_form(other_salon)
    assert login_as(salon.owner).get(f"/settings/forms/{foreign.id}").status_code == 404
