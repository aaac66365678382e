"""Jobs through a real worker process in burst mode, on real Redis and a real SMTP sink."""

from __future__ import annotations

import ctypes
import subprocess
import sys

import pytest
from rq import Queue
from rq.serializers import JSONSerializer

from portal.config import ROOT
from portal.extensions import db
from portal.mail import queue_email
from portal.models import OutboundEmail
from portal.tasks import PendingJob, enqueue_now, redis_connection
from tests.conftest import run_worker_burst


def test_mail_job_is_enqueued_after_commit_and_delivered_once(salon, mails, worker_env):
    email = queue_email(
        salon.account.id,
        "someone@example.com",
        "login_invite",
        {"link": "http://x/invite/abc", "salon": "Salon A", "inviter": "Owner", "hours": 72},
    )
    queue = Queue("emails", connection=redis_connection(), serializer=JSONSerializer)
    assert queue.count == 0  # not before the commit
    db.session.commit()
    assert queue.count == 1
    job = queue.jobs[0]
    assert job.args == [email.id] or job.args == (email.id,)  # ids only, no personal data

    result = run_worker_burst(worker_env, "emails")
    assert result.returncode == 0, result.stderr
    worker_log = result.stdout[-2000:] + result.stderr[-2000:]
    assert [m.to for m in mails()] == ["someone@example.com"], worker_log

    # At-least-once delivery: running the job again is a no-op.
    enqueue_now(PendingJob("jobs.mail.deliver_email", (email.id,), "emails"))
    assert run_worker_burst(worker_env, "emails").returncode == 0
    assert len(mails()) == 1
    db.session.expire_all()
    assert db.session.get(OutboundEmail, email.id).status == "sent"


def test_rolled_back_transaction_enqueues_nothing(salon):
    queue_email(
        salon.account.id,
        "someone@example.com",
        "login_invite",
        {"link": "http://x", "salon": "A", "inviter": "B", "hours": 1},
    )
    db.session.rollback()
    assert Queue("emails", connection=redis_connection(), serializer=JSONSerializer).count == 0


def test_jobs_refuse_personal_data_as_arguments(app):
    with pytest.raises(TypeError):
        enqueue_now(PendingJob("jobs.mail.deliver_email", ("someone@example.com",), "emails"))


def test_the_worker_loads_every_job_module_and_hides_it_from_the_collector_before_forking(app):
    """Work horses are forked from the worker: what it loaded is shared and never walked by the
    garbage collector again (a third of a large export's time went into those walks)."""
    import gc
    import sys

    from jobs.worker import make_worker

    job_modules = {"jobs.exports", "jobs.history", "jobs.mail", "jobs.messaging", "jobs.privacy", "jobs.retention"}
    for name in job_modules:
        sys.modules.pop(name, None)
    gc.unfreeze()
    try:
        make_worker(["exports"], redis_connection(), app=app)
        assert job_modules <= set(sys.modules)
        assert gc.get_freeze_count() > 10000
    finally:
        gc.unfreeze()


MAPPED_CHUNKS = """
import ctypes, sys
class MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in
                "arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks keepcost".split()]
libc = ctypes.CDLL(None)
libc.mallinfo2.restype = MallInfo2
import jobs.worker
if sys.argv[1] == "fixed":
    jobs.worker._fixed_mmap_threshold()
def mapped():
    before = libc.mallinfo2().hblks
    chunk = bytearray(256 * 1024)  # an export chunk's size
    held = libc.mallinfo2().hblks
    del chunk
    return held - before
print(" ".join(str(mapped()) for _ in range(4)))
"""


def _mapped_chunks(threshold: str) -> list[int]:
    """How many mappings each of four chunks held in a fresh worker process."""
    arguments = [sys.executable, "-c", MAPPED_CHUNKS, threshold]
    result = subprocess.run(arguments, cwd=ROOT, capture_output=True, text=True, check=True)
    return [int(count) for count in result.stdout.split()]


def test_a_work_horse_maps_each_export_chunk_and_gives_it_back():
    """With the worker's fixed mmap threshold each 256 KiB chunk is mapped and unmapped; with
    glibc's moving one (raised by the first large free) it lands on the heap, which grows
    around the chunks and keeps the memory."""
    if not hasattr(ctypes.CDLL(None), "mallinfo2"):
        pytest.skip("not glibc 2.33 or newer")
    assert _mapped_chunks("fixed") == [1, 1, 1, 1]
    assert _mapped_chunks("moving")[1:] == [0, 0, 0]
