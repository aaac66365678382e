"""Jobs lost by Redis (restarted without its data, or away when the request committed) are
enqueued again; jobs Redis still holds are left alone; failed mail is tried again with
back-off; a job lost over and over is given up."""

from __future__ import annotations

from datetime import date, timedelta

from rq import Queue
from rq.serializers import JSONSerializer

from portal.extensions import db
from portal.mail import queue_email
from portal.models import Campaign, CustomerExport, LoginHistoryExport, Message, OutboundEmail, PrivacyRequest
from portal.models.base import utcnow
from portal.recovery import MAIL_ATTEMPTS, MAX_RECOVERIES, WAITING_AFTER, recover_lost_jobs
from portal.tasks import redis_connection
from tests import factories
from tests.conftest import run_worker_burst

LONG_AGO = WAITING_AFTER + timedelta(minutes=1)


def _queued_job_ids(name: str) -> list[str]:
    return Queue(name, connection=redis_connection(), serializer=JSONSerializer).job_ids


def _redis_lost_everything() -> None:
    redis_connection().flushdb()


def _mail(salon, age: timedelta, **values) -> int:
    email = queue_email(
        salon.account.id,
        "kundin@example.com",
        "login_history_ready",
        {
            "link": "https://example.test/x",
            "login_email": "staff@example.test",
            "start": date(2026, 1, 1),
            "end": date(2026, 1, 31),
            "rows": 1,
            "days": 7,
        },
    )
    email.created_at = utcnow() - age
    for name, value in values.items():
        setattr(email, name, value)
    db.session.commit()
    return email.id


def _waiting_rows(salon, age: timedelta) -> dict[str, int]:
    """One row of each kind that waits for a worker, handed over `age` ago."""
    customer_id = factories.make_customer(salon.account, "Wartend", email="wartend@example.com")
    then = utcnow() - age
    rows = {
        "message": Message(
            account_id=salon.account.id, customer_id=customer_id, kind="confirmation", channel="email", created_at=then
        ),
        "campaign": Campaign(
            account_id=salon.account.id,
            location_id=salon.location.id,
            kind="newsletter",
            channel="email",
            status="sending",
            queued_at=then,
        ),
        "package": PrivacyRequest(
            account_id=salon.account.id,
            location_id=salon.location.id,
            kind="access",
            status="in_progress",
            customer_id=customer_id,
            package_requested_at=then,
        ),
        "history": LoginHistoryExport(
            account_id=salon.account.id,
            requested_by_id=salon.owner.id,
            login_id=salon.staff.id,
            period_start=date(2026, 1, 1),
            period_end=date(2026, 1, 31),
            created_at=then,
        ),
        "export": CustomerExport(
            account_id=salon.account.id,
            requested_by_id=salon.owner.id,
            recipient_login_id=salon.owner.id,
            fields=["id"],
            file_format="csv",
            status="queued",
            confirmed_at=then,
        ),
    }
    db.session.add_all(rows.values())
    db.session.flush()
    # A campaign's message left queued by a run that died: the campaign's own job, run again,
    # deals with it — never the appointment-message job.
    db.session.add(
        Message(
            account_id=salon.account.id,
            customer_id=customer_id,
            kind="newsletter",
            channel="email",
            campaign_id=rows["campaign"].id,
            created_at=then,
        )
    )
    db.session.commit()
    return {"mail": _mail(salon, age), **{kind: row.id for kind, row in rows.items()}}


def test_every_kind_of_lost_job_is_enqueued_again_under_its_own_id(salon):
    rows = _waiting_rows(salon, LONG_AGO)
    _redis_lost_everything()
    recovered = recover_lost_jobs()
    assert sum(recovered.values()) == 6
    assert sorted(_queued_job_ids("emails")) == sorted(
        [f"email-{rows['mail']}", f"message-{rows['message']}", f"campaign-{rows['campaign']}"]
    )
    assert sorted(_queued_job_ids("exports")) == sorted(
        [f"access-package-{rows['package']}", f"login-history-{rows['history']}", f"export-{rows['export']}-0"]
    )
    assert sum(recover_lost_jobs().values()) == 0  # Redis holds them now: never twice in a queue
    assert len(_queued_job_ids("emails")) == 3


def test_rows_that_wait_briefly_or_whose_job_redis_holds_are_left_alone(salon):
    _waiting_rows(salon, WAITING_AFTER - timedelta(minutes=1))
    _redis_lost_everything()
    assert sum(recover_lost_jobs().values()) == 0  # a job may simply wait behind others
    _mail(salon, LONG_AGO)  # enqueued when it was saved: Redis holds it
    assert sum(recover_lost_jobs().values()) == 0
    assert len(_queued_job_ids("emails")) == 1


def test_a_lost_mail_reaches_the_recipient_through_a_real_worker(salon, worker_env, mails):
    email_id = _mail(salon, LONG_AGO)
    _redis_lost_everything()
    assert recover_lost_jobs()["jobs.mail.deliver_email"] == 1
    result = run_worker_burst(worker_env, "emails")
    assert result.returncode == 0, result.stderr
    assert [m.to for m in mails()] == ["kundin@example.com"]
    db.session.expire_all()
    assert db.session.get(OutboundEmail, email_id).status == "sent"
    _redis_lost_everything()
    assert recover_lost_jobs()["jobs.mail.deliver_email"] == 0  # sent: nothing waits any more


def test_a_job_lost_again_and_again_is_given_up(salon):
    rows = _waiting_rows(salon, LONG_AGO)
    for _round in range(MAX_RECOVERIES):
        for job_id in _queued_job_ids("exports"):
            redis_connection().delete(f"rq:job:{job_id}")
        redis_connection().delete("rq:queue:exports")
        assert recover_lost_jobs()["jobs.history.build_login_history"] == 1
    redis_connection().delete(f"rq:job:login-history-{rows['history']}")
    assert recover_lost_jobs()["jobs.history.build_login_history"] == 0


def test_failed_mail_is_tried_again_after_its_back_off_and_not_for_ever(salon):
    def failed(minutes: int, attempts: int) -> int:
        return _mail(salon, timedelta(minutes=minutes), status="failed", attempts=attempts)

    due = [failed(21, 1), failed(41, 2), failed(161, 4)]
    waiting = [failed(19, 1), failed(39, 2), failed(159, 4)]
    given_up = failed(600, MAIL_ATTEMPTS)
    _redis_lost_everything()
    assert recover_lost_jobs()["mail_retried"] == 3
    assert sorted(_queued_job_ids("emails")) == sorted(f"email-{email_id}" for email_id in due)
    assert not {f"email-{email_id}" for email_id in [*waiting, given_up]} & set(_queued_job_ids("emails"))
    assert recover_lost_jobs()["mail_retried"] == 0  # on its way: not enqueued twice
    assert len(_queued_job_ids("emails")) == 3
