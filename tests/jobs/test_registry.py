"""One job registry: every job declared once in portal/tasks.py, each declared job exists in
jobs/, every job function is declared, and the portal never names or imports jobs/ itself."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

from werkzeug.utils import import_string

import jobs
from portal import tasks

ROOT = Path(__file__).resolve().parents[2]


def _declared() -> list[tasks.JobKind]:
    return [value for value in vars(tasks).values() if isinstance(value, tasks.JobKind)]


def test_every_declared_job_exists_and_every_job_function_is_declared():
    names = {kind.name for kind in _declared()}
    for kind in _declared():
        assert callable(import_string(kind.name)), kind.name
        assert kind.queue in tasks.QUEUES
    functions = set()
    for path in Path(jobs.__file__).parent.glob("*.py"):
        if path.stem in ("__init__", "worker"):
            continue
        module = import_string(f"jobs.{path.stem}")
        functions |= {
            f"jobs.{path.stem}.{name}"
            for name, value in vars(module).items()
            if inspect.isfunction(value) and value.__module__ == module.__name__ and not name.startswith("_")
        }
    assert functions == names


def test_job_ids_differ_per_row_and_run():
    class Row:
        id, runs = 7, 2

    assert tasks.BUILD_EXPORT.job_id(Row) == "export-7-2"
    assert tasks.DELIVER_EMAIL.job_id(Row) == "email-7"
    assert len({kind.id_format for kind in tasks.WAITING_ROWS}) == len(tasks.WAITING_ROWS)


def test_the_portal_names_jobs_only_through_the_registry():
    offenders = []
    for path in (ROOT / "portal").rglob("*.py"):
        if "migrations" in path.parts or path.name == "tasks.py":
            continue
        text = path.read_text()
        if re.search(r"[\"']jobs\.\w", text) or re.search(r"^\s*(from|import) jobs\b", text, re.M):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
