"""The SMS gateway: what a message costs in segments, and who carries it.

Development and tests use the file gateway (one JSON line per SMS in instance/sms.log). In
production `SMS_BACKEND=http` sends through a provider's REST API — shaped after Infobip's
"Send SMS" (`POST {SMS_API_URL}/sms/3/messages`, header `Authorization: App {SMS_API_KEY}`, the
sender ID from `SMS_SENDER_ID`) — and the provider reports delivery to `/webhooks/sms`, signed
with `SMS_WEBHOOK_SECRET` (`portal.messaging.webhooks`).

Segments: GSM-7 carries 160 characters in one SMS and 153 in each part of a longer one (an
extension character such as € or [ takes two); anything outside GSM-7 (many emoji, some
accented letters) turns the whole message into UCS-2: 70, or 67 per part."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from flask import current_app

from portal.models.base import utcnow

GSM7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = set("^{}\\[~]|€\f")
MAX_SEGMENTS = 3  # what the gateway accepts for one message


class SmsTooLong(ValueError):
    pass


class SmsSendError(RuntimeError):
    """The provider refused or could not be reached; the message is recorded as failed."""


@dataclass(frozen=True)
class Segments:
    encoding: str  # GSM-7 or UCS-2
    characters: int  # as the network counts them (an extension character is two in GSM-7)
    count: int


def segments(text: str) -> Segments:
    if all(ch in GSM7 or ch in GSM7_EXTENSION for ch in text):
        length = sum(2 if ch in GSM7_EXTENSION else 1 for ch in text)
        single, part, encoding = 160, 153, "GSM-7"
    else:
        length = sum(2 if ord(ch) > 0xFFFF else 1 for ch in text)  # UTF-16 code units
        single, part, encoding = 70, 67, "UCS-2"
    count = 1 if length <= single else -(-length // part)
    return Segments(encoding, length, count)


def fits(text: str) -> bool:
    return segments(text).count <= MAX_SEGMENTS


class SmsGateway(Protocol):
    def send(self, to: str, text: str) -> str:
        """Send; returns the provider's id of the message (matched by delivery reports)."""

    def forget(self, numbers: set[str]) -> int:
        """Delete what the gateway keeps of messages to these numbers (an erasure); returns how many."""


class FileSmsGateway:
    def __init__(self, path: str):
        self.path = Path(path)

    def send(self, to: str, text: str) -> str:
        if not fits(text):
            raise SmsTooLong(len(text))
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps({"to": to, "text": text, "at": utcnow().isoformat()}, ensure_ascii=False)
        with self.path.open("a", encoding="utf-8") as file:
            file.write(line + "\n")
        return ""

    def forget(self, numbers: set[str]) -> int:
        if not numbers or not self.path.exists():
            return 0
        lines = self.path.read_text(encoding="utf-8").splitlines(keepends=True)
        kept = [line for line in lines if json.loads(line).get("to") not in numbers]
        partial = self.path.with_suffix(".partial")
        partial.write_text("".join(kept), encoding="utf-8")
        partial.replace(self.path)  # whole file or the old one, never half
        return len(lines) - len(kept)


class HttpSmsGateway:
    """A provider's REST API (Infobip's shape). The provider keeps its own message log: that is
    outside the portal (the provider is a processor, named in the erasure certificate's list of
    other systems), so `forget` has nothing here to delete."""

    def __init__(self, base_url: str, api_key: str, sender: str, timeout: float = 10):
        self.url = base_url.rstrip("/") + "/sms/3/messages"
        self.api_key, self.sender, self.timeout = api_key, sender, timeout

    def send(self, to: str, text: str) -> str:
        if not fits(text):
            raise SmsTooLong(len(text))
        body = {"messages": [{"sender": self.sender, "destinations": [{"to": to}], "content": {"text": text}}]}
        request = urllib.request.Request(
            self.url,
            data=json.dumps(body).encode(),
            method="POST",
            headers={
                "Authorization": f"App {self.api_key}",
                "Content-Type": "application/json",
                "Accept": "application/json",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - configured URL
                answer = json.loads(response.read() or b"{}")
        except (urllib.error.URLError, TimeoutError, ValueError) as exc:
            raise SmsSendError(type(exc).__name__) from exc
        try:
            return str(answer["messages"][0]["messageId"])
        except (KeyError, IndexError, TypeError) as exc:
            raise SmsSendError("unexpected answer") from exc

    def forget(self, numbers: set[str]) -> int:
        return 0


def gateway() -> SmsGateway:
    config = current_app.config
    backend = config.get("SMS_BACKEND", "file")
    if backend == "file":
        return FileSmsGateway(config["SMS_FILE"])
    if backend == "http":
        return HttpSmsGateway(config["SMS_API_URL"], config["SMS_API_KEY"], config["SMS_SENDER_ID"])
    raise RuntimeError(f"unknown SMS backend {backend!r}")
