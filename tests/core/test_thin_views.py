"""Views are thin: a form, a service call, a render. No view module touches the database
itself (no `db`, no SQLAlchemy), and no GET request writes."""

from __future__ import annotations

import ast
from pathlib import Path

PORTAL = Path(__file__).resolve().parents[2] / "portal"


def _view_modules() -> list[Path]:
    return sorted(p for p in PORTAL.rglob("*.py") if p.name == "views.py" or p.name.endswith("_views.py"))


def _database_use(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            names = {alias.name for alias in node.names}
            if node.module == "portal.extensions" and "db" in names:
                found.append(f"{node.lineno}: imports db")
            if (node.module or "").split(".")[0] == "sqlalchemy":
                found.append(f"{node.lineno}: imports sqlalchemy")
        elif isinstance(node, ast.Import) and any(a.name.split(".")[0] == "sqlalchemy" for a in node.names):
            found.append(f"{node.lineno}: imports sqlalchemy")
        elif isinstance(node, ast.Attribute) and node.attr == "session" and getattr(node.value, "id", "") == "db":
            found.append(f"{node.lineno}: db.session")
    return found


def test_no_view_module_touches_the_database():
    offenders = {str(p.relative_to(PORTAL)): use for p in _view_modules() if (use := _database_use(p))}
    assert offenders == {}


PAGES = [
    "/overview",
    "/customers",
    "/appointments",
    "/marketing",
    "/settings/",
    "/settings/account",
    "/settings/locations",
    "/settings/privacy/",
    "/privacy/retention",
    "/privacy/requests",
    "/settings/exports",
    "/settings/team/",
    "/settings/customer-fields",
    "/settings/bonus-programs",
    "/vouchers",
    "/history/appointments",
    "/history/logins",
    "/me",
    "/me/two-factor",
]


def test_a_get_writes_nothing(app, salon, login_as):
    from sqlalchemy import event

    from portal.extensions import db

    owner = login_as(salon.owner)
    owner.get("/overview")  # the session's first touch
    writes = []

    def watch(_conn, _cursor, statement, _params, _context, _many):
        verb = statement.lstrip().split(" ", 1)[0].upper()
        if verb in ("INSERT", "UPDATE", "DELETE"):
            writes.append(statement.split("(")[0][:60])

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", watch)
    try:
        for path in PAGES:
            response = owner.get(path)
            assert response.status_code == 200, path
    finally:
        event.remove(engine, "before_cursor_execute", watch)
    # The login session's last-seen time is written at most once a minute; nothing else. (Opening a
    # customer file writes the data-access log: a read recorded on purpose, not on these pages.)
    assert [w for w in writes if "login_session" not in w] == []


def test_the_app_wide_template_context_holds_no_feature(app, salon):
    """No feature's labels or functions in every page's context (so no template can run a
    feature's query); each blueprint adds the words its own templates use."""
    from flask_login import login_user

    with app.test_request_context("/overview"):
        login_user(salon.owner)
        shared = {name for processor in app.template_context_processors[None] for name in processor()}
        customers = {name for processor in app.template_context_processors["customers"] for name in processor()}
    features = {"request_kinds", "retention_due", "voucher_state", "message_kinds", "export_formats", "action_label"}
    assert shared & features == set()
    assert {"can", "navigation", "today", "Permission"} <= shared
    assert {"request_kinds", "voucher_state", "message_kinds", "action_label"} <= customers
