"""Readable histories: field names as words, values as people write them, times in Berlin."""

from __future__ import annotations

from datetime import date

from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.accountability.processors import REGIONS, TRANSFER_MECHANISMS
from portal.auth.permissions import PERMISSION_LABELS, ROLE_LABELS, Permission
from portal.history.sentences import sentence
from portal.messaging.labels import CHANNEL_NAMES
from portal.requests.labels import CERTIFICATE_LABELS, CHANNEL_LABELS, OUTCOME_LABELS
from portal.validation import format_phone
from portal.web.templating import format_moment
from portal.web.words import word

FIELD_LABELS = {
    "first_name": _l("First name"),
    "last_name": _l("Last name"),
    "email": _l("Email"),
    "phone": _l("Phone"),
    "birthday": _l("Birthday"),
    "street": _l("Street and number"),
    "postal_code": _l("Postal code"),
    "city": _l("City"),
    "country": _l("Country"),
    "notes": _l("Notes"),
    "starts_at": _l("Start"),
    "ends_at": _l("End"),
    "location": _l("Location"),
    "service": _l("Service"),
    "employee": _l("Employee"),
    "status": _l("Status"),
    "reason": _l("Reason"),
    "role": _l("Role"),
    "extra_permissions": _l("Extra rights"),
    "active": _l("Active"),
    "pin_required": _l("PIN required for changes on shared devices"),
    "name": _l("Name"),
    "location_id": _l("Location"),
    "pin": _l("PIN"),
    "label": _l("Label"),
    "field_type": _l("Type"),
    "choices": _l("Choices"),
    "tab": _l("Part of the file"),
    "requests_mode": _l("Data requests"),
    "marketing_enabled": _l("Marketing functions"),
    "notification_email": _l("Email address for notifications"),
    "controller_name": _l("Business name"),
    "controller_street": _l("Street and number"),
    "controller_postal_code": _l("Postal code"),
    "controller_city": _l("City"),
    "controller_email": _l("Contact email"),
    "controller_phone": _l("Contact phone"),
    "authority_code": _l("Competent supervisory authority"),
    "dpo_name": _l("Data protection officer"),
    "dpo_email": _l("Email of the data protection officer"),
    "dpo_phone": _l("Phone of the data protection officer"),
    "dpo_address": _l("Address of the data protection officer"),
    "extensions": _l("Extensions of the privacy notice"),
    "retention_months": _l("Forget inactive customers after (months)"),
    "marketing_window_months": _l("Marketing window (months)"),
    "other_systems": _l("Other systems with customer data"),
    "is_trade_secret": _l("Trade secret"),
    "created_at": _l("Created"),
    "imported_at": _l("Imported"),
    "import_source": _l("Imported from"),
    "legacy_number": _l("Customer number in the previous software"),
    "legacy_last_visit_on": _l("Last visit in the previous software"),
    "source_name": _l("Previous software"),
    "enabled": _l("Switched on"),
    "send_at": _l("Send at"),
    "keep_login_history": _l("Keep the login history (months)"),
    "done": _l("Done"),
    "how": _l("How"),
    "confidentiality_signed_on": _l("Confidentiality commitment signed on"),
    "address": _l("Address"),
    "data_categories": _l("Categories of data"),
    "region": _l("Where the data is processed"),
    "transfer_mechanism": _l("Safeguard for the transfer"),
    "dpa_signed_on": _l("Data processing agreement signed on"),
    "dpa_file": _l("Copy of the data processing agreement"),
    "review_on": _l("Review on"),
    "erase_by_hand": _l("Remove by hand on erasure (Art. 19)"),
    "system": _l("System"),
    "occurred_at": _l("When it happened"),
    "aware_at": _l("When the salon became aware of it"),
    "description": _l("What happened"),
    "people_affected": _l("People affected (approximately)"),
    "records_affected": _l("Records affected (approximately, optional)"),
    "consequences": _l("Likely consequences for the people"),
    "measures": _l("Measures taken or planned"),
    "notified_at": _l("Notified on"),
    "authority_reference": _l("The authority's reference (optional)"),
    "late_reason": _l("Reasons for the delay (after 72 hours)"),
    "not_notified_reason": _l("Why no notification is needed"),
    "inform_people": _l("Must the people affected be told (Art. 34 GDPR)?"),
    "inform_reasoning": _l("Reasoning"),
    "notice_total": _l("Messages to the people affected"),
    "note": _l("Note"),
    "purpose": _l("Purposes"),
    "legal_basis": _l("Legal basis"),
    "data_subjects": _l("Data subjects"),
    "retention": _l("Erasure periods"),
    "keep_access_log": _l("Keep the data-access log (months)"),
    "keep_message_log": _l("Keep the message log (months)"),
    "own_text_confirmation": _l("Own text of the booking confirmation"),
    "own_text_reminder": _l("Own text of the reminder"),
    "own_text_update": _l("Own text of the message on a move"),
    "own_text_cancellation": _l("Own text of the cancellation message"),
    "version": _l("Version"),
    "subject": _l("Subject"),
    "send_hour": _l("Send from (hour)"),
    "delay_hours": _l("Hours after the visit"),
    "period_days": _l("At most once per customer within (days)"),
    "months": _l("Months without visit or purchase"),
    "new": _l("New customers"),
    "updated": _l("Updated customers"),
    "skipped": _l("Skipped rows"),
    "invalid": _l("Rows with errors"),
    "removed": _l("Removed customers"),
    "reverted": _l("Customers reset"),
    "kept": _l("Customers kept (used since)"),
    "last_activity_at": _l("Last activity"),
    "restricted_at": _l("Restricted since"),
    "restricted": _l("Restricted"),
    "marketing": _l("Marketing"),
    "merged_customer": _l("Merged customer"),
    "filled": _l("Taken over"),
    "deleted": _l("Deleted"),
    "due_on": _l("Due"),
    "outcome": _l("Outcome"),
    "channel": _l("Received"),
    "customer": _l("Customer"),
    "period": _l("Period"),
    "fields": _l("Fields"),
    "format": _l("Format"),
    "recipient": _l("Recipient"),
    "hold_until": _l("Hold until"),
    "forgotten": _l("Forgotten"),
    "held": _l("Held"),
    "invoice": _l("Invoice"),
    "number": _l("Invoice number"),
    "total": _l("Total"),
    "stamps": _l("Stamps"),
    "value": _l("Value"),
    "valid_until": _l("Valid until"),
    "remaining": _l("Remaining value"),
    "program": _l("Bonus program"),
    "stamps_required": _l("Stamps for a full card"),
    "reward": _l("Reward"),
    "services": _l("Services that earn a stamp"),
    "state": _l("State (Bundesland)"),
    "tax_id": _l("Tax number or VAT id"),
    "attempts": _l("Attempts"),
    "run": _l("Run"),
    "rows": _l("Rows"),
    "size": _l("Size (bytes)"),
    "consent_email": _l("Marketing consent by email"),
    "consent_sms": _l("Marketing consent by SMS"),
    "consent_photo": _l("Consent to publish photos"),
    "reminders_off": _l("No appointment messages"),
    "guardian_consent": _l("Guardian consented (under 16)"),
    "recipients": _l("Recipients"),
    "two_factor_required": _l("Two-factor login required for owners and administrators"),
    "failed_attempts": _l("Wrong passwords"),
    "ip_addresses": _l("IP addresses"),
    "checked_in_at": _l("Arrived"),
    "form": _l("Form"),
    "sha256": _l("SHA-256 fingerprint"),
    "pdf_sha256": _l("SHA-256 of the PDF"),
    "health_consent": _l("Consent to health data (Art. 9 GDPR)"),
}
YES, NO = _l("yes"), _l("no")
CONSENT_STATES = {"none": _l("not recorded"), "granted": _l("agreed"), "withdrawn": _l("withdrawn")}
# What an erasure deleted, counted per kind (the certificate's words, and the traces').
DELETED_PARTS = {
    "customer_file": _l("customer file"),
    "holds": _l("holds"),
    "messages_detached": _l("messages (detached)"),
    "unverified_requests": _l("unconfirmed requests"),
}
REQUESTS_MODES = {"self_service": _l("self-service"), "manual": _l("manual")}

