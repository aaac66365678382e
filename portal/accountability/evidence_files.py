"""The files of the evidence pack, each built from what the portal holds, in German (for a
German authority). No file names a customer: the request statistics count, the erasure
certificates carry the request number instead of the customer reference."""

from __future__ import annotations

import json
import re
from datetime import timedelta

from flask import current_app, render_template
from flask_babel import gettext as _
from sqlalchemy import select

from portal.accountability import breaches, measures, processing, processors
from portal.accountability.processing_export import to_docx, to_pdf
from portal.csv_safe import to_csv
from portal.extensions import db
from portal.history.display import describe_changes
from portal.history.queries import with_names
from portal.history.sentences import sentence
from portal.models import Account, AuditEvent, Location, PrivacyRequest, StoredFile
from portal.models.base import utcnow
from portal.privacy.notice import build_notice
from portal.requests.labels import KIND_SHORT
from portal.web.templating import format_moment_in_zone

SETTINGS_HISTORY_YEARS = 3


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")[:40] or "eintrag"


def _when(account: Account, moment) -> str:
    return format_moment_in_zone(moment, account.timezone) if moment else ""


def record_of_processing(account: Account) -> dict[str, bytes]:
    current = processing.current(account.id)
    versions = processing.versions(account.id)
    return {
        "1-verarbeitungsverzeichnis/verzeichnis.pdf": to_pdf(current, account.name),
        "1-verarbeitungsverzeichnis/verzeichnis.docx": to_docx(current, account.name),
        "1-verarbeitungsverzeichnis/versionen.csv": to_csv(
            [_("Version"), _("Since"), "SHA-256"],
            [[v.number, _when(account, v.created_at), v.digest] for v in versions],
        ),
    }


def processor_register(account: Account) -> dict[str, bytes]:
    entries = processors.register(account.id)
    files = {
        "2-auftragsverarbeiter/auftragsverarbeiter.csv": to_csv(
            [
                _("Name"),
                _("Address"),
                _("Service"),
                _("Categories of data"),
                _("Where the data is processed"),
                _("Safeguard for the transfer"),
                _("Data processing agreement signed on"),
                _("Review on"),
                _("Remove by hand on erasure (Art. 19)"),
            ],
            [
                [
                    processors.name_of(p),
                    p.address,
                    processors.service_of(p),
                    processors.categories_of(p),
                    p.country if p.region == "third_country" else processors.REGIONS.get(p.region, ""),
                    processors.TRANSFER_MECHANISMS.get(p.transfer_mechanism, ""),
                    p.dpa_signed_on.strftime("%d.%m.%Y") if p.dpa_signed_on else "",
                    p.review_on.strftime("%d.%m.%Y") if p.review_on else "",
                    _("yes") if p.erase_by_hand else _("no"),
                ]
                for p in entries
            ],
        )
    }
    for p in entries:
        stored = db.session.get(StoredFile, p.dpa_file_id) if p.dpa_file_id else None
        if stored is not None:
            files[f"2-auftragsverarbeiter/av-vertrag-{p.id}-{_slug(processors.name_of(p))}.pdf"] = stored.content
    return files


def measures_list(account: Account) -> dict[str, bytes]:
    rows = [[str(what), str(how), _("by the portal"), _("yes")] for what, how in measures.BY_THE_PORTAL]
    rows += [
        [str(m.label), m.note, _("by the salon"), _("yes") if m.done else _("no")]
        for m in measures.salon_measures(account.id)
    ]
    rows += [
        [
            _("Confidentiality commitment: %(name)s", name=employee.name),
            "",
            _("by the salon"),
            signed_on.strftime("%d.%m.%Y") if signed_on else _("no"),
        ]
        for employee, signed_on in measures.commitments(account.id)
    ]
    return {"3-tom/massnahmen.csv": to_csv([_("Measure"), _("How"), _("Provided"), _("Done")], rows)}


def privacy_notices(account: Account) -> dict[str, bytes]:
    files = {}
    locations = db.session.scalars(select(Location).where(Location.account_id == account.id).order_by(Location.id))
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    for location in locations:
        with current_app.test_request_context(base_url=base):
            html = render_template("public/privacy_notice.html", notice=build_notice(location))
        files[f"4-datenschutzerklaerungen/{location.id}-{_slug(location.name)}.html"] = html.encode()
    return files


