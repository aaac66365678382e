"""Words for requests: their kinds, channels and states, what happens to them, and the erasure
certificate; `TEMPLATE_LABELS` is what the request pages and mails use under these names."""

from datetime import date

from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from portal.models.requests import OPEN_STATUSES
from portal.requests.deadlines import days_left
from portal.web.words import word

KIND_LABELS = {
    "access": _l("A copy of my data (Art. 15 GDPR)"),
    "portability": _l("My data in a machine-readable format (Art. 20 GDPR)"),
    "correction": _l("Correct my data (Art. 16 GDPR)"),
    "erasure": _l("Erase my data (Art. 17 GDPR)"),
    "restriction": _l("Restrict the processing of my data (Art. 18 GDPR)"),
    "objection": _l("No more marketing (objection, Art. 21 GDPR)"),
}
KIND_SHORT = {
    "access": _l("Access"),
    "portability": _l("Portability"),
    "correction": _l("Correction"),
    "erasure": _l("Erasure"),
    "restriction": _l("Restriction"),
    "objection": _l("Objection"),
}
CHANNEL_LABELS = {
    "online": _l("online"),
    "in_person": _l("in person"),
    "phone": _l("by phone"),
    "letter": _l("by letter"),
    "email": _l("by email"),
}
STATUS_LABELS = {
    "unverified": _l("not confirmed"),
    "new": _l("new"),
    "in_progress": _l("in progress"),
    "done": _l("done"),
    "rejected": _l("rejected"),
}

OUTCOME_LABELS = {
    "erased": _l("customer erased"),
    "no_data": _l("no data held for this address"),
    "package_sent": _l("data package sent"),
    "restricted": _l("processing restricted"),
    "marketing_withdrawn": _l("marketing consent withdrawn"),
    "corrected": _l("data corrected"),
}
TIMELINE_LABELS = {
    "recorded": _l("recorded by staff"),
    "received": _l("received; deadline started"),
    "started": _l("marked as in progress"),
    "extended": _l("deadline extended"),
    "rejected": _l("rejected"),
    "done": _l("done"),
    "linked": _l("linked to a customer"),
    "package_requested": _l("data package requested"),
    "package_downloaded": _l("data package downloaded"),
    "erased": _l("customer erased; other systems to tick off"),
    "system_cleaned": _l("a system ticked off as cleaned"),
    "system_skipped": _l("a system skipped with a reason"),
}
CERTIFICATE_LABELS = {
    "vouchers_detached": _l("vouchers detached"),
    "stamp_cards": _l("stamp cards"),
    "custom_field_values": _l("own field values"),
    "consents": _l("consents (proof kept as a hash)"),
    "messages": _l("stored messages"),
    "history_entries_redacted": _l("history entries redacted"),
    "signed_documents": _l("signed forms with their PDFs and signatures"),
    "invoices": _l("Invoices"),
    "appointments": _l("Appointments (without the person)"),
    "reports": _l("for the salon's reports, no longer linked to a person"),
}

# Used by the request pages, the customer file's privacy tab and the request mails.
TEMPLATE_LABELS = {
    "request_kinds": KIND_SHORT,
    "public_kinds": KIND_LABELS,
    "request_statuses": STATUS_LABELS,
    "channel_labels": CHANNEL_LABELS,
    "outcome_labels": OUTCOME_LABELS,
    "timeline_labels": TIMELINE_LABELS,
    "certificate_labels": CERTIFICATE_LABELS,
}


DUE_OVERDUE = _l("%(n)d days overdue")
DUE_TODAY = _l("due today")
DUE_LEFT = _l("%(n)d days left")


def due_label(request, today: date) -> tuple[str, str] | None:
    """The deadline of an open request as the inbox shows it: its CSS class and words ("3 days
    left"); None for a request without deadline or no longer open. `request` is a request or
    an inbox row (its status and due date)."""
    if not request.due_on or request.status not in OPEN_STATUSES:
        return None
    left = days_left(request.due_on, today)
    css = "due-over" if left < 0 else "due-urgent" if left <= 2 else "due-soon" if left <= 7 else ""
    if left < 0:
        return css, word(DUE_OVERDUE) % {"n": -left}
    if left == 0:
        return css, word(DUE_TODAY)
    return css, word(DUE_LEFT) % {"n": left}


def due_badge(request, today: date) -> Markup:
    """`due_label` as the badge the inbox and the request page show ("" when there is none):
    written here, not by a template macro, which cost a fifth of an inbox row."""
    due = due_label(request, today)
    if due is None:
        return Markup("")
    return Markup(f'<span class="due {escape(due[0])}">{escape(due[1])}</span>')


TEMPLATE_LABELS["due_badge"] = due_badge
