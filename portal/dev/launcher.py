"""`make run`: migrate, seed the demo salon if empty, then start an embedded Redis server
(unless REDIS_URL is set), an RQ worker with scheduler, an SMTP sink (unless MAIL_SERVER is
set) and the web server on http://127.0.0.1:5000. Ctrl-C stops all of them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from portal.dev.services import start_redis, wait_for_port

ROOT = Path(__file__).resolve().parents[2]
INSTANCE = ROOT / "instance"
REDIS_PORT = int(os.environ.get("DEV_REDIS_PORT", "6390"))
SMTP_PORT = int(os.environ.get("DEV_SMTP_PORT", "8025"))


def _stop_on_sigterm(signum, frame):
    raise KeyboardInterrupt  # the same orderly shutdown as Ctrl-C, so no child is left behind


def main() -> None:
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    INSTANCE.mkdir(exist_ok=True)
    env = dict(os.environ)
    env.setdefault("PORTAL_ENV", "development")
    env.setdefault("FLASK_APP", "app")
    env.setdefault("DEV_OUTBOX_DIR", str(INSTANCE / "outbox"))
    flask = [sys.executable, "-m", "flask"]
    processes: list[subprocess.Popen] = []

    def start(name: str, command: list[str]) -> None:
        print(f"▶ {name}: {' '.join(command[:4])} …", flush=True)
        # Own session: Ctrl-C reaches only the launcher, which then stops the children in order.
        processes.append(subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True))

    try:
        if "REDIS_URL" not in os.environ:
            print(f"▶ redis: embedded server on port {REDIS_PORT}", flush=True)
            processes.append(start_redis(REDIS_PORT, INSTANCE))
            env["REDIS_URL"] = f"redis://127.0.0.1:{REDIS_PORT}/0"
        if "MAIL_SERVER" not in os.environ:
            start(
                "smtp sink",
                [
                    sys.executable,
                    "-m",
                    "portal.dev.smtp_sink",
                    "--dir",
                    env["DEV_OUTBOX_DIR"],
                    "--port",
                    str(SMTP_PORT),
                ],
            )
            env["MAIL_SERVER"], env["MAIL_PORT"] = "127.0.0.1", str(SMTP_PORT)
            wait_for_port(SMTP_PORT)
        subprocess.run(flask + ["db", "upgrade"], cwd=ROOT, env=env, check=True)
        subprocess.run(flask + ["demo", "seed", "--if-empty"], cwd=ROOT, env=env, check=True)
        start("worker", flask + ["worker", "--with-scheduler"])
        start("cron", flask + ["cron"])
        start("web", flask + ["run", "--host", "127.0.0.1", "--port", "5000"])
        print(
            "\n  Portal:  http://127.0.0.1:5000   (owner@demo.test / salon-demo-2026)\n"
            "  Outbox:  http://127.0.0.1:5000/dev/outbox\n  Ctrl-C stops everything.\n",
            flush=True,
        )
        while all(p.poll() is None for p in processes):
            time.sleep(0.5)
        print("A process ended; stopping the others.", flush=True)
    except KeyboardInterrupt:
        pass
    finally:
        # In reverse order, each gone before the next: Redis stops after the worker that needs it.
        for process in reversed(processes):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()


if __name__ == "__main__":
    main()
