"""The import job: every checked row written in one transaction — all or nothing. A failure
(or a worker killed half-way) leaves the customer file as it was; the maintenance runs an
import whose worker died again, at most three times.

New customers are written set-based (their ids reserved, then one executemany per batch for the
customers, their own fields, consents and the consent log): a row costs little more than the
plain insert. Updates of existing customers go through the customer service's `apply_changes`,
each with its history entry and the old values kept for the undo."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import select, update

from portal import activity
from portal.audit import Actor, json_value
from portal.bulk import insert_rows
from portal.customers.service import active_field_definitions, apply_changes, record_change, search_keys
from portal.extensions import db
from portal.imports import files, progress
from portal.imports.check import effective_action
from portal.imports.events import import_event
from portal.imports.values import Row
from portal.messaging.consent import consent_status, email_proof_hash, set_consent
from portal.models import (
    Consent,
    ConsentLog,
    Customer,
    CustomerFieldValue,
    CustomerImport,
    DuplicateAction,
    ImportDuplicate,
    ImportStatus,
    ImportUpdate,
)
from portal.models.base import utcnow
from portal.transaction import reserve_ids

BATCH = 5000


@dataclass
class Written:
    new: int = 0
    updated: int = 0
    skipped: int = 0
    updated_ids: list[int] = field(default_factory=list)


def _claim(import_id: int) -> bool:
    """One run at a time, taken in one conditional UPDATE (a job delivered twice runs once)."""
    now = utcnow()
    taken = db.session.execute(
        update(CustomerImport)
        .where(CustomerImport.id == import_id, CustomerImport.status == ImportStatus.QUEUED)
        .values(status=ImportStatus.RUNNING, attempts=CustomerImport.attempts + 1, heartbeat_at=now)
        .execution_options(synchronize_session=False)
    )
    return taken.rowcount == 1


def _still_ours(import_id: int, run: int) -> bool:
    """A worker the maintenance gave up on (and whose import runs again) must not finish it."""
    current = db.session.execute(
        select(CustomerImport.status, CustomerImport.runs).where(CustomerImport.id == import_id).with_for_update()
    ).one()
    return tuple(current) == (ImportStatus.RUNNING, run)


def run_import(import_id: int) -> str:
    if not _claim(import_id):
        db.session.rollback()
        return "nothing-to-do"
    db.session.commit()
    imp = db.session.get(CustomerImport, import_id, populate_existing=True)
    run = imp.runs
    progress.report(import_id, 0, imp.progress_total)
    try:
        written = _write(imp)
    except Exception as exc:
        db.session.rollback()
        # The type only: a database error's text may quote a customer's values.
        current_app.logger.error("import %s failed: %s", import_id, type(exc).__name__)
        return fail(import_id, run, f"unexpected:{type(exc).__name__}")
    if not _still_ours(import_id, run):
        db.session.rollback()
        return "superseded"
    _finish(imp, written)
    db.session.commit()
    progress.clear(import_id)
    return "finished"


def fail(import_id: int, run: int | None, code: str) -> str:
    """Nothing of the import was written; the file goes (it holds personal data), the row
    report stays for a week."""
    imp = db.session.get(CustomerImport, import_id, populate_existing=True)
    if run is not None and (imp.status, imp.runs) != (ImportStatus.RUNNING, run):
        db.session.rollback()
        return "superseded"
    imp.status, imp.error, imp.finished_at = ImportStatus.FAILED, code[:300], utcnow()
    files.forget(imp.id)
    imp.file_deleted_at = utcnow()
    import_event(imp, "import_failed")
    db.session.commit()
    progress.clear(import_id)
    return "failed"


def _decisions(imp: CustomerImport) -> dict[int, tuple[int | None, str]]:
    rows = db.session.execute(
        select(ImportDuplicate.row_number, ImportDuplicate.customer_id, ImportDuplicate.action).where(
            ImportDuplicate.import_id == imp.id
        )
    )
    return {number: (cid, effective_action((action, cid), imp.default_action)) for number, cid, action in rows}


def _write(imp: CustomerImport) -> Written:
    actor = Actor(imp.account_id, imp.created_by_id)
    decisions = _decisions(imp)
    own_fields = {d.id for d in active_field_definitions(imp.account_id)}
    written = Written()
    new_rows: list[Row] = []
    updates: list[tuple[int, Row]] = []
    done = 0

    def flush():
        nonlocal new_rows, updates
        _insert_new(imp, actor, new_rows, own_fields)
        _update_existing(imp, actor, updates, own_fields, written)
        written.new += len(new_rows)
        new_rows, updates = [], []
        progress.report(imp.id, done, imp.progress_total)

    for record_ in files.records(imp.id):
        row = Row.from_record(record_)
        done += 1
        customer_id, action = decisions.get(row.number, (None, DuplicateAction.CREATE))
        if action == DuplicateAction.SKIP:
            written.skipped += 1
        elif action == DuplicateAction.UPDATE:
            updates.append((customer_id, row))
        else:
            new_rows.append(row)
        if len(new_rows) + len(updates) >= BATCH:
            flush()
    flush()
    activity.refresh(written.updated_ids)
    return written


def _insert_new(imp: CustomerImport, actor: Actor, rows: list[Row], own_fields: set[int]) -> None:
    """New customers with their own fields, consents and the consents' proof. Their history
    entry is the import's own (one entry in the settings history, the customer's `import_id`
    pointing to it, and the customer file says "imported from … by …"): 100,000 entries "was
    imported" would bury every real change in the customer log."""
    if not rows:
        return
    now = utcnow()
    values = []
    for row in rows:
        data = row.data
        first, last, email, phone = data.get("first_name", ""), data["last_name"], data.get("email"), data.get("phone")
        sort_name, search_text = search_keys(first, last, email, phone)
        values.append(
            {
                "first_name": first,
                "last_name": last,
                "email": email,
                "phone": phone,
                "birthday": data.get("birthday"),
                "street": data.get("street", ""),
                "postal_code": data.get("postal_code", ""),
                "city": data.get("city", ""),
                "country": data.get("country", "DE"),
                "notes": data.get("notes", ""),
                "legacy_number": row.legacy_number,
                "legacy_last_visit_on": row.last_visit,
                "sort_name": sort_name,
                "search_text": search_text,
            }
        )
    # Ids taken first, then one executemany per table on the session's connection: no RETURNING
    # (one statement per row on SQLite) and none of the ORM's per-row bookkeeping.
    ids = reserve_ids(Customer.__tablename__, len(values))
    for customer_id, row_values in zip(ids, values, strict=True):
        row_values["id"] = customer_id
    shared = {
        "account_id": imp.account_id,
        "import_id": imp.id,
        "import_source": imp.source_name,
        "created_at": now,
        # The import is the customer's activity (visits before it count as the import): the
        # activity definition's value for a customer with nothing else recorded.
        "imported_at": now,
        "last_activity_at": now,
    }
    insert_rows(Customer.__table__, values, shared)
    own_values, consents, proofs = [], [], []
    for customer_id, row in zip(ids, rows, strict=True):
        own_values.extend(
            {"customer_id": customer_id, "field_id": field_id, "value": value}
            for field_id, value in row.custom.items()
            if field_id in own_fields
        )
        for channel in sorted(row.consents):
            consents.append({"customer_id": customer_id, "channel": channel})
            proofs.append(
                {
                    "customer_id": customer_id,
                    "channel": channel,
                    "email_hash": email_proof_hash(row.data.get("email")),
                    "given_on": row.consent_date,
                }
            )
    insert_rows(CustomerFieldValue.__table__, own_values, {"account_id": imp.account_id})
    insert_rows(Consent.__table__, consents, {"account_id": imp.account_id, "status": "granted", "updated_at": now})
    # An imported consent's proof: method "import", the source and the day given there (None:
    # before the import, day unknown), no text version — what the customer agreed to is not
    # known, so the retroactive consent request can find exactly these.
    proof = {
        "account_id": imp.account_id,
        "status": "granted",
        "method": "import",
        "text_version": "",
        "text_hash": "",
        "login_id": actor.login_id,
        "employee_id": None,
        "ip": "",
        "occurred_at": now,
        "source": imp.source_name,
    }
    insert_rows(ConsentLog.__table__, proofs, proof)


