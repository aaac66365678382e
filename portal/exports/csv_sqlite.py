"""CSV records written by SQLite itself: one printf() per customer makes the record and
group_concat() joins a batch, so Python handles one string per 5,000 customers instead of
fifteen objects per customer (fetching cells into Python and csv.writer cost more than twice
the sqlite3 shell's whole dump). SQLite runs a statement on one core: two reader threads, each
on a connection of its own, build the batches side by side (`_ranged_batches`), and the job
hands them on in customer-number order.

Every text cell is quoted (`%w` doubles the quotes inside), which RFC 4180 allows; numbers,
dates and times never need it. A single-column file quotes its cells always, so that an empty
cell is `""` and never an empty line."""

from __future__ import annotations

import sqlite3
import threading
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from zoneinfo import ZoneInfo

from portal.csv_safe import FORMULA_STARTS
from portal.exports.columns import HEALTH_SQL, Column, plan
from portal.exports.sqlite_time import sqlite_local_datetime

# SQLite's functions take at most 127 arguments (SQLITE_MAX_FUNCTION_ARG before 3.45): a wide
# record is made of several printf() calls.
ARGUMENTS_PER_PRINTF = 100
MAX_JOINS = 60
# Threads that read batches at once, each on a connection of its own; a reader waits up to
# READER_TIMEOUT seconds for the job's progress commits.
READERS = 2
READER_TIMEOUT = 60
# The export's connections walk their pages once (reading ranges, then appending the file's
# chunks): a page is not asked for again, so a small cache costs no time and keeps the work
# horse's memory down (SQLite's default cache holds 2 MB per connection).
SMALL_CACHE_KIB = 256
# Where the batch after a customer number ends: a step through the account's index only.
BATCH_END = "SELECT id FROM customer WHERE account_id = :account_id AND id > :after ORDER BY id LIMIT 1 OFFSET :skip"
# A cell starting with one of these characters gets an apostrophe. In a GLOB class a "-" just
# before "]" is the character itself. All of them sort before "A" (`record_sql`).
RISKY_START = "[" + "".join(c for c in FORMULA_STARTS if c != "-") + "-]*"


def _own_field_sources(columns: list[Column]) -> tuple[dict[int, str], list[str]]:
    """Where each own field's value comes from: a LEFT JOIN while SQLite allows one (at most 64
    tables in a join), a scalar subquery beyond — looked up twice per cell, so only as a last
    resort."""
    sources, joins = {}, []
    for column in columns:
        if column.field_id is None or column.field_id in sources:
            continue
        if len(joins) < MAX_JOINS:
            alias = f"v{len(joins)}"
            joins.append(
                f"LEFT JOIN customer_field_value {alias} ON {alias}.customer_id = c.id "
                f"AND {alias}.field_id = {int(column.field_id)}"
            )
            sources[column.field_id] = f"{alias}.value"
        else:
            sources[column.field_id] = (
                f"(SELECT value FROM customer_field_value WHERE customer_id = c.id "
                f"AND field_id = {int(column.field_id)})"
            )
    return sources, joins


def _value(column: Column, zone: ZoneInfo, own_fields: dict[int, str]) -> str:
    if column.health:
        return HEALTH_SQL
    if column.field_id is not None:
        return own_fields[column.field_id]
    if column.kind == "time":
        return sqlite_local_datetime(f"c.{column.name}", zone)
    return f"c.{column.name}"


def record_sql(fields: list[str], zone: ZoneInfo, delimiter: str) -> tuple[str, list[str], dict]:
    """The SQL expression of one customer's record (without the line break), the joins it needs
    and its parameters."""
    columns = plan(fields)
    own_fields, joins = _own_field_sources(columns)
    always_quote = len(columns) == 1
    pieces, arguments = [], []
    for column in columns:
        value = _value(column, zone, own_fields)
        if column.kind == "text":
            # The prefix is NULL (printed as nothing) unless the cell would start a formula. Every
            # formula start sorts before "A": a name or a street (most cells) is passed by one
            # comparison instead of a GLOB call (5 % of the readers' time).
            pieces.append(
                [
                    f"CASE WHEN {value} < 'A' AND {value} GLOB :risky THEN '''' END",
                    f"ifnull({value}, '')" if column.nullable else value,
                ]
            )
            arguments.append('"%s%w"')
        else:
            pieces.append([value])
            spec = "%.16s" if column.kind == "time" else "%s"  # a time without its seconds
            arguments.append(f'"{spec}"' if always_quote else spec)
    calls, params = [], {"risky": RISKY_START}
    group_format, group_arguments = [], []

    def close_group():
        name = f"format{len(calls)}"
        params[name] = "".join(group_format)
        calls.append(f"printf(:{name}, {', '.join(group_arguments)})")
        group_format.clear()
        group_arguments.clear()

    for index, (spec, values) in enumerate(zip(arguments, pieces, strict=True)):
        if len(group_arguments) + len(values) > ARGUMENTS_PER_PRINTF:
            close_group()
        group_format.append(("" if index == 0 else delimiter) + spec)
        group_arguments.extend(values)
    close_group()
    return " || ".join(calls), joins, params


