"""The SMS gateway interface. Development and tests use the file gateway (one JSON line per SMS
in instance/sms.log); a real provider plugs in behind the same `send`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Protocol

from flask import current_app

from portal.models.base import utcnow

MAX_CHARS = 480  # three concatenated segments


class SmsTooLong(ValueError):
    pass


class SmsGateway(Protocol):
    def send(self, to: str, text: str) -> str: ...

    def forget(self, numbers: set[str]) -> int:
        """Delete what the gateway keeps of messages to these numbers (an erasure); returns how many."""


class FileSmsGateway:
    def __init__(self, path: str):
        self.path = Path(path)

    def send(self, to: str, text: str) -> str:
        if len(text) > MAX_CHARS:
            raise SmsTooLong(len(text))
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps({"to": to, "text": text, "at": utcnow().isoformat()}, ensure_ascii=False)
        with self.path.open("a", encoding="utf-8") as file:
            file.write(line + "\n")
        return line[:40]

    def forget(self, numbers: set[str]) -> int:
        if not numbers or not self.path.exists():
            return 0
        lines = self.path.read_text(encoding="utf-8").splitlines(keepends=True)
        kept = [line for line in lines if json.loads(line).get("to") not in numbers]
        partial = self.path.with_suffix(".partial")
        partial.write_text("".join(kept), encoding="utf-8")
        partial.replace(self.path)  # whole file or the old one, never half
        return len(lines) - len(kept)


def gateway() -> SmsGateway:
    backend = current_app.config.get("SMS_BACKEND", "file")
    if backend == "file":
        return FileSmsGateway(current_app.config["SMS_FILE"])
    raise RuntimeError(f"unknown SMS backend {backend!r}")
