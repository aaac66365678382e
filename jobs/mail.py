"""Mail jobs."""

from portal.mail import deliver


def deliver_email(email_id: int) -> str:
    return deliver(email_id)