def _statements(export, zone: ZoneInfo, delimiter: str) -> tuple[str, str, dict]:
    """Two statements giving (count, last customer number, CRLF-joined records) of at most
    `:batch` customers after `:after`: one open-ended (keyset paging), one up to `:last` (the
    readers' ranges). The subquery's ORDER BY and LIMIT keep it from being flattened:
    group_concat receives the records in customer-number order. As a BLOB the records reach
    Python as the UTF-8 bytes the file needs: no decoding and encoding again."""
    record, joins, params = record_sql(export.fields, zone, delimiter)

    def statement(upper_bound: str) -> str:
        return (
            "SELECT count(*), max(id), CAST(group_concat(record, char(13, 10)) AS BLOB) FROM ("
            f"SELECT c.id AS id, {record} AS record FROM customer c {' '.join(joins)} "
            f"WHERE c.account_id = :account_id AND c.id > :after {upper_bound}ORDER BY c.id LIMIT :batch)"
        )

    return statement(""), statement("AND c.id <= :last "), params


@contextmanager
def small_page_cache(connection):
    """The job's own (pooled) connection with a small cache while it exports, its own size after."""
    (size,) = connection.execute("PRAGMA cache_size").fetchone()
    connection.execute(f"PRAGMA cache_size = -{SMALL_CACHE_KIB}")
    try:
        yield
    finally:
        connection.execute(f"PRAGMA cache_size = {int(size)}")


def _keyset_batches(connection, statement: str, params: dict, after: int):
    while True:
        count, after, data = connection.execute(statement, {**params, "after": after}).fetchone()
        if not count:
            return
        yield count, data + b"\r\n"


def _ranged_batches(connection, database: str, export, statement: str, params: dict, batch: int):
    """Full batches read by `READERS` threads on connections of their own, yielded in order;
    returns the last customer number handed out. The main connection only finds where each
    batch ends (an index-only step). A reader reads its whole batch before handing it over, so
    it never holds a read lock while it waits: the job's progress commits wait at most for the
    statements under way, never for the job itself."""
    local, opened, lock = threading.local(), [], threading.Lock()

    def read(after: int, last: int) -> tuple[int, bytes]:
        if not hasattr(local, "connection"):
            local.connection = sqlite3.connect(
                database, isolation_level=None, check_same_thread=False, timeout=READER_TIMEOUT
            )
            with lock:
                opened.append(local.connection)
            local.connection.execute(f"PRAGMA cache_size = -{SMALL_CACHE_KIB}")
        count, _last, data = local.connection.execute(statement, {**params, "after": after, "last": last}).fetchall()[0]
        return count, data + b"\r\n" if count else b""  # all of the range deleted meanwhile

    after, pending = 0, deque()
    pool = ThreadPoolExecutor(READERS, thread_name_prefix=f"export-{export.id}-reader")
    try:
        while (
            end := connection.execute(
                BATCH_END, {"account_id": export.account_id, "after": after, "skip": batch - 1}
            ).fetchone()
        ) is not None:
            pending.append(pool.submit(read, after, end[0]))
            after = end[0]
            if len(pending) > READERS:  # a batch waits while the readers work: memory stays bounded
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        for future in pending:
            future.cancel()
        pool.shutdown(wait=True)
        for reader in opened:
            reader.close()
    return after


def sqlite_batches(connection, export, zone: ZoneInfo, delimiter: str, batch: int, database: str | None = None):
    """(customers, bytes) per batch in customer-number order. With the database's file given,
    full batches are read in parallel (`_ranged_batches`); the rest — and customers added
    meanwhile — keyset-paged on the job's connection."""
    keyset, ranged, params = _statements(export, zone, delimiter)
    params.update(account_id=export.account_id, batch=batch)
    after = 0
    if database and database != ":memory:" and READERS > 1:
        after = yield from _ranged_batches(connection, database, export, ranged, params, batch)
    yield from _keyset_batches(connection, keyset, params, after)
