"""`column IN (these values)` as one bound parameter: a JSON array read by `json_each` on
SQLite, an array compared with `= ANY` on PostgreSQL. An erasure batch of 2,000 customers runs
some twenty statements; as plain `IN (?, ?, …)` each was compiled anew with 2,000 parameters
(a tenth of the batch's time), and SQLite caps how many parameters a statement may have."""

from __future__ import annotations

import json
from collections.abc import Iterable

from sqlalchemy import String, any_, bindparam, func, select
from sqlalchemy.dialects.postgresql import ARRAY

from portal.extensions import db


def among(column, values: Iterable[int] | Iterable[str]):
    values = list(values)
    if db.engine.dialect.name == "postgresql":
        return column == any_(bindparam(None, values, type_=ARRAY(column.type)))
    listed = func.json_each(bindparam(None, json.dumps(values), type_=String)).table_valued("value")
    return column.in_(select(listed.c.value))
