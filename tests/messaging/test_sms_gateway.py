"""SMS through a provider's REST API, tested against a local fake of that API (the one place a
fake stands in for a service: the provider cannot be reached from a test), its signed delivery
reports, and the segments a text becomes."""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from sqlalchemy import select

from portal.audit import Actor
from portal.extensions import db
from portal.messaging import automations
from portal.messaging.automations import AutomationData
from portal.messaging.consent import set_consent
from portal.messaging.sms import HttpSmsGateway, SmsSendError, segments
from portal.messaging.webhooks import signature
from portal.models import Customer, Message
from portal.models.base import clock_at
from tests import factories

SECRET = "webhook-secret-for-tests"


class FakeProvider(BaseHTTPRequestHandler):
    received: list = []
    answer_status = 200

    def do_POST(self):  # noqa: N802 - the http.server's name
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        FakeProvider.received.append({"path": self.path, "auth": self.headers["Authorization"], "body": body})
        self.send_response(FakeProvider.answer_status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        message_id = f"msg-{len(FakeProvider.received)}"
        self.wfile.write(
            json.dumps({"messages": [{"messageId": message_id, "status": {"groupName": "PENDING"}}]}).encode()
        )

    def log_message(self, *args):
        pass


@pytest.fixture
def provider(app):
    FakeProvider.received, FakeProvider.answer_status = [], 200
    server = HTTPServer(("127.0.0.1", 0), FakeProvider)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.config.update(
        SMS_BACKEND="http",
        SMS_API_URL=f"http://127.0.0.1:{server.server_port}",
        SMS_API_KEY="test-key",
        SMS_SENDER_ID="SalonA",
        SMS_WEBHOOK_SECRET=SECRET,
    )
    yield FakeProvider
    server.shutdown()
    app.config.update(SMS_BACKEND="file", SMS_WEBHOOK_SECRET="")


def _report(client, results, secret=SECRET, timestamp=None):
    body = json.dumps({"results": results}).encode()
    timestamp = timestamp or str(int(time.time()))
    return client.post(
        "/webhooks/sms",
        data=body,
        headers={"X-Timestamp": timestamp, "X-Signature": signature(secret, timestamp, body)},
        content_type="application/json",
    )


def test_an_automation_sends_sms_through_the_provider_and_its_reports_are_believed_only_when_signed(
    salon, provider, client
):
    factories.privacy_settings(salon, marketing_enabled=True)
    customer_id = factories.make_customer(
        salon.account, "Sommer", "Greta", phone="+491701234567", birthday=datetime(1990, 12, 7).date()
    )
    factories.visit(salon, customer_id, datetime(2026, 11, 20, tzinfo=UTC), factories.make_service(salon.account))
    set_consent(
        Actor(salon.account.id, salon.owner.id), db.session.get(Customer, customer_id), "sms", "granted", "oral"
    )
    db.session.commit()
    automations.save(
        Actor(salon.account.id, salon.owner.id),
        salon.location,
        "birthday",
        AutomationData(True, "sms", "", "Alles Gute, {first_name}! Abmelden: {unsubscribe_link}", 9, None, None, None),
    )
    db.session.commit()
    now = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)
    with clock_at(now):
        automations.run_due(now)
    (sent,) = provider.received
    assert sent["path"] == "/sms/3/messages" and sent["auth"] == "App test-key"
    (outgoing,) = sent["body"]["messages"]
    assert outgoing["sender"] == "SalonA" and outgoing["destinations"] == [{"to": "+491701234567"}]
    assert outgoing["content"]["text"].startswith("Alles Gute, Greta! Abmelden: http")
    message = db.session.scalars(select(Message).where(Message.automation_id.is_not(None))).one()
    assert (message.status, message.provider_id) == ("sent", "msg-1")

    # A forged, a stale and an unsigned report change nothing.
    assert (
        _report(client, [{"messageId": "msg-1", "status": {"groupName": "DELIVERED"}}], secret="guessed").status_code
        == 403
    )
    old = str(int(time.time()) - 3600)
    assert (
        _report(client, [{"messageId": "msg-1", "status": {"groupName": "DELIVERED"}}], timestamp=old).status_code
        == 403
    )
    assert client.post("/webhooks/sms", data=b"{}", content_type="application/json").status_code == 403
    db.session.expire_all()
    assert db.session.get(Message, message.id).status == "sent"
    # The signed report: delivered; an unknown id is counted and left alone; a repeat changes nothing.
    answer = _report(
        client,
        [
            {"messageId": "msg-1", "status": {"groupName": "DELIVERED"}},
            {"messageId": "nope", "status": {"groupName": "DELIVERED"}},
        ],
    )
    assert answer.status_code == 200 and answer.get_json() == {"updated": 1, "unknown": 1}
    assert _report(client, [{"messageId": "msg-1", "status": {"groupName": "UNDELIVERABLE"}}]).get_json() == {
        "updated": 0,
        "unknown": 0,
    }
    db.session.expire_all()
    assert db.session.get(Message, message.id).status == "delivered"
    assert (
        client.post(
            "/webhooks/sms",
            data=b"not json",
            headers={
                "X-Timestamp": str(int(time.time())),
                "X-Signature": signature(SECRET, str(int(time.time())), b"not json"),
            },
        ).status_code
        == 400
    )