ACTION_LABELS = {
    "created": _l("created"),
    "updated": _l("changed"),
    "deleted": _l("deleted"),
    "evidence_pack": _l("evidence pack built"),
    "merged": _l("merged"),
    "erased": _l("erased"),
    "restricted": _l("restricted"),
    "unrestricted": _l("restriction lifted"),
    "objected": _l("objected to marketing"),
    "purged": _l("deleted after the retention period"),
    "held": _l("kept from automatic forgetting"),
    "retention_run": _l("automatic forgetting run"),
    "moved": _l("moved"),
    "cancelled": _l("cancelled"),
    "viewed": _l("opened"),
    "login": _l("logged in"),
    "logout": _l("logged out"),
    "login_failed": _l("failed login"),
    "locked_out": _l("login protection on (too many wrong passwords; further tries wait, the owners were told)"),
    "login_delayed": _l("login refused: waiting time after wrong passwords"),
    "login_two_factor": _l("logged in (with two-factor code)"),
    "login_recovery_code": _l("logged in with a recovery code"),
    "two_factor_enabled": _l("two-factor login switched on"),
    "two_factor_disabled": _l("two-factor login switched off"),
    "two_factor_failed": _l("wrong two-factor code"),
    "recovery_codes_renewed": _l("new recovery codes made"),
    "password_reset_requested": _l("password reset link requested"),
    "password_reset": _l("password set anew through the emailed link"),
    "password_changed": _l("password changed"),
    "password_set": _l("password set (invitation)"),
    "pin_failed": _l("wrong PIN"),
    "pin_locked": _l("PIN locked (too many attempts)"),
    "exported": _l("export requested"),
    "downloaded": _l("export downloaded"),
    "checked_out": _l("checked out"),
    "attended": _l("checked out (attended)"),
    "no_show": _l("not attended (no-show)"),
    "checkout_cancelled": _l("checkout cancelled (invoice cancelled)"),
    "invoice_cancelled": _l("invoice cancelled"),
    "voucher_created": _l("voucher created"),
    "voucher_paid_out": _l("voucher paid out"),
    "voucher_voided": _l("voucher voided"),
    "card_activated": _l("bonus card activated"),
    "consent": _l("consent recorded"),
    "campaign_started": _l("campaign sent"),
    "campaign_scheduled": _l("campaign planned"),
    "consent_text": _l("consent text saved as a new version"),
    "campaign_unscheduled": _l("campaign plan cancelled"),
    "import_updated": _l("updated by an import"),
    "import_reverted": _l("import taken back"),
    "import_started": _l("import started"),
    "import_finished": _l("import finished"),
    "import_failed": _l("import failed (nothing imported)"),
    "import_undone": _l("import undone"),
    "checked_in": _l("checked in"),
    "tablet_handed_over": _l("tablet handed over"),
    "tablet_created": _l("entered on the tablet by the customer"),
    "tablet_updated": _l("changed on the tablet by the customer"),
    "form_signed": _l("form signed"),
    "health_viewed": _l("health answers read"),
    "health_withdrawn": _l("consent to health data withdrawn"),
}

