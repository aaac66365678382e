"""The settings-history entries of an import: started, finished, failed, undone, with counts."""

from __future__ import annotations

from portal.audit import Actor, record
from portal.models import CustomerImport


def import_event(imp: CustomerImport, action: str, actor: Actor | None = None, **counts: int) -> None:
    actor = actor or Actor(imp.account_id, imp.created_by_id)
    changes = {"source_name": {"old": None, "new": imp.source_name}}
    changes.update({name: {"old": None, "new": count} for name, count in counts.items()})
    record(actor, "setting", action, "customer_import", imp.id, changes, summary=imp.source_name)
