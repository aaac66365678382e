"""A history entry as one sentence with who did it: "Mia Schneider (PIN) hat die Kundenakte
geändert." The changed fields follow it as a list (see `display.describe_changes`)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.web.words import word

# The thing an entry is about, as the object of "hat … geändert" (German accusative).
ENTITY_OBJECTS = {
    "account": _l("the salon's data"),
    "automation": _l("an automatic message"),
    "consent_text": _l("a consent text"),
    "retention_plan": _l("the retention plan"),
    "salon_measure": _l("a technical and organisational measure"),
    "processor": _l("an entry of the processor register"),
    "breach": _l("a data breach"),
    "record_entry": _l("the record of processing activities"),
    "evidence_pack": _l("the evidence pack"),
    "bonus_program": _l("a bonus program"),
    "form": _l("a form"),
    "signed_document": _l("a signed form"),
    "campaign": _l("a campaign"),
    "customer": _l("the customer file"),
    "customer_export": _l("the customer export"),
    "customer_field": _l("an own field"),
    "customer_import": _l("a customer import"),
    "employee": _l("an employee's entry"),
    "invoice": _l("the invoice"),
    "location": _l("the location"),
    "login": _l("a login"),
    "messaging_settings": _l("the message settings"),
    "privacy_request": _l("the request"),
    "privacy_settings": _l("the privacy settings"),
    "retained_records": _l("retained records"),
    "retention_run": _l("the automatic forgetting"),
    "appointment": _l("the appointment"),
    "stamp_card": _l("the bonus card"),
    "stored_file": _l("a file"),
    "voucher": _l("the voucher"),
}

# One sentence per action of the histories; %(who)s is the person, %(what)s the object above.
SENTENCES = {
    "created": _l("%(who)s created %(what)s."),
    "deleted": _l("%(who)s deleted %(what)s."),
    "evidence_pack": _l("%(who)s had the evidence pack for the authority built."),
    "updated": _l("%(who)s changed %(what)s."),
    "merged": _l("%(who)s merged two customer files into one."),
    "erased": _l("%(who)s erased the customer's data."),
    "restricted": _l("%(who)s restricted the processing of the customer's data."),
    "unrestricted": _l("%(who)s lifted the restriction of processing."),
    "objected": _l("%(who)s recorded an objection to marketing."),
    "purged": _l("%(who)s deleted %(what)s after the retention period."),
    "held": _l("%(who)s kept the customer file from the automatic forgetting."),
    "retention_run": _l("%(who)s ran the automatic forgetting."),
    "moved": _l("%(who)s moved %(what)s."),
    "cancelled": _l("%(who)s cancelled %(what)s."),
    "viewed": _l("%(who)s opened %(what)s."),
    "login": _l("%(who)s logged in."),
    "logout": _l("%(who)s logged out."),
    "login_failed": _l("%(who)s tried to log in with a wrong password."),
    "locked_out": _l(
        "The login protection went on after too many wrong passwords: further tries wait, the owners were told."
    ),
    "login_delayed": _l("%(who)s was refused: the waiting time after wrong passwords was still running."),
    "login_two_factor": _l("%(who)s logged in with a two-factor code."),
    "login_recovery_code": _l("%(who)s logged in with a recovery code."),
    "two_factor_enabled": _l("%(who)s switched on the two-factor login."),
    "two_factor_disabled": _l("%(who)s switched off the two-factor login."),
    "two_factor_failed": _l("%(who)s entered a wrong two-factor code."),
    "recovery_codes_renewed": _l("%(who)s made new recovery codes."),
    "password_reset_requested": _l("%(who)s asked for a link to reset the password."),
    "password_reset": _l("%(who)s set a new password through the emailed link."),
    "password_changed": _l("%(who)s changed the password."),
    "password_set": _l("%(who)s set a password for the invitation."),
    "pin_failed": _l("%(who)s entered a wrong PIN."),
    "pin_locked": _l("The PIN was locked after too many wrong attempts."),
    "exported": _l("%(who)s requested the login history as a file."),
    "downloaded": _l("%(who)s downloaded %(what)s."),
    "checked_out": _l("%(who)s checked out %(what)s."),
    "attended": _l("%(who)s checked out the appointment (attended)."),
    "no_show": _l("%(who)s marked the appointment as not attended."),
    "checkout_cancelled": _l("%(who)s cancelled the checkout; the invoice was cancelled."),
    "invoice_cancelled": _l("%(who)s cancelled %(what)s."),
    "voucher_created": _l("%(who)s sold a voucher."),
    "voucher_paid_out": _l("%(who)s paid out a voucher."),
    "voucher_voided": _l("%(who)s voided a voucher."),
    "card_activated": _l("%(who)s activated a bonus card."),
    "consent": _l("%(who)s recorded a consent."),
    "campaign_started": _l("%(who)s sent a campaign."),
    "campaign_scheduled": _l("%(who)s planned a campaign."),
    "consent_text": _l("%(who)s saved a new version of a consent text."),
    "campaign_unscheduled": _l("%(who)s cancelled the plan of a campaign."),
    "import_updated": _l("%(who)s updated %(what)s from an import."),
    "import_reverted": _l("%(who)s took back what an import had changed in %(what)s."),
    "import_started": _l("%(who)s started a customer import."),
    "import_finished": _l("The customer import started by %(who)s has finished."),
    "import_failed": _l("The customer import started by %(who)s failed; nothing was imported."),
    "import_undone": _l("%(who)s undid a customer import."),
    "checked_in": _l("%(who)s checked the customer in (arrived)."),
    "tablet_handed_over": _l("%(who)s handed the tablet to the customer with a form."),
    "tablet_created": _l("The customer entered their data on the tablet (handed over by %(who)s)."),
    "tablet_updated": _l("The customer changed their data on the tablet (handed over by %(who)s)."),
    "form_signed": _l("The customer signed a form on the tablet (handed over by %(who)s)."),
    "health_viewed": _l("%(who)s read the health answers of a signed form."),
    "health_withdrawn": _l("%(who)s recorded that the customer withdrew the consent to health data."),
}

# A request's timeline: the same, in the request's own words.
REQUEST_SENTENCES = {
    "recorded": _l("%(who)s recorded the request."),
    "received": _l("The request was received; the deadline runs from now."),
    "started": _l("%(who)s started working on the request."),
    "extended": _l("%(who)s extended the deadline."),
    "rejected": _l("%(who)s rejected the request."),
    "done": _l("%(who)s completed the request."),
    "linked": _l("%(who)s linked the request to a customer file."),
    "package_requested": _l("%(who)s had the data package built."),
    "package_downloaded": _l("The customer downloaded the data package."),
    "erased": _l("%(who)s erased the customer; the other systems are still to be ticked off."),
    "system_cleaned": _l("%(who)s ticked off a system as cleaned (Art. 19 GDPR)."),
    "system_skipped": _l("%(who)s skipped a system, with a reason (Art. 19 GDPR)."),
}


PIN_NAME = _l("%(name)s (PIN)")
SOMEONE = _l("Someone")
PUBLIC_CUSTOMER = _l("The customer on the public pages")
THE_PORTAL = _l("The portal (automatically)")
AN_ENTRY = _l("an entry")


def who(event, logins: dict, employees: dict) -> str:
    """The person behind an entry: the employee a PIN identified, else the login, else the
    customer on the public pages, else the portal itself (a nightly job)."""
    if event.employee_id and event.employee_id in employees:
        return word(PIN_NAME) % {"name": employees[event.employee_id]}
    login = logins.get(event.actor_login_id) if event.actor_login_id else None
    if login is not None:
        return login.display_name
    if event.category == "login":
        return word(SOMEONE)
    if event.ip:
        return word(PUBLIC_CUSTOMER)
    return word(THE_PORTAL)


def sentence(event, logins: dict, employees: dict) -> str:
    registry = REQUEST_SENTENCES if event.entity_type == "privacy_request" else SENTENCES
    text = registry.get(event.action)
    if text is None:  # an action without words fails tests/history/test_display.py
        return event.action
    what = word(ENTITY_OBJECTS.get(event.entity_type, AN_ENTRY))
    return word(text) % {"who": who(event, logins, employees), "what": what}