ENTITY_LABELS = {
    "account": _l("Account"),
    "customer_field": _l("Customer field"),
    "login": _l("Login"),
    "employee": _l("Employee"),
    "customer": _l("Customer"),
    "appointment": _l("Appointment"),
    "login_history_export": _l("Login history export"),
    "privacy_settings": _l("Privacy settings"),
    "invoice": _l("Invoice"),
    "voucher": _l("Voucher"),
    "stamp_card": _l("Bonus card"),
    "bonus_program": _l("Bonus program"),
    "location": _l("Location"),
    "customer_import": _l("Customer import"),
    "automation": _l("Automatic message"),
    "consent_text": _l("Consent text"),
    "retention_plan": _l("Retention plan"),
    "salon_measure": _l("Technical and organisational measure"),
    "processor": _l("Processor"),
    "breach": _l("Data breach"),
    "record_entry": _l("Record of processing activities"),
    "evidence_pack": _l("Evidence pack"),
}

DATE_FIELDS = ("due_on", "legacy_last_visit_on", "confidentiality_signed_on", "dpa_signed_on", "review_on")

STATUS_LABELS = {
    "booked": _l("booked"),
    "attended": _l("attended"),
    "cancelled": _l("cancelled"),
    "no_show": _l("no-show"),
}
TAB_LABELS = {
    "data": _l("Data"),
    "appointments": _l("Appointments"),
    "invoices": _l("Invoices"),
    "vouchers": _l("Vouchers & stamp cards"),
    "history": _l("History"),
}


