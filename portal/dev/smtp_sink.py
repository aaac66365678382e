"""A real SMTP server (aiosmtpd) that keeps every mail as an .eml file: the dev outbox and the
tests read what was really sent over SMTP."""

from __future__ import annotations

import email
import email.policy
import re
import time
from dataclasses import dataclass
from pathlib import Path

LINK = re.compile(r"https?://[^\s<>\"']+")


class MaildirHandler:
    def __init__(self, directory: str | Path):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd API)
        name = f"{time.time_ns()}.eml"
        tmp = self.directory / f".{name}.tmp"
        tmp.write_bytes(envelope.original_content or envelope.content)
        tmp.rename(self.directory / name)  # readers never see half a file
        return "250 Message accepted"


def start_sink(directory: str | Path, host: str = "127.0.0.1", port: int = 8025):
    from aiosmtpd.controller import Controller

    controller = Controller(MaildirHandler(directory), hostname=host, port=port)
    controller.start()
    return controller


@dataclass
class CapturedMail:
    name: str
    to: str
    subject: str
    text: str
    links: list[str]
    sender: str = ""


def parse_mail(path: Path) -> CapturedMail:
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    body = message.get_body(preferencelist=("plain", "html"))
    text = body.get_content() if body else ""
    return CapturedMail(
        path.name, str(message["To"]), str(message["Subject"]), text, LINK.findall(text), str(message["From"] or "")
    )


def read_outbox(directory: str | Path, limit: int = 100) -> list[CapturedMail]:
    folder = Path(directory)
    if not folder.exists():
        return []
    files = sorted(folder.glob("*.eml"), reverse=True)[:limit]
    return [parse_mail(path) for path in files]


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description="SMTP sink for development")
    parser.add_argument("--dir", required=True)
    parser.add_argument("--port", type=int, default=8025)
    args = parser.parse_args()
    controller = start_sink(args.dir, port=args.port)
    print(f"SMTP sink on 127.0.0.1:{args.port}, mails in {args.dir}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
