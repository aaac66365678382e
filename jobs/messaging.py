"""Messaging jobs."""

from portal.messaging.automations import run_due
from portal.messaging.campaigns import send_campaign as _send_campaign
from portal.messaging.campaigns import start_scheduled
from portal.messaging.transactional import deliver, queue_due_reminders


def send_campaign(campaign_id: int) -> str:
    return _send_campaign(campaign_id)


def deliver_message(message_id: int) -> str:
    return deliver(message_id)


def reminders() -> int:
    return queue_due_reminders()


def automations() -> dict:
    return run_due()


def scheduled_campaigns() -> int:
    return start_scheduled()
