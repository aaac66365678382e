"""Words for what happens to a request, in the inbox and in the erasure certificate."""

from flask_babel import lazy_gettext as _l

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
}
CERTIFICATE_LABELS = {
    "vouchers_detached": _l("vouchers detached"),
    "stamp_cards": _l("stamp cards"),
    "custom_field_values": _l("own field values"),
    "consents": _l("consents (proof kept as a hash)"),
    "messages": _l("stored messages"),
    "history_entries_redacted": _l("history entries redacted"),
    "invoices": _l("Invoices"),
    "appointments": _l("Appointments (without the person)"),
    "reports": _l("for the salon's reports, no longer linked to a person"),
}
