"""Messaging: the eligibility preview for 100,000 customers (target under 1 s, beside a plain
COUNT of the same customers), and a campaign to 10,000 recipients through a real SMTP sink
(messages per second, beside raw SMTP sends of the same number in the same run)."""

from __future__ import annotations

import os
import smtplib
import statistics
import tempfile
import time
from datetime import UTC, date, datetime
from email.message import EmailMessage

from sqlalchemy import Date, bindparam, select, text

from bench.harness import Services, portal_client, report, seeded_database

RECIPIENTS = int(os.environ.get("BENCH_CAMPAIGN_RECIPIENTS", "10000"))


def run() -> None:
    database = seeded_database(100000)
    from portal.dev.services import free_port
    from portal.dev.smtp_sink import start_sink

    sink_dir = tempfile.mkdtemp(prefix="bench-sink-")
    port = free_port()
    sink = start_sink(sink_dir, port=port)
    try:
        with Services() as redis_url:
            app, _client = portal_client(
                database, redis_url, MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_SUPPRESS_SEND=False
            )
            from portal.extensions import db
            from portal.messaging import campaigns, eligibility
            from portal.models import Account, Campaign, Consent, Customer, Login, PrivacySettings
            from portal.models.base import UTCDateTime, utcnow
            from portal.requests.deadlines import add_months

            with app.app_context():
                account = db.session.scalar(select(Account).where(Account.slug == "salon-sonnenschein"))
                location = account.locations[0]
                privacy = db.session.scalars(
                    select(PrivacySettings).where(PrivacySettings.location_id == location.id)
                ).one()
                privacy.marketing_enabled = True
                db.session.execute(text("DELETE FROM consent"))
                db.session.execute(text("DELETE FROM message"))
                db.session.execute(text("DELETE FROM campaign"))
                db.session.commit()
                today = date.today()

                # The baseline: the same filter as one plain COUNT — the rules a newsletter by email
                # must pass, written by hand as a WHERE (the preview also names the first rule each
                # of the others fails).
                window = datetime.combine(
                    add_months(today, -account.marketing_window_months), datetime.min.time(), tzinfo=UTC
                )
                plain = text(
                    "SELECT count(*) FROM customer c WHERE c.account_id = :account AND c.email IS NOT NULL "
                    "AND c.restricted_at IS NULL "
                    "AND NOT (c.birthday IS NOT NULL AND c.birthday > :sixteen AND NOT c.guardian_consent) "
                    "AND c.last_activity_at >= :window AND EXISTS (SELECT 1 FROM consent s WHERE "
                    "s.customer_id = c.id AND s.channel = 'email' AND s.status = 'granted')"
                ).bindparams(bindparam("window", type_=UTCDateTime()), bindparam("sixteen", type_=Date()))

                def measure() -> tuple[float, float, object]:
                    """Median ms of the preview and of the plain COUNT, timed in turns."""
                    previews, counts = [], []
                    for _ in range(7):
                        started = time.perf_counter()
                        result = eligibility.preview(account, location, "email", "newsletter", today)
                        previews.append(time.perf_counter() - started)
                        started = time.perf_counter()
                        db.session.scalar(
                            plain, {"account": account.id, "window": window, "sixteen": add_months(today, -16 * 12)}
                        )
                        counts.append(time.perf_counter() - started)
                    return statistics.median(previews) * 1000, statistics.median(counts) * 1000, result

                # A salon without any consent yet: PostgreSQL answers the COUNT from the empty
                # consent table alone, so this line's baseline is the degenerate case.
                preview_ms, count_ms, result = measure()
                report("eligibility_preview_100k_no_consents", preview_ms, "ms", count_ms)
                # Consent for RECIPIENTS active customers with an email, then one campaign to them.
                ids = db.session.scalars(
                    select(Customer.id)
                    .where(
                        Customer.account_id == account.id,
                        Customer.email.is_not(None),
                        Customer.last_activity_at.is_not(None),
                    )
                    .order_by(Customer.last_activity_at.desc())
                    .limit(RECIPIENTS)
                ).all()
                db.session.execute(
                    Consent.__table__.insert(),
                    [
                        {
                            "account_id": account.id,
                            "customer_id": cid,
                            "channel": "email",
                            "status": "granted",
                            "updated_at": utcnow(),
                        }
                        for cid in ids
                    ],
                )
                preview_ms, count_ms, with_consents = measure()
                report("eligibility_preview_100k", preview_ms, "ms", count_ms)
                owner = db.session.scalar(select(Login).where(Login.email == "owner@demo.test"))
                campaign = Campaign(
                    account_id=account.id,
                    location_id=location.id,
                    kind="newsletter",
                    channel="email",
                    subject="Herbst bei {salon}",
                    body="Hallo {first_name} — {unsubscribe_link}",
                    status="sending",
                    created_by_id=owner.id,
                    total=len(ids),
                )
                db.session.add(campaign)
                db.session.commit()
                eligible = eligibility.preview(account, location, "email", "newsletter", today).eligible
                started = time.perf_counter()
                campaigns.send_campaign(campaign.id)
                seconds = time.perf_counter() - started
                sent = db.session.get(Campaign, campaign.id).sent

            # Baseline: the same number of plain messages over one SMTP connection.
            started = time.perf_counter()
            with smtplib.SMTP("127.0.0.1", port) as smtp:
                for n in range(sent):
                    message = EmailMessage()
                    message["From"], message["To"], message["Subject"] = "a@b.test", f"c{n}@d.test", "x"
                    message.set_content("Hallo")
                    smtp.send_message(message)
            raw = time.perf_counter() - started
        report("campaign_messages_per_second", sent / seconds, "msg/s", sent / raw)
        print(
            f"# preview: {result.eligible} eligible of 100,000 without consents, {with_consents.eligible} with "
            f"{RECIPIENTS} email consents; campaign: {sent} of {eligible} "
            f"eligible sent in {seconds:.1f} s through an aiosmtpd sink; baseline: raw smtplib sends",
            flush=True,
        )
    finally:
        sink.stop()
