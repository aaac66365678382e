"""Ids never reused on SQLite: every table with an id is rebuilt with AUTOINCREMENT, and the
rows that foreign keys (off until now) would have deleted or detached are cleaned up.

Without AUTOINCREMENT SQLite hands out max(id) + 1, so the number of the last customer erased
went to the next one created — and with it whatever still carried that number. PostgreSQL's
sequences never reuse a number: nothing to do there.

Revision ID: a7e3c2d1f9b8
Revises: f4c1a9e2b7d0
Create Date: 2026-12-03 09:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

revision = 'a7e3c2d1f9b8'
down_revision = 'f4c1a9e2b7d0'
branch_labels = None
depends_on = None


def _tables_with_id(bind) -> list[str]:
    inspector = sa.inspect(bind)
    names = []
    for name in inspector.get_table_names():
        if name == "alembic_version":
            continue
        primary = inspector.get_pk_constraint(name)["constrained_columns"]
        columns = {c["name"]: c for c in inspector.get_columns(name)}
        if primary == ["id"] and isinstance(columns["id"]["type"], sa.Integer):
            names.append(name)
    return names


def _highest_numbers(bind, tables: list[str]) -> dict[str, int]:
    """The highest number each table ever gave out, as far as anything still remembers it: its
    own ids, the columns that point at it (also rows pointing at deleted rows), and the history's
    entity ids of that kind."""
    highest = {}
    for name in tables:
        values = [bind.exec_driver_sql(f'SELECT max(id) FROM "{name}"').scalar()]
        for child in tables:
            for fk in bind.exec_driver_sql(f'PRAGMA foreign_key_list("{child}")').fetchall():
                if fk[2] == name and fk[4] == "id":
                    values.append(bind.exec_driver_sql(f'SELECT max("{fk[3]}") FROM "{child}"').scalar())
        if "audit_event" in tables:
            values.append(bind.exec_driver_sql(
                "SELECT max(entity_id) FROM audit_event WHERE entity_type = ?", (name,)).scalar())
            if name == "customer":
                values.append(bind.exec_driver_sql("SELECT max(customer_id) FROM audit_event").scalar())
        highest[name] = max((v for v in values if isinstance(v, int)), default=0)
    return highest


def _apply_skipped_delete_rules(bind) -> None:
    """Rows pointing at deleted rows get what ON DELETE says (CASCADE: deleted, SET NULL:
    detached); a reference without a rule is detached when the column allows it. Repeated,
    because a cascade can leave new orphans one level down."""
    for _round in range(20):
        broken = bind.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if not broken:
            return
        for table, rowid, _parent, fk_id in broken:
            rule = next(fk for fk in bind.exec_driver_sql(f'PRAGMA foreign_key_list("{table}")').fetchall()
                        if fk[0] == fk_id)
            column, on_delete = rule[3], rule[6].upper()
            nullable = next(c for c in bind.exec_driver_sql(f'PRAGMA table_info("{table}")').fetchall()
                            if c[1] == column)[3] == 0
            if on_delete == "CASCADE" or not nullable:
                bind.exec_driver_sql(f'DELETE FROM "{table}" WHERE rowid = ?', (rowid,))
            else:
                bind.exec_driver_sql(f'UPDATE "{table}" SET "{column}" = NULL WHERE rowid = ?', (rowid,))
    raise RuntimeError("rows pointing at deleted rows remain after 20 rounds")


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    tables = _tables_with_id(bind)
    highest = _highest_numbers(bind, tables)
    _apply_skipped_delete_rules(bind)
    for name in tables:
        with op.batch_alter_table(name, recreate="always", table_kwargs={"sqlite_autoincrement": True}):
            pass
    for name, number in highest.items():
        if number:
            bind.exec_driver_sql("DELETE FROM sqlite_sequence WHERE name = ?", (name,))
            bind.exec_driver_sql("INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", (name, number))


def downgrade():
    pass  # AUTOINCREMENT does no harm on a downgraded schema; the cleaned rows were orphans
