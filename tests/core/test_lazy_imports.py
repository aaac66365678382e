"""What a started portal process holds: the libraries of `portal.lazy_imports` stay out of a
preloaded worker (and so out of every work horse it forks) until a job needs them, and the
`flask db` commands still work."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from portal.config import ROOT
from portal.lazy_imports import LAZY_LIBRARIES

STARTED_WORKER = """
import json, sys
from portal import create_app
from portal.config import TestConfig
config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
app = create_app({**config, "TESTING": False, "SQLALCHEMY_DATABASE_URI": sys.argv[1]})
from jobs.worker import preload_and_freeze
preload_and_freeze(app)
before = sorted({m.split(".")[0] for m in sys.modules})
from portal.signed_forms import document_pdf  # what signing a form imports when it happens
from portal.exports.xlsx import write_xlsx
from datetime import date
from portal.requests.deadlines import is_working_day
assert not is_working_day(date(2026, 12, 25), "BE")  # a deadline's first computation
after = sorted({m.split(".")[0] for m in sys.modules})
print(json.dumps([before, after]))
"""


def test_a_preloaded_worker_holds_none_of_the_lazy_libraries_until_a_job_uses_one(tmp_path):
    database = f"sqlite:///{tmp_path / 'worker.sqlite'}"
    result = subprocess.run(
        [sys.executable, "-c", STARTED_WORKER, database], cwd=ROOT, capture_output=True, text=True, check=True
    )
    before, after = json.loads(result.stdout.splitlines()[-1])
    assert [name for name in LAZY_LIBRARIES if name in before] == []
    # The check can fail: the same process imports them once the features are used.
    assert {"reportlab", "openpyxl", "holidays"} <= set(after)


def test_the_migration_commands_answer_under_flask_db(tmp_path):
    """The real command line, as `make run` and a deployment call it."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite'}", "PORTAL_ENV": "development"}

    def flask(*args: str) -> str:
        command = [sys.executable, "-m", "flask", "--app", "app", *args]
        return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=True).stdout

    assert "upgrade" in flask("db", "--help")
    flask("db", "upgrade")
    heads = flask("db", "heads").split()[0]
    assert flask("db", "current").split()[0] == heads
