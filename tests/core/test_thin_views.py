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
