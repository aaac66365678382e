"""Service messages (not marketing, no consent needed): a confirmation when an appointment is
booked, a message when it is moved (each move its own: the occasion is the new start) or
cancelled, and reminders at the interval set per location. Restricted customers (Art. 18) and
customers whom staff opted out of appointment messages get none; each is recorded."""

from __future__ import annotations

from datetime import timedelta

from flask import render_template
from flask_mail import Message as MailMessage
from sqlalchemy import select

from portal.extensions import db, mail
from portal.mail import sender_of
from portal.messaging import appointment_texts
from portal.messaging.eligibility import messaging_settings
from portal.messaging.sms import SmsSendError, SmsTooLong, gateway
from portal.models import Account, Appointment, Customer, Location, Message
from portal.models.base import utcnow
from portal.tasks import DELIVER_MESSAGE
from portal.web.templating import format_moment_in_zone
from portal.web.words import force_locale


def _queue(appointment: Appointment, customer: Customer, kind: str, occasion: str = "") -> list[Message]:
    messages = []
    for channel, address in (("email", customer.email), ("sms", customer.phone)):
        if not address:
            continue
        exists = db.session.scalars(
            select(Message).where(
                Message.appointment_id == appointment.id,
                Message.kind == kind,
                Message.channel == channel,
                Message.occasion == occasion,
            )
        ).first()
        if exists:
            continue  # one message per appointment, kind, channel and occasion
        reason = ""
        if customer.restricted_at is not None:
            reason = "restricted"
        elif customer.reminders_off:  # the customer's wish covers every appointment message
            reason = "reminders_off"
        message = Message(
            account_id=appointment.account_id,
            customer_id=customer.id,
            kind=kind,
            channel=channel,
            appointment_id=appointment.id,
            occasion=occasion,
            status="suppressed" if reason else "queued",
            reason=reason,
        )
        db.session.add(message)
        db.session.flush()
        if not reason:
            DELIVER_MESSAGE.after_commit(message)
        messages.append(message)
    return messages


def _notify(appointment: Appointment, kind: str, occasion: str = "") -> list[Message]:
    customer = db.session.get(Customer, appointment.customer_id) if appointment.customer_id else None
    return _queue(appointment, customer, kind, occasion) if customer else []


def confirm_appointment(appointment: Appointment) -> list[Message]:
    return _notify(appointment, "confirmation")


def notify_moved(appointment: Appointment) -> list[Message]:
    """The new time; a later move supersedes a message not yet sent (`deliver`)."""
    return _notify(appointment, "update", appointment.starts_at.isoformat())


def notify_cancelled(appointment: Appointment) -> list[Message]:
    return _notify(appointment, "cancellation")


def queue_due_reminders() -> int:
    """Appointments that start within their location's reminder interval and have none yet."""
    now = utcnow()
    queued = 0
    for location in db.session.scalars(select(Location)):
        hours = messaging_settings(location).reminder_hours
        due = db.session.scalars(
            select(Appointment).where(
                Appointment.location_id == location.id,
                Appointment.status == "booked",
                Appointment.customer_id.is_not(None),
                Appointment.starts_at > now,
                Appointment.starts_at <= now + timedelta(hours=hours),
            )
        )
        for appointment in due:
            queued += len(_queue(appointment, db.session.get(Customer, appointment.customer_id), "reminder"))
    db.session.commit()
    return queued


def _stale(message: Message, appointment: Appointment | None, customer: Customer | None) -> str:
    """Why a queued message no longer fits what happened since, or ""."""
    if appointment is None or customer is None:
        return "cancelled"
    if message.kind == "cancellation":
        return ""
    if appointment.status == "cancelled":
        return "cancelled"
    if message.kind == "update" and message.occasion != appointment.starts_at.isoformat():
        return "superseded"  # moved again: the later message tells the time
    return ""


def deliver(message_id: int) -> str:
    message = db.session.get(Message, message_id)
    if message is None or message.status != "queued":
        return "nothing-to-do"
    appointment = db.session.get(Appointment, message.appointment_id)
    customer = db.session.get(Customer, message.customer_id) if message.customer_id else None
    reason = _stale(message, appointment, customer)
    if reason:
        message.status, message.reason = "suppressed", reason
        db.session.commit()
        return "suppressed"
    account = db.session.get(Account, appointment.account_id)
    location = db.session.get(Location, appointment.location_id)
    context = {
        "customer": customer,
        "appointment": appointment,
        "salon": account.name,
        "location": location,
        "service": appointment.service.name if appointment.service else "",
    }
    with force_locale("de"):
        context["when"] = format_moment_in_zone(appointment.starts_at, account.timezone)
        values = {
            "first_name": customer.first_name,
            "last_name": customer.last_name,
            "salon": account.name,
            "location": location.name,
            "when": context["when"],
            "service": context["service"],
        }
        own = appointment_texts.own_text(location, message.kind, values)
        if own is None:
            text = render_template(f"messaging/texts/{message.kind}.txt", **context).strip()
            own = (text.splitlines()[0], "\n".join(text.splitlines()[2:]))
    subject, body = own
    if message.channel == "email":
        mail.send(MailMessage(subject=subject, sender=sender_of(account.id), recipients=[customer.email], body=body))
    else:
        try:
            message.provider_id = gateway().send(customer.phone, " ".join(body.splitlines()))
        except (SmsTooLong, SmsSendError):
            message.status, message.reason = "failed", "undeliverable"
            db.session.commit()
            return "failed"
    message.status, message.sent_at = "sent", utcnow()
    db.session.commit()
    return "sent"
