from flask_babel import lazy_gettext as _l

from portal.messaging.forms import KIND_LABELS as CAMPAIGN_KINDS

MESSAGE_KINDS = {
    "confirmation": _l("appointment confirmation"),
    "reminder": _l("appointment reminder"),
    "update": _l("appointment moved"),
    "cancellation": _l("appointment cancelled"),
    "newsletter": _l("newsletter"),
    "birthday": _l("birthday greeting"),
    "review": _l("review request"),
    "consent_request": _l("consent request"),
    "consent_again": _l("consent request (second and last round)"),
}
CHANNEL_NAMES = {
    "email": _l("Email"),
    "sms": _l("SMS"),
    "photo": _l("Photo publication"),
    "health": _l("Health data (Art. 9 GDPR)"),  # a signed form's explicit consent
}
MESSAGE_STATUSES = {
    "queued": _l("queued"),
    "sent": _l("sent"),
    "delivered": _l("delivered"),
    "suppressed": _l("not sent"),
    "failed": _l("failed"),
}
SUPPRESSION_REASONS = {
    "marketing_off": _l("marketing is off"),
    "no_contact": _l("no address"),
    "unsubscribed": _l("unsubscribed"),
    "restricted": _l("processing restricted"),
    "minor": _l("under 16 without guardian consent"),
    "inactive": _l("no visit or purchase within the activity window"),
    "no_consent": _l("no consent"),
    "reminders_off": _l("appointment messages switched off at the customer's request"),
    "superseded": _l("moved again: the later message tells the time"),
    "filter_active": _l("outside the campaign's activity period"),
    "filter_location": _l("never visited this location"),
    "filter_service": _l("did not receive any of the chosen services"),
    "filter_bonus": _l("no bonus card of the chosen program"),
    "filter_birthday": _l("birthday in another month (or unknown)"),
    "filter_age": _l("younger than the chosen age (or age unknown)"),
    "cancelled": _l("appointment cancelled"),
    "undeliverable": _l("the address cannot be delivered to"),
    "not_delivered": _l("the network could not deliver it (provider's report)"),
    "interrupted": _l("the sending stopped half-way: unknown whether it arrived; not sent again"),
}
CONSENT_METHODS = {
    "oral": _l("orally, confirmed by staff"),
    "signed_form": _l("signed form"),
    "double_opt_in": _l("double opt-in email"),
    "unsubscribe": _l("unsubscribe link"),
    "import": _l("imported from the previous software"),
    "objection": _l("objection (privacy request)"),
    "pre_gdpr": _l("approval given before 25.05.2018, recorded by staff"),
}
CAMPAIGN_STATUSES = {"draft": _l("draft"), "scheduled": _l("scheduled"), "sending": _l("sending"), "sent": _l("sent")}

TEMPLATE_LABELS = {
    "message_kinds": MESSAGE_KINDS,
    "message_statuses": MESSAGE_STATUSES,
    "suppression_reasons": SUPPRESSION_REASONS,
    "consent_methods": CONSENT_METHODS,
    "campaign_kinds": CAMPAIGN_KINDS,
    "campaign_statuses": CAMPAIGN_STATUSES,
    "channel_names": CHANNEL_NAMES,
}
