from flask_babel import lazy_gettext as _l

HOLD_REASONS = {
    "hold": _l("held by staff"),
    "request": _l("open privacy request"),
    "appointment": _l("future appointment"),
    "voucher": _l("unredeemed voucher"),
    "invoice": _l("open invoice"),
    "restricted": _l("processing restricted"),
}
RUN_STATUSES = {"running": _l("running"), "finished": _l("finished"), "stopped": _l("stopped (switched off)")}

TEMPLATE_LABELS = {"hold_reasons": HOLD_REASONS, "run_statuses": RUN_STATUSES}
