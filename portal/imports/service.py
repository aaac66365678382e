"""The import wizard's operations (views, the operators' command and tests share them): upload,
how to read the file, the mapping, the duplicates' choices, the confirmation, discarding, and
what the pages show. The state lives in the import row, so Back and Next lose nothing."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select, update

from portal.audit import Actor
from portal.csv_safe import to_csv
from portal.customers.service import active_field_definitions
from portal.extensions import db
from portal.imports import files, progress, reading
from portal.imports.check import clear_check, effective_action, tally
from portal.imports.discard import discard as discard_files
from portal.imports.events import import_event
from portal.imports.labels import row_message
from portal.imports.mapping import guess, mapping_errors, targets
from portal.imports.values import Row
from portal.models import (
    Customer,
    CustomerImport,
    DuplicateAction,
    ImportDuplicate,
    ImportIssue,
    ImportStatus,
    Login,
)
from portal.models.base import utcnow
from portal.tasks import CHECK_IMPORT, RUN_IMPORT
from portal.tenancy import scoped
from portal.transaction import transaction


class ImportStepError(Exception):
    """A step the import cannot take; `codes` name the messages (`labels.STEP_ERRORS`)."""

    def __init__(self, *codes: str):
        super().__init__(", ".join(codes))
        self.codes = list(codes)


def kind_of(imp: CustomerImport) -> reading.FileKind:
    return reading.FileKind(imp.file_format, imp.encoding, imp.delimiter)


@transaction
def upload(actor: Actor, data: bytes, source_name: str = "") -> CustomerImport:
    """A new import from the file's bytes; raises `reading.ImportFileError` for a file it
    cannot read (nothing is kept then)."""
    kind = reading.sniff(data)
    preview = reading.preview(data, kind)
    imp = CustomerImport(
        account_id=actor.account_id,
        created_by_id=actor.login_id,
        status=ImportStatus.UPLOADED,
        source_name=source_name.strip()[:60],
        file_format=kind.file_format,
        file_size=len(data),
        detected_encoding=kind.encoding,
        detected_delimiter=kind.delimiter,
        encoding=kind.encoding,
        delimiter=kind.delimiter,
        headers=preview.headers,
        mapping=guess(preview.headers, active_field_definitions(actor.account_id)),
        counts={},
    )
    db.session.add(imp)
    db.session.flush()
    files.store(imp.id, files.FILE, data)
    return imp


def preview(imp: CustomerImport) -> reading.Preview:
    return reading.preview(files.read(imp.id), kind_of(imp))


def _require(imp: CustomerImport, *statuses: str) -> None:
    if imp.status not in statuses:
        raise ImportStepError("not-now")


@transaction
def change_reading(imp: CustomerImport, encoding: str, delimiter: str) -> None:
    """Another encoding or delimiter than detected (CSV): headers and guesses read anew."""
    _require(imp, ImportStatus.UPLOADED)
    if imp.file_format != "csv" or encoding not in reading.ENCODINGS or delimiter not in reading.DELIMITERS:
        raise ImportStepError("unknown-reading")
    kind = reading.FileKind("csv", encoding, delimiter)
    fresh = reading.preview(files.read(imp.id), kind)  # ImportFileError: that encoding does not fit
    imp.encoding, imp.delimiter, imp.error = encoding, delimiter, ""
    imp.headers = fresh.headers
    imp.mapping = guess(fresh.headers, active_field_definitions(imp.account_id))


@transaction
def save_mapping(imp: CustomerImport, mapping: list[str], source_name: str, by_job: bool = True) -> None:
    """The mapping and the source's name; the check starts (as a job, unless the caller runs
    it itself: the operators' command)."""
    _require(imp, ImportStatus.UPLOADED, ImportStatus.CHECKED)
    allowed = {t.key for t in targets(active_field_definitions(imp.account_id))}
    errors = [] if len(mapping) == len(imp.headers) else ["unknown-target"]
    errors += mapping_errors(mapping, allowed)
    if not source_name.strip():
        errors.append("no-source")
    if errors:
        raise ImportStepError(*errors)
    imp.mapping, imp.source_name = list(mapping), source_name.strip()[:60]
    clear_check(imp.id)
    imp.counts, imp.error = {}, ""
    imp.status, imp.runs, imp.heartbeat_at = ImportStatus.CHECKING, imp.runs + 1, utcnow()
    if by_job:
        CHECK_IMPORT.after_commit(imp)


@transaction
def back_to_mapping(imp: CustomerImport) -> None:
    _require(imp, ImportStatus.CHECKED)
    clear_check(imp.id)
    imp.status, imp.counts = ImportStatus.UPLOADED, {}


