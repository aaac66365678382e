"""SQLite's memory statistics are switched off in the worker only when no connection is open,
and the library works on afterwards. Run in a process of its own: the switch is process-wide."""

from __future__ import annotations

import subprocess
import sys

from sqlalchemy import create_engine

from portal.sqlite_runtime import disable_memory_statistics

SCRIPT = """
import ctypes, sys, _sqlite3
from sqlalchemy import create_engine, text
from portal.sqlite_runtime import disable_memory_statistics

library = ctypes.CDLL(_sqlite3.__file__)
library.sqlite3_memory_used.restype = ctypes.c_int64
engine = create_engine(f"sqlite:///{sys.argv[1]}")
with engine.connect() as open_connection:
    open_connection.execute(text("CREATE TABLE t (x)"))
    open_connection.commit()
    refused_while_open = disable_memory_statistics(engine)
counted_before = library.sqlite3_memory_used()
switched_off = disable_memory_statistics(engine)
with engine.connect() as connection:
    connection.execute(text("INSERT INTO t VALUES ('a'), ('b')"))
    rows = connection.execute(text("SELECT count(*) FROM t")).scalar()
    counted_after = library.sqlite3_memory_used()
print(refused_while_open, counted_before > 0, switched_off, rows, counted_after)
"""


def test_switched_off_only_with_no_connection_open_and_sqlite_works_on(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path / "t.sqlite")], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["False", "True", "True", "2", "0"]


def test_other_databases_are_left_alone():
    assert disable_memory_statistics(create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")) is False