def test_a_provider_that_refuses_or_cannot_be_reached_is_an_error_the_caller_records(app, provider):
    provider.answer_status = 500
    with pytest.raises(SmsSendError):
        HttpSmsGateway(app.config["SMS_API_URL"], "key", "Salon").send("+491701234567", "Hallo")
    with pytest.raises(SmsSendError):
        HttpSmsGateway("http://127.0.0.1:1", "key", "Salon").send("+491701234567", "Hallo")  # nobody listens


@pytest.mark.parametrize(
    ("text", "encoding", "characters", "parts"),
    [
        ("x" * 160, "GSM-7", 160, 1),
        ("x" * 161, "GSM-7", 161, 2),
        ("x" * 306, "GSM-7", 306, 2),
        ("x" * 307, "GSM-7", 307, 3),
        ("Preis 10 €" + "x" * 150, "GSM-7", 161, 2),  # € takes two
        ("Grüße aus Köln", "GSM-7", 14, 1),  # ü and ö are GSM-7
        ("Schönen Tag 🌸", "UCS-2", 14, 1),  # the emoji turns it into UCS-2 (two code units)
        ("ł" * 71, "UCS-2", 71, 2),
    ],
)
def test_segments(text, encoding, characters, parts):
    result = segments(text)
    assert (result.encoding, result.characters, result.count) == (encoding, characters, parts)


def test_the_counter_while_composing_and_a_refusal_over_the_limit(salon, login_as):
    owner = login_as(salon.owner)
    page = owner.post("/marketing/sms-length", data={"body": "Hallo {first_name}! {unsubscribe_link}"}).get_data(
        as_text=True
    )
    assert "characters (GSM-7), 1 part" in page
    page = owner.post("/marketing/sms-length", data={"body": "🌸" * 150 + " {unsubscribe_link}"}).get_data(as_text=True)
    assert "(UCS-2), 6 parts" in page and "error" in page
    response = owner.post(
        "/marketing/campaigns/new",
        data={
            "location_id": salon.location.id,
            "kind": "newsletter",
            "channel": "sms",
            "body": "🌸" * 150 + " {unsubscribe_link}",
        },
    )
    assert response.status_code == 422 and "at most 3 parts" in response.get_data(as_text=True)
    assert login_as(salon.staff).post("/marketing/sms-length", data={"body": "x"}).status_code == 403


def test_a_campaign_mail_as_written_by_hand_reads_back_as_sent():
    import email
    import email.policy

    from portal.messaging.delivery import raw_email

    link = "https://portal.example/u/" + "x" * 150
    raw = raw_email(
        "=?utf-8?q?Salon_M=C3=BCller?= <noreply@portal.test>",
        "greta@example.com",
        "Grüße aus Köln\nBcc: evil@example.com",  # a line break cannot add a header
        "Hallo Greta — schön!\n\n.Punkt am Zeilenanfang\n" + "lang " * 40 + link,
        "portal.test",
        {"List-Unsubscribe": f"<{link}>"},
    )
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert message["Subject"] == "Grüße aus Köln Bcc: evil@example.com" and message["Bcc"] is None
    assert message["From"].addresses[0].display_name == "Salon Müller" and message["To"] == "greta@example.com"
    assert message["List-Unsubscribe"] == f"<{link}>" and message["Message-ID"].endswith("@portal.test>")
    assert (
        message.get_content().replace("\r\n", "\n")
        == "Hallo Greta — schön!\n\n.Punkt am Zeilenanfang\n" + "lang " * 40 + link + "\n"
    )
    assert max(len(line) for line in raw.split(b"\r\n")) <= 998
