"""Many rows into one table with one executemany, for set-based operations (the import).

SQLAlchemy's Core insert builds and converts every row's parameters in Python; for 100,000
customers that cost more than the database's own work. Here the statement is written once,
each column's bind processor (its type's conversion, e.g. a UTC time to SQLite's text) is
looked up once, values the same in every row (`same`, and the columns' Python defaults — a
callable such as `utcnow` gives every row the same moment, as one operation should) are
converted once, and the driver gets plain tuples."""

from __future__ import annotations

from operator import itemgetter

from sqlalchemy import Table

from portal.extensions import db

PLACEHOLDERS = {"qmark": "?", "format": "%s", "pyformat": "%s"}


def insert_rows(table: Table, rows: list[dict], same: dict | None = None) -> None:
    """`rows` all have the same keys; `same` holds the values every row shares."""
    if not rows:
        return
    connection = db.session.connection()
    dialect = connection.dialect
    own = list(rows[0])
    shared = dict(same or {})
    for column in table.columns:
        if column.name in own or column.name in shared or column.default is None or column.primary_key:
            continue
        shared[column.name] = column.default.arg(None) if column.default.is_callable else column.default.arg
    convert = {name: _processor(table, name, dialect) for name in own + list(shared)}
    constant = tuple(
        convert[name](value) if convert[name] and value is not None else value for name, value in shared.items()
    )
    take = itemgetter(*own) if len(own) > 1 else (lambda row: (row[own[0]],))
    conversions = [(index, convert[name]) for index, name in enumerate(own) if convert[name]]
    values = []
    for row in rows:
        value = take(row)
        if conversions:
            value = list(value)
            for index, processor in conversions:
                if value[index] is not None:
                    value[index] = processor(value[index])
            value = tuple(value)
        values.append(value + constant)
    quote = dialect.identifier_preparer.quote
    names = own + list(shared)
    placeholder = PLACEHOLDERS[dialect.paramstyle]
    sql = (
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(name) for name in names)}) "
        f"VALUES ({', '.join([placeholder] * len(names))})"
    )
    connection.exec_driver_sql(sql, values)


def _processor(table: Table, name: str, dialect):
    return table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
