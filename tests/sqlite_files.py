"""The database's own files, read by a test in a process of its own.

SQLite holds POSIX advisory locks on the database file for as long as a connection is open (in
WAL mode a shared lock that tells every other process it is not alone). POSIX drops *all* of a
process's locks on a file when the process closes *any* descriptor of that file: a test that
opened the database with Python and closed it again silently dropped the locks of the pool's
connections, and the next worker process to close its last connection took the log away from
under them (its checkpoint deleted the `-wal` file the test process still wrote to). `cat` reads
the bytes in its own process, whose locks are its own."""

from __future__ import annotations

import subprocess
from pathlib import Path


def file_bytes(path: Path) -> bytes:
    """The file's bytes, or b"" when it does not exist."""
    if not path.exists():
        return b""
    return subprocess.run(["cat", str(path)], capture_output=True, check=True).stdout
