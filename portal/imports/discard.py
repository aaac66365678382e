"""Discarding an import that has not run: its file and everything read from it are deleted,
the import stays listed. Also what an erasure does to imports still waiting."""

from __future__ import annotations

from sqlalchemy import select

from portal.extensions import db
from portal.imports import files
from portal.imports.check import clear_check
from portal.models import CustomerImport, ImportStatus
from portal.models.base import utcnow

WAITING = (ImportStatus.UPLOADED, ImportStatus.CHECKING, ImportStatus.CHECKED, ImportStatus.QUEUED)


def discard(imp: CustomerImport, reason: str = "") -> None:
    files.forget(imp.id)
    clear_check(imp.id)
    imp.status, imp.file_deleted_at = ImportStatus.DISCARDED, utcnow()
    if reason:
        imp.error = reason


def withdraw_open_imports(account_id: int) -> int:
    """An erased customer must not wait in a file for its import (and come back with it): every
    import of the salon not yet run is discarded, its file deleted. Called in the erasure's
    transaction; the salon uploads the file again (without the person)."""
    waiting = db.session.scalars(
        select(CustomerImport).where(CustomerImport.account_id == account_id, CustomerImport.status.in_(WAITING))
    ).all()
    for imp in waiting:
        discard(imp, "erased-meanwhile")
    return len(waiting)
