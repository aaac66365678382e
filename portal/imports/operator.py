"""The import without the wizard, for support moving a salon over (`flask customers import`):
the same service steps, the check and the import run in this process instead of a worker."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from portal.audit import Actor
from portal.extensions import db
from portal.imports import service
from portal.imports.check import check_import, tally
from portal.imports.labels import failure_message, row_message
from portal.imports.run import run_import
from portal.models import CustomerImport, ImportStatus


@dataclass
class OperatorResult:
    status: str
    counts: dict = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # row errors, then why it stopped

    @property
    def imported(self) -> int:
        return self.counts.get("new", 0) + self.counts.get("updated", 0)


def load_mapping(path: str, headers: list[str]) -> list[str]:
    """A mapping file: {"header": "target", …} (headers not named are ignored) or a list with
    one target per column."""
    given = json.loads(Path(path).read_text(encoding="utf-8"))
    if isinstance(given, list):
        return [str(t) for t in given]
    return [str(given.get(header, "ignore")) for header in headers]


def import_file(
    account_id: int, data: bytes, source: str, mapping_file: str | None = None, on_duplicate: str = "skip"
) -> OperatorResult:
    """Raises `reading.ImportFileError` or `service.ImportStepError` for a file or mapping it
    cannot take (nothing is written then)."""
    actor = Actor(account_id, None)
    imp = service.upload(actor, data, source)
    mapping = load_mapping(mapping_file, imp.headers) if mapping_file else imp.mapping
    service.save_mapping(imp, mapping, source, by_job=False)
    check_import(imp.id)
    imp = db.session.get(CustomerImport, imp.id, populate_existing=True)
    if imp.status != ImportStatus.CHECKED:
        return OperatorResult(imp.status, problems=[failure_message(imp.error)])
    problems = [f"{i.row_number}\t{i.header}\t{row_message(i.code, i.params)}" for i in service.issues(imp, limit=None)]
    service.choose(imp, on_duplicate, {})
    counts = tally(imp)
    if counts["new"] + counts["updated"] == 0:
        service.discard(imp)
        return OperatorResult("nothing-to-import", counts, problems)
    service.confirm(actor, imp, service.confirmation_value(counts), by_job=False)
    run_import(imp.id)
    imp = db.session.get(CustomerImport, imp.id, populate_existing=True)
    if imp.status != ImportStatus.FINISHED:
        return OperatorResult(imp.status, {}, [*problems, failure_message(imp.error)])
    return OperatorResult(imp.status, dict(imp.counts), problems)
