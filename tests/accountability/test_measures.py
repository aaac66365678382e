"""The TOM list: the portal's measures shown, the salon's own marked done with how, the day each
employee signed the confidentiality commitment (not in the future); the accountant reads."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEvent, ConfidentialityCommitment, SalonMeasure


def test_measures_and_commitments(salon, other_salon, login_as):
    owner = login_as(salon.owner)
    page = owner.get("/settings/privacy/measures").get_data(as_text=True)
    assert "Provided by the portal" in page and "Sessions" in page and salon.employee.name in page
    owner.post("/settings/privacy/measures/screen_lock", data={"done": "y", "note": "nach 2 Minuten"})
    measure = db.session.scalars(select(SalonMeasure)).one()
    assert (measure.key, measure.done, measure.note) == ("screen_lock", True, "nach 2 Minuten")
    # A changed note alone is recorded as that, not as "done: yes → yes".
    owner.post("/settings/privacy/measures/screen_lock", data={"done": "y", "note": "nach 1 Minute"})
    changes = [
        e.changes
        for e in db.session.scalars(
            select(AuditEvent).where(AuditEvent.entity_type == "salon_measure").order_by(AuditEvent.id)
        )
    ]
    assert changes[-1] == {"how": {"old": "nach 2 Minuten", "new": "nach 1 Minute"}}
    assert changes[0]["done"] == {"old": False, "new": True}
    assert owner.post("/settings/privacy/measures/nonsense", data={"done": "y"}).status_code == 404
    today = salon.account.today()
    future = owner.post(
        f"/settings/privacy/measures/employees/{salon.employee.id}",
        data={"signed_on": (today + timedelta(days=3)).isoformat()},
    )
    assert future.status_code == 422 and "cannot lie in the future" in future.get_data(as_text=True)
    owner.post(f"/settings/privacy/measures/employees/{salon.employee.id}", data={"signed_on": today.isoformat()})
    assert db.session.scalars(select(ConfidentialityCommitment)).one().signed_on == today
    history = owner.get("/history/settings").get_data(as_text=True)
    assert "Confidentiality commitment signed on" in history
    # Another salon's employee is a 404; the accountant reads, never writes.
    assert (
        owner.post(
            f"/settings/privacy/measures/employees/{other_salon.employee.id}", data={"signed_on": today.isoformat()}
        ).status_code
        == 404
    )
    accountant = login_as(salon.accountant)
    assert "nach 1 Minute" in accountant.get("/settings/privacy/measures").get_data(as_text=True)
    assert accountant.post("/settings/privacy/measures/screen_lock", data={"done": ""}).status_code == 403