@transaction
def choose(imp: CustomerImport, default_action: str, choices: dict[int, str]) -> None:
    """The default for every duplicate, and the choice for single ones ({duplicate id: action})."""
    _require(imp, ImportStatus.CHECKED)
    actions = {a.value for a in DuplicateAction}
    if default_action not in actions or any(a not in actions for a in choices.values()):
        raise ImportStepError("unknown-action")
    imp.default_action = default_action
    for duplicate_id, action in choices.items():
        db.session.execute(
            update(ImportDuplicate)
            .where(ImportDuplicate.id == duplicate_id, ImportDuplicate.import_id == imp.id)
            .values(action=None if action == default_action else action)
        )


def confirmation_value(counts: dict) -> str:
    """What the confirmation dialog sends: the numbers of new and updated customers shown."""
    return f"{counts['new']}-{counts['updated']}"


@transaction
def confirm(actor: Actor, imp: CustomerImport, confirmed: str, by_job: bool = True) -> None:
    """The summary the salon saw is what runs: no confirmation, or another count, asks again."""
    _require(imp, ImportStatus.CHECKED)
    counts = tally(imp)
    if confirmed.strip() != confirmation_value(counts):
        raise ImportStepError("count-changed")
    if counts["new"] + counts["updated"] == 0:
        raise ImportStepError("nothing-to-import")
    now = utcnow()
    imp.status, imp.confirmed_at, imp.heartbeat_at = ImportStatus.QUEUED, now, now
    imp.runs += 1
    imp.progress_total = (imp.counts or {}).get("valid", 0)
    import_event(imp, "import_started", actor, **counts)
    if by_job:
        RUN_IMPORT.after_commit(imp)


@transaction
def discard(imp: CustomerImport) -> None:
    _require(imp, ImportStatus.UPLOADED, ImportStatus.CHECKED)
    discard_files(imp)


# --- what the pages show --------------------------------------------------------------------------


def recent(account_id: int, limit: int = 20) -> list[CustomerImport]:
    return list(db.session.scalars(scoped(CustomerImport, account_id).order_by(CustomerImport.id.desc()).limit(limit)))


@dataclass
class Progress:
    done: int
    total: int

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.done / self.total)) if self.total else 0


def progress_of(imp: CustomerImport) -> Progress:
    if imp.status in (ImportStatus.FINISHED, ImportStatus.UNDONE):
        return Progress(imp.progress_total, imp.progress_total)
    reported = progress.read(imp.id) if imp.is_active else None
    return Progress(*reported) if reported else Progress(0, imp.progress_total)


def issues(imp: CustomerImport, limit: int | None = 100) -> list[ImportIssue]:
    stmt = select(ImportIssue).where(ImportIssue.import_id == imp.id).order_by(ImportIssue.row_number, ImportIssue.id)
    return list(db.session.scalars(stmt.limit(limit) if limit else stmt))


def error_report_csv(imp: CustomerImport) -> bytes:
    """The row report for a spreadsheet: row, column, message — in the reader's language, a
    column header that looks like a formula neutralised (it comes from the uploaded file)."""
    rows = [
        (issue.row_number, issue.header, row_message(issue.code, issue.params)) for issue in issues(imp, limit=None)
    ]
    return to_csv([_("Row"), _("Column"), _("Problem")], rows, delimiter=";")


@dataclass
class DuplicateView:
    duplicate: ImportDuplicate
    row: Row | None
    customer: Customer | None
    action: str


def duplicates(imp: CustomerImport, limit: int = 200) -> tuple[list[DuplicateView], int]:
    """The first duplicates with the file's row and the customer it looks like, and how many
    there are in all."""
    all_ = db.session.scalars(
        select(ImportDuplicate).where(ImportDuplicate.import_id == imp.id).order_by(ImportDuplicate.row_number)
    ).all()
    shown = all_[:limit]
    wanted = {d.row_number for d in shown}
    rows = {}
    if wanted:
        for record in files.records(imp.id):
            if record[0] in wanted:
                rows[record[0]] = Row.from_record(record)
                if len(rows) == len(wanted):
                    break
    customers = {
        c.id: c
        for c in db.session.scalars(
            scoped(Customer, imp.account_id).where(Customer.id.in_({d.customer_id for d in shown if d.customer_id}))
        )
    }
    views = [
        DuplicateView(d, rows.get(d.row_number), customers.get(d.customer_id), effective_action(d, imp.default_action))
        for d in shown
    ]
    return views, len(all_)


def summary(imp: CustomerImport) -> dict[str, int]:
    return tally(imp) if imp.status == ImportStatus.CHECKED else dict(imp.counts or {})


def customers_named(account_id: int, ids: list[int]) -> list[Customer]:
    if not ids:
        return []
    return list(
        db.session.scalars(scoped(Customer, account_id).where(Customer.id.in_(ids)).order_by(Customer.sort_name))
    )


def started_by(customer: Customer) -> str:
    """Who imported this customer (the customer file names them; the import is its history
    entry): the login's name, or "" when unknown (the operators' command, a deleted login)."""
    if not customer.import_id:
        return ""
    imp = db.session.get(CustomerImport, customer.import_id)
    login = db.session.get(Login, imp.created_by_id) if imp and imp.created_by_id else None
    return login.display_name if login else ""
