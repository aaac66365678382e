"""The schedule of recurring jobs, and the small process that enqueues them (`flask cron`).

Why not RQ's own CronScheduler: it enqueues with RQ's default serializer, and our workers use
JSON. Each run is claimed in Redis (SET NX per job and day) before it is enqueued with a fixed
job id, so several cron processes never enqueue the same day twice; the jobs are idempotent
through their DB state on top of that. A run missed while no cron process was up is caught up
as soon as one starts again.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app

from portal import tasks
from portal.tasks import JobKind, redis_connection

ZONE = ZoneInfo("Europe/Berlin")


@dataclass(frozen=True)
class Schedule:
    job: JobKind
    at: str | None = None  # HH:MM in Europe/Berlin, daily
    every_minutes: int | None = None


SCHEDULES = (
    Schedule(tasks.PRIVACY_DAILY, at="06:00"),
    Schedule(tasks.BREACH_REMINDERS, every_minutes=5),
    Schedule(tasks.RETENTION_NIGHTLY, at="02:00"),
    Schedule(tasks.EXPORT_MAINTENANCE, every_minutes=5),
    Schedule(tasks.APPOINTMENT_REMINDERS, every_minutes=5),
    Schedule(tasks.RECOVER_LOST_JOBS, every_minutes=5),
    Schedule(tasks.IMPORT_MAINTENANCE, every_minutes=5),
    Schedule(tasks.AUTOMATIONS, every_minutes=5),
    Schedule(tasks.SCHEDULED_CAMPAIGNS, every_minutes=5),
)


def due_runs(now: datetime) -> list[tuple[Schedule, str]]:
    """(schedule, run key) of every run due now; the key names the day or the time slot."""
    local = now.astimezone(ZONE)
    runs = []
    for schedule in SCHEDULES:
        if schedule.every_minutes:
            slot = (local.hour * 60 + local.minute) // schedule.every_minutes
            runs.append((schedule, f"{local.date().isoformat()}T{slot}"))
        elif local.strftime("%H:%M") >= schedule.at:
            runs.append((schedule, local.date().isoformat()))
    return runs


def tick(now: datetime) -> list[str]:
    """Enqueue every run that is due today and not yet claimed; returns the job ids."""
    redis = redis_connection()
    enqueued = []
    for schedule, day in due_runs(now):
        # RQ job ids allow letters, digits, "-" and "_" only.
        job_id = re.sub(r"[^A-Za-z0-9_-]", "-", f"{schedule.job.name}-{day}")
        if redis.set(f"portal:cron:{job_id}", "1", nx=True, ex=3 * 86400):
            schedule.job.now(job_id=job_id)
            enqueued.append(job_id)
    return enqueued


def run_forever(interval: float = 30) -> None:
    current_app.logger.info("cron: %d schedules", len(SCHEDULES))
    while True:
        try:
            for job_id in tick(datetime.now(ZONE)):
                current_app.logger.info("cron: enqueued %s", job_id)
        except Exception:  # Redis away for a moment: try again at the next tick, never die
            current_app.logger.exception("cron: tick failed")
        time.sleep(interval)
