from flask_babel import lazy_gettext as _l

EXPORT_FORMATS = {
    "csv": _l("CSV (comma, UTF-8) — international standard"),
    "csv_de": _l("CSV for German Excel (semicolon, UTF-8)"),
    "xlsx": _l("Excel workbook (XLSX)"),
}
EXPORT_STATUSES = {
    "draft": _l("draft"),
    "awaiting_confirmation": _l("waiting for confirmation"),
    "queued": _l("queued"),
    "running": _l("running"),
    "finished": _l("ready for download"),
    "downloaded": _l("downloaded"),
    "locked": _l("locked"),
    "expired": _l("expired"),
    "failed": _l("failed"),
    "withdrawn": _l("withdrawn after an erasure"),
}
EXPORT_EVENTS = {
    "requested": _l("requested; confirmation email sent"),
    "confirmation_failed": _l("wrong password"),
    "locked": _l("locked after five wrong passwords"),
    "confirmed": _l("confirmed with the password"),
    "started": _l("started"),
    "finished": _l("finished; download email sent"),
    "downloaded": _l("downloaded"),
    "expired": _l("expired; file deleted"),
    "failed": _l("failed"),
    "withdrawn": _l("file deleted: a customer in it was erased"),
}

TEMPLATE_LABELS = {"export_formats": EXPORT_FORMATS, "export_statuses": EXPORT_STATUSES, "export_events": EXPORT_EVENTS}