def value_label(name: str, value) -> str:
    """A stored value as people write it (the histories and the access report)."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return word(YES) if value else word(NO)
    if name == "phone":
        return format_phone(value)
    if name == "country" and isinstance(value, str):
        return get_locale().territories.get(value.upper(), value)
    if name == "role":
        return word(ROLE_LABELS.get(value, value))
    if name == "status":
        return word(STATUS_LABELS.get(value, value))
    if name in ("total", "value", "remaining") and isinstance(value, int):
        from flask_babel import format_currency

        return format_currency(value / 100, "EUR")
    if name == "stamps" and isinstance(value, dict):
        return ", ".join(f"{program}: +{count}" for program, count in value.items())
    if name == "tab":
        return word(TAB_LABELS.get(value, value))
    if name == "outcome":
        return word(OUTCOME_LABELS.get(value, value))
    if name == "channel":
        return word(CHANNEL_LABELS.get(value, value))
    if name.startswith("consent_"):
        return word(CONSENT_STATES.get(value, value))
    if name == "deleted" and isinstance(value, dict):
        return _counted(value)
    if name == "inform_people":
        return _("yes") if value == "yes" else _("no")
    if name == "region":
        return word(REGIONS.get(value, value))
    if name == "transfer_mechanism":
        return word(TRANSFER_MECHANISMS.get(value, value))
    if name in DATE_FIELDS and isinstance(value, str):
        try:
            return format_date(date.fromisoformat(value), "medium")
        except ValueError:
            return value
    if name == "requests_mode":
        return word(REQUESTS_MODES.get(value, value))
    if name == "other_systems":
        return "; ".join(
            f"{s.get('name')}: {s.get('purpose')}" if s.get("purpose") else str(s.get("name")) for s in value
        )
    if name == "extensions" and len(value) > 120:
        return value[:120] + " …"
    if name == "extra_permissions":
        return ", ".join(str(PERMISSION_LABELS.get(Permission(p), p)) for p in value)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):  # never a raw dict: its parts in words
        return _counted(value)
    if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and value[10] == "T":
        try:
            return format_moment(value)
        except ValueError:
            return value
    if name == "birthday" and isinstance(value, str):
        try:
            return format_date(date.fromisoformat(value), "medium")
        except ValueError:
            return value
    return str(value)


def _counted(parts: dict) -> str:
    """{"appointments": 3, "customer_file": 1} -> "customer file: 1, appointments: 3" in words."""
    words = {**CERTIFICATE_LABELS, **DELETED_PARTS}
    return (
        ", ".join(
            f"{words.get(key, FIELD_LABELS.get(key, key.replace('_', ' ')))}: {count}"
            for key, count in parts.items()
            if count
        )
        or "—"
    )


def describe_changes(changes: dict) -> list[tuple[str, str, str]]:
    """[(label, old, new)] of an event's field diff."""
    rows = []
    for name, change in (changes or {}).items():
        if not isinstance(change, dict) or "new" not in change:
            continue
        label = change.get("label") or word(FIELD_LABELS.get(name, name))
        rows.append((label, value_label(name, change.get("old")), value_label(name, change.get("new"))))
    return rows


def action_label(action: str) -> str:
    return word(ACTION_LABELS.get(action, action))


def entity_label(entity_type: str) -> str:
    return word(ENTITY_LABELS.get(entity_type, entity_type))


_BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"), ("Safari/", "Safari"))
_SYSTEMS = (
    ("iPhone", "iOS"),
    ("iPad", "iPadOS"),
    ("Android", "Android"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
)


def device_label(user_agent: str | None) -> str:
    """A browser's self-description as people say it ("Chrome on Windows"); the raw string
    stays in the record and in the exported login history."""
    agent = user_agent or ""
    browser = next((name for marker, name in _BROWSERS if marker in agent), None)
    system = next((name for marker, name in _SYSTEMS if marker in agent), None)
    if browser and system:
        return _("%(browser)s on %(system)s", browser=browser, system=system)
    return browser or system or _("unknown device")


APPOINTMENT_REF = _l("Appointment #%(id)d")


def appointment_ref(appointment_id: int) -> str:
    return word(APPOINTMENT_REF) % {"id": appointment_id}


# The history lists (the histories and the customer file's history tab) and the access report.
TEMPLATE_LABELS = {
    "action_label": action_label,
    "appointment_ref": appointment_ref,
    "sentence": sentence,
    "device_label": device_label,
    "entity_label": entity_label,
    "describe_changes": describe_changes,
    "tab_label": lambda tab: word(TAB_LABELS.get(tab, tab)),
    "subject_labels": FIELD_LABELS,
    "appointment_statuses": STATUS_LABELS,
    "subject_value": value_label,
    "consent_channels": CHANNEL_NAMES,
    "consent_states": CONSENT_STATES,
}
