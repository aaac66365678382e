"""The access package's report.html: the long tables' rows are written here in one pass (a
regular customer has a thousand appointments), in the customer's language and the salon's
zone; the template only lays them out."""

from __future__ import annotations

import html
from zoneinfo import ZoneInfo

from flask import render_template
from markupsafe import Markup

from portal.history.display import STATUS_LABELS
from portal.history.display import TEMPLATE_LABELS as HISTORY_LABELS
from portal.messaging.labels import CONSENT_METHODS
from portal.models import PrivacyRequest
from portal.privacy.notice import Notice
from portal.web.templating import moment_writer, money
from portal.web.words import force_locale, word


def render_report(data: dict, notice: Notice, request: PrivacyRequest) -> str:
    with force_locale(request.locale or "de"):
        moment = moment_writer(ZoneInfo(notice.account.timezone))
        statuses = {key: word(label) for key, label in STATUS_LABELS.items()}
        appointments = [
            (
                moment(a["starts_at"]),
                a["service"] or "",
                a["employee"] or "",
                a["location"] or "",
                statuses.get(a["status"], a["status"]),
            )
            for a in data["appointments"]
        ]
        invoices = [
            (
                i["number"],
                moment(i["issued_at"], with_time=False),
                ", ".join(f"{line['quantity']} × {line['description']}" for line in i["lines"]),
                money(i["total_cents"]),
            )
            for i in data["invoices"]
        ]
        return render_template(
            "requests/access_report.html",
            data=data,
            notice=notice,
            request=request,
            appointments=_html_rows(appointments),
            appointment_count=len(appointments),
            invoices=_html_rows(invoices),
            invoice_count=len(invoices),
            consent_methods=CONSENT_METHODS,
            **HISTORY_LABELS,
        )


class _Escaped(dict):
    """Each distinct text escaped once: a table's services, employees, locations and states
    repeat on every row."""

    def __missing__(self, text: str) -> str:
        escaped = self[text] = html.escape(text)
        return escaped


def _html_rows(rows: list[tuple[str, ...]]) -> Markup:
    """Table rows of text cells, escaped: a thousand rows through Jinja's output machinery cost
    more than the rest of the report (html.escape: half of markupsafe's per-call cost)."""
    if not rows:
        return Markup("")
    row = "<tr>" + "<td>{}</td>" * len(rows[0]) + "</tr>\n"
    escape = _Escaped().__getitem__
    return Markup("".join(row.format(*map(escape, cells)) for cells in rows))
