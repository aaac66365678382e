"""The check: every row read with the customer form's rules, duplicates found against the
salon's customers and within the file, the result kept for the salon's decision. Nothing of
the customer file is written here; the checked rows wait (as JSON lines) for the import.

A job (`jobs.imports.check_import`): a 100,000-row file takes seconds. Its results are written
in one transaction at the end, and only if the mapping was not changed meanwhile (`runs` is the
mapping's generation while the import is being checked)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import delete, insert, select

from portal.customers.service import active_field_definitions
from portal.extensions import db
from portal.imports import files, progress
from portal.imports.reading import FileKind, ImportFileError, estimate_rows, iter_rows
from portal.imports.values import Row, RowReader
from portal.messaging.consent import email_proof_hash
from portal.models import (
    Account,
    ConsentLog,
    Customer,
    CustomerImport,
    DuplicateAction,
    ImportDuplicate,
    ImportIssue,
    ImportStatus,
    PrivacyRequest,
)
from portal.models.base import utcnow

REPORT_EVERY = 1000
# A file whose mapping is wrong has an issue in every row: the report keeps the first ones.
MAX_ISSUES = 20_000


def person_key(last_name: str, first_name: str, birthday) -> str | None:
    """Same name and birthday: the same person (case and spaces do not matter). One string, not
    a tuple: a 100,000-row file keeps 100,000 of them."""
    if not birthday:
        return None
    return (
        f"{' '.join(last_name.casefold().split())}\t{' '.join(first_name.casefold().split())}\t{birthday.isoformat()}"
    )


class Matches:
    """Who already has an email, a phone number, a name with birthday: the first one wins."""

    def __init__(self):
        self.by = {"email": {}, "phone": {}, "name_birthday": {}}

    def keys(self, email, phone, last_name, first_name, birthday) -> dict:
        return {
            "email": email or None,
            "phone": phone or None,
            "name_birthday": person_key(last_name or "", first_name or "", birthday),
        }

    def add(self, value, **person) -> None:
        for kind, key in self.keys(**person).items():
            if key is not None:
                self.by[kind].setdefault(key, value)

    def find(self, **person) -> tuple | None:
        for kind, key in self.keys(**person).items():
            if key is not None and key in self.by[kind]:
                return self.by[kind][key], kind
        return None


def existing_customers(account_id: int) -> Matches:
    matches = Matches()
    rows = db.session.execute(
        select(Customer.id, Customer.email, Customer.phone, Customer.last_name, Customer.first_name, Customer.birthday)
        .where(Customer.account_id == account_id)
        .order_by(Customer.id)
    )
    for cid, email, phone, last_name, first_name, birthday in rows:
        matches.add(cid, email=email, phone=phone, last_name=last_name, first_name=first_name, birthday=birthday)
    return matches


def erased_addresses(account_id: int) -> set[str]:
    """Keyed hashes (`consent.email_proof_hash`) of the addresses of people the salon erased:
    the erasure requests answered, and the consent proofs an erasure kept. An import must not
    bring them back; the hashes name nobody."""
    answered = select(PrivacyRequest.email_hash).where(
        PrivacyRequest.account_id == account_id,
        PrivacyRequest.kind == "erasure",
        PrivacyRequest.customer_id.is_(None),
        PrivacyRequest.email_hash != "",
    )
    proofs = select(ConsentLog.email_hash).where(
        ConsentLog.account_id == account_id, ConsentLog.customer_id.is_(None), ConsentLog.email_hash != ""
    )
    return set(db.session.scalars(answered.union(proofs)))


def _person(row: Row) -> dict:
    data = row.data
    return {
        "email": data.get("email"),
        "phone": data.get("phone"),
        "last_name": data.get("last_name"),
        "first_name": data.get("first_name"),
        "birthday": data.get("birthday"),
    }


@dataclass
class CheckResult:
    valid: int
    invalid: int
    duplicates: int


def check_import(import_id: int) -> str:
    imp = db.session.get(CustomerImport, import_id, populate_existing=True)
    if imp is None or imp.status != ImportStatus.CHECKING:
        return "nothing-to-do"
    generation = imp.runs
    try:
        result, issues, duplicates, writer = _check(imp)
    except ImportFileError as error:
        db.session.rollback()
        return _back_to_mapping(import_id, generation, error.code)
    current = db.session.execute(
        select(CustomerImport.status, CustomerImport.runs).where(CustomerImport.id == import_id).with_for_update()
    ).one()
    if tuple(current) != (ImportStatus.CHECKING, generation):
        db.session.rollback()
        return "superseded"
    clear_check(import_id)
    if issues:
        db.session.execute(insert(ImportIssue), issues[:MAX_ISSUES])
    if duplicates:
        db.session.execute(insert(ImportDuplicate), duplicates)
    writer.save()
    imp.counts = {"valid": result.valid, "invalid": result.invalid, "issues": len(issues)}
    imp.rows_total = result.valid + result.invalid
    imp.status, imp.checked_at, imp.error = ImportStatus.CHECKED, utcnow(), ""
    db.session.commit()
    progress.clear(import_id)
    return "checked"


def _check(imp: CustomerImport):
    account = db.session.get(Account, imp.account_id)
    data = files.read(imp.id)
    kind = FileKind(imp.file_format, imp.encoding, imp.delimiter)
    total = estimate_rows(data, kind)
    reader = RowReader(imp.headers, imp.mapping, active_field_definitions(imp.account_id), account.today())
    existing, in_file = existing_customers(imp.account_id), Matches()
    erased = erased_addresses(imp.account_id)
    writer = files.RecordWriter(imp.id)
    issues, duplicates = [], []
    valid = invalid = done = 0
    rows = iter_rows(data, kind)
    next(rows)  # the header
    for number, cells in rows:
        row = reader.read(number, cells)
        done += 1
        if done % REPORT_EVERY == 0:
            progress.report(imp.id, done, total)
        if row.issues:
            invalid += 1
            if len(issues) < MAX_ISSUES:
                issues.extend(
                    {"import_id": imp.id, "row_number": number, "header": column[:120], "code": code, "params": params}
                    for column, code, params in row.issues
                )
            continue
        email = row.data.get("email")
        if email and erased and email_proof_hash(email) in erased:
            invalid += 1  # erased at their request (or forgotten): never back through a file
            if len(issues) < MAX_ISSUES:
                issues.append(
                    {
                        "import_id": imp.id,
                        "row_number": number,
                        "header": reader.header_of["email"][:120],
                        "code": "erased-before",
                        "params": {},
                    }
                )
            continue
        valid += 1
        person = _person(row)
        if found := existing.find(**person):
            duplicates.append(_duplicate(imp.id, number, found, existing=True))
        elif found := in_file.find(**person):
            duplicates.append(_duplicate(imp.id, number, found, existing=False))
        in_file.add(number, **person)
        writer.add(row.as_record())
    return CheckResult(valid, invalid, len(duplicates)), issues, duplicates, writer


def _duplicate(import_id: int, number: int, found: tuple, existing: bool) -> dict:
    value, matched_by = found
    return {
        "import_id": import_id,
        "row_number": number,
        "customer_id": value if existing else None,
        "other_row": None if existing else value,
        "matched_by": matched_by,
        "action": None,
    }


def _back_to_mapping(import_id: int, generation: int, code: str) -> str:
    imp = db.session.get(CustomerImport, import_id)
    if imp.status == ImportStatus.CHECKING and imp.runs == generation:
        imp.status, imp.error = ImportStatus.UPLOADED, code
        db.session.commit()
    progress.clear(import_id)
    return "unreadable"


def clear_check(import_id: int) -> None:
    """Forget an earlier check's results (the mapping changed, or the import ended)."""
    db.session.execute(delete(ImportIssue).where(ImportIssue.import_id == import_id))
    db.session.execute(delete(ImportDuplicate).where(ImportDuplicate.import_id == import_id))


# --- the salon's decision ------------------------------------------------------------------------


def effective_action(duplicate: ImportDuplicate | tuple, default: str) -> str:
    """The salon's choice for this duplicate, else the default (a row like an earlier row of
    the file cannot "update": it is skipped unless created anyway)."""
    action, customer_id = (duplicate.action, duplicate.customer_id) if hasattr(duplicate, "action") else duplicate
    chosen = action or default
    if customer_id is None and chosen == DuplicateAction.UPDATE:
        return DuplicateAction.SKIP
    return chosen


def tally(imp: CustomerImport) -> dict[str, int]:
    """What the import would do with the choices as they are: new, updated, skipped, invalid."""
    counts = Counter(
        effective_action(pair, imp.default_action)
        for pair in db.session.execute(
            select(ImportDuplicate.action, ImportDuplicate.customer_id).where(ImportDuplicate.import_id == imp.id)
        )
    )
    duplicates = sum(counts.values())
    valid = (imp.counts or {}).get("valid", 0)
    return {
        "new": valid - duplicates + counts[DuplicateAction.CREATE],
        "updated": counts[DuplicateAction.UPDATE],
        "skipped": counts[DuplicateAction.SKIP],
        "invalid": (imp.counts or {}).get("invalid", 0),
    }
