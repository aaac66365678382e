"""Rows as named tuples (`portal.plain_rows`): the same columns and values as SQLAlchemy's rows,
read by name, by position and unpacked; one type per shape of statement."""

from sqlalchemy import literal, select

from portal.extensions import db
from portal.plain_rows import plain_rows


def test_rows_keep_their_columns_values_and_order(app):
    statement = select(literal(7).label("id"), literal("Mia").label("first_name"))
    with app.app_context():
        expected = db.session.execute(statement).all()
        rows = plain_rows(db.session.execute(statement))
    assert [tuple(row) for row in rows] == [tuple(row) for row in expected] == [(7, "Mia")]
    (row,) = rows
    assert (row.id, row.first_name) == (7, "Mia")
    assert row[1] == "Mia"
    number, name = row
    assert (number, name) == (7, "Mia")


def test_one_type_per_shape_of_statement(app):
    with app.app_context():
        first = plain_rows(db.session.execute(select(literal(1).label("a"), literal(2).label("b"))))
        second = plain_rows(db.session.execute(select(literal(3).label("a"), literal(4).label("b"))))
        other = plain_rows(db.session.execute(select(literal(5).label("b"), literal(6).label("a"))))
    assert type(first[0]) is type(second[0])
    assert type(other[0]) is not type(first[0])
    assert (other[0].a, other[0].b) == (6, 5)


def test_an_empty_result_is_an_empty_list(app):
    with app.app_context():
        assert plain_rows(db.session.execute(select(literal(1).label("a")).where(literal(1) == 2))) == []