def request_statistics(account: Account) -> dict[str, bytes]:
    """Per kind: received, answered within the deadline, extended, overdue, rejected — counts only."""
    today = account.today()
    counts: dict[str, list[int]] = {}
    for request in db.session.scalars(
        select(PrivacyRequest).where(PrivacyRequest.account_id == account.id, PrivacyRequest.received_at.is_not(None))
    ):
        row = counts.setdefault(request.kind, [0, 0, 0, 0, 0])
        row[0] += 1
        answered_on = account.local_date(request.handled_at) if request.handled_at else None
        if answered_on and request.due_on and answered_on <= request.due_on:
            row[1] += 1
        if request.extension_months:
            row[2] += 1
        if request.due_on and ((answered_on or today) > request.due_on):
            row[3] += 1
        if request.status == "rejected":
            row[4] += 1
    header = [
        _("Request"),
        _("Received"),
        _("Answered within the deadline"),
        _("Extended"),
        _("Overdue"),
        _("Rejected"),
    ]
    rows = [[str(KIND_SHORT.get(kind, kind)), *values] for kind, values in sorted(counts.items())]
    return {"5-anfragen/statistik.csv": to_csv(header, rows)}


def erasure_certificates(account: Account) -> dict[str, bytes]:
    files = {}
    for request in db.session.scalars(
        select(PrivacyRequest)
        .where(PrivacyRequest.account_id == account.id, PrivacyRequest.kind == "erasure")
        .order_by(PrivacyRequest.id)
    ):
        if not request.certificate:
            continue
        certificate = {k: v for k, v in request.certificate.items() if k != "customer_reference"}
        certificate["request"] = f"#{request.id}"  # in place of the customer
        files[f"6-loeschbestaetigungen/anfrage-{request.id}.json"] = json.dumps(
            certificate, ensure_ascii=False, indent=2
        ).encode()
    return files


def breach_register(account: Account) -> dict[str, bytes]:
    header = [
        _("Breach"),
        _("When it happened"),
        _("When the salon became aware of it"),
        _("What happened"),
        _("Which data"),
        _("People affected (approximately)"),
        _("Likely consequences for the people"),
        _("Measures taken or planned"),
        _("Notified on"),
        _("Reasons for the delay (after 72 hours)"),
        _("Why no notification is needed"),
        _("Must the people affected be told (Art. 34 GDPR)?"),
        _("Reasoning"),
    ]
    rows = [
        [
            f"#{b.id}",
            _when(account, b.occurred_at),
            _when(account, b.aware_at),
            b.description,
            b.data_categories,
            b.people_affected,
            b.consequences,
            b.measures,
            _when(account, b.notified_at),
            b.late_reason,
            b.not_notified_reason,
            {"yes": _("yes"), "no": _("no")}.get(b.inform_people, ""),
            b.inform_reasoning,
        ]
        for b in breaches.register(account.id)
    ]
    return {"7-datenpannen/datenpannen.csv": to_csv(header, rows)}


def settings_history(account: Account) -> dict[str, bytes]:
    since = utcnow() - timedelta(days=365 * SETTINGS_HISTORY_YEARS + 1)
    events = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.account_id == account.id, AuditEvent.category == "setting", AuditEvent.occurred_at >= since)
        .order_by(AuditEvent.occurred_at, AuditEvent.id)
    ).all()
    page = with_names(account.id, events)
    rows = [
        [
            _when(account, e.occurred_at),
            sentence(e, page.logins, page.employees),
            "; ".join(f"{label}: {old} → {new}" for label, old, new in describe_changes(e.changes)),
        ]
        for e in page.events
    ]
    return {"8-einstellungsverlauf/verlauf.csv": to_csv([_("When"), _("What"), _("Changes")], rows)}


# In the order the pack lists them; each a step of the progress shown.
PARTS = (
    record_of_processing,
    processor_register,
    measures_list,
    privacy_notices,
    request_statistics,
    erasure_certificates,
    breach_register,
    settings_history,
)