def _update_existing(
    imp: CustomerImport, actor: Actor, updates: list[tuple[int, Row]], own_fields: set[int], written: Written
) -> None:
    """The file's values over the existing customer's (an empty cell changes nothing); the old
    values kept for the undo. A consent the portal already recorded either way stays."""
    if not updates:
        return
    customers = {
        c.id: c
        for c in db.session.scalars(
            select(Customer).where(
                Customer.account_id == imp.account_id, Customer.id.in_({cid for cid, _row in updates})
            )
        )
    }
    now = utcnow()
    for customer_id, row in updates:
        customer = customers.get(customer_id)
        if customer is None:  # deleted since the check: nothing to update
            written.skipped += 1
            continue
        custom = {fid: value for fid, value in row.custom.items() if fid in own_fields}
        changes = apply_changes(customer, dict(row.data), custom)
        origin = {
            "imported_at": customer.imported_at or now,
            "import_source": customer.import_source or imp.source_name,
        }
        if row.legacy_number and not customer.legacy_number:
            origin["legacy_number"] = row.legacy_number
        if row.last_visit and (customer.legacy_last_visit_on or row.last_visit) <= row.last_visit:
            origin["legacy_last_visit_on"] = row.last_visit
        for name, value in origin.items():
            if getattr(customer, name) != value:
                changes[name] = (getattr(customer, name), value)
                setattr(customer, name, value)
        status = consent_status(customer.id)
        granted = [
            channel
            for channel in sorted(row.consents)
            if status.get(channel) == "none"
            and set_consent(
                actor, customer, channel, "granted", "import", source=imp.source_name, given_on=row.consent_date
            )
        ]
        db.session.add(
            ImportUpdate(
                import_id=imp.id,
                customer_id=customer.id,
                before={
                    "fields": {name: json_value(old) for name, (old, _new) in changes.items()},
                    "consents": granted,
                },
            )
        )
        record_change(actor, customer, "import_updated", changes)
        written.updated += 1
        written.updated_ids.append(customer.id)


def _finish(imp: CustomerImport, written: Written) -> None:
    now = utcnow()
    counts = dict(imp.counts or {})
    counts.update(new=written.new, updated=written.updated, skipped=written.skipped)
    imp.counts = counts
    imp.status, imp.finished_at = ImportStatus.FINISHED, now
    imp.progress_done = imp.progress_total
    files.forget(imp.id)
    imp.file_deleted_at = now
    import_event(
        imp,
        "import_finished",
        new=written.new,
        updated=written.updated,
        skipped=written.skipped,
        invalid=counts.get("invalid", 0),
    )
