"""What a page asks the database, counted: nothing read twice that a request already holds."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event

from portal.extensions import db
from tests import factories


@contextmanager
def statements(app):
    seen: list[str] = []

    def watch(_conn, _cursor, statement, _params, _context, _many):
        seen.append(" ".join(statement.split()))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", watch)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", watch)


def test_a_second_look_at_a_customer_file_is_not_logged_again_and_reloads_nothing(app, salon, login_as):
    customer_id = factories.make_customer(salon.account, "Kranich", "Ida")
    owner = login_as(salon.owner)
    with statements(app) as first:
        assert owner.get(f"/customers/{customer_id}").status_code == 200
    assert any(s.startswith("INSERT INTO audit_event") for s in first)  # the look is logged
    with statements(app) as second:
        assert owner.get(f"/customers/{customer_id}/appointments").status_code == 200
    # Within ten minutes: no new entry, and no commit that would make the page read its login
    # and the customer again.
    assert not any(s.startswith(("INSERT", "UPDATE", "DELETE")) for s in second if "login_session" not in s)
    assert not any(s.startswith("SELECT login.id") for s in second)
    assert sum(s.startswith("SELECT customer.id") for s in second) == 1


def test_the_overview_counts_the_active_people_once(app, salon, login_as):
    owner = login_as(salon.owner)
    owner.get("/overview")
    with statements(app) as seen:
        page = owner.get("/overview").get_data(as_text=True)
    assert sum(" FROM login " in s and "count(" in s for s in seen) == 1
    assert sum(" FROM employee " in s and "count(" in s for s in seen) == 1
    assert "Aktive Logins" in page or "Active logins" in page
