"""Progress of a check or an import, kept in Redis while the job works.

The import writes every row in one database transaction (all or nothing), and on SQLite a
second connection could not write a progress column meanwhile; Redis is shared by every web
and worker machine, so the page polls it. The key also serves as the job's heartbeat: it
expires when the worker stops refreshing it."""

from __future__ import annotations

from portal.tasks import redis_connection

TTL = 600  # seconds: a job that has not reported for ten minutes is taken for dead


def _key(import_id: int) -> str:
    return f"portal:import-progress:{import_id}"


def report(import_id: int, done: int, total: int) -> None:
    redis_connection().set(_key(import_id), f"{done}/{total}", ex=TTL)


def read(import_id: int) -> tuple[int, int] | None:
    value = redis_connection().get(_key(import_id))
    if not value:
        return None
    done, total = value.decode().split("/")
    return int(done), int(total)


def clear(import_id: int) -> None:
    redis_connection().delete(_key(import_id))
