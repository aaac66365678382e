"""The cron process: due runs are enqueued once per day or time slot, with ids RQ accepts."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from rq import Queue
from rq.serializers import JSONSerializer

from portal.scheduling import tick
from portal.tasks import redis_connection

BERLIN = ZoneInfo("Europe/Berlin")


def test_tick_enqueues_each_run_once_with_valid_job_ids(app):
    early = tick(datetime(2026, 11, 22, 1, 0, tzinfo=BERLIN))
    assert all(job_id.replace("-", "").replace("_", "").isalnum() for job_id in early)
    assert not any("privacy-daily" in j or "retention-nightly" in j for j in early)  # not yet 02:00 / 06:00
    later = tick(datetime(2026, 11, 22, 6, 30, tzinfo=BERLIN))
    assert any("retention-nightly" in j for j in later) and any("privacy-daily" in j for j in later)
    assert not any("privacy-daily" in j for j in tick(datetime(2026, 11, 22, 7, 0, tzinfo=BERLIN)))  # once a day
    queue = Queue("default", connection=redis_connection(), serializer=JSONSerializer)
    assert queue.count == 23  # 7 every five minutes at 01:00, 06:30 and 07:00; the 2 daily ones at 06:30
