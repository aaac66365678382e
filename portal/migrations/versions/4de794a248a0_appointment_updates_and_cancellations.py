"""Appointment messages on a move and a cancellation: a message names its occasion (a move's new
start), and an appointment has one message per kind, channel and occasion.

The message table is rebuilt by batch mode (SQLite changes a constraint only so): it keeps its
AUTOINCREMENT and its counter (ids never reused, migration a7e3c2d1f9b8).

Revision ID: 4de794a248a0
Revises: 39c4a25415be
Create Date: 2026-12-06 19:55:10
"""
from alembic import op
import sqlalchemy as sa


revision = '4de794a248a0'
down_revision = '39c4a25415be'
branch_labels = None
depends_on = None


def _counter():
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return None
    return bind.execute(sa.text("SELECT seq FROM sqlite_sequence WHERE name = 'message'")).scalar()


def _restore_counter(seq) -> None:
    if seq is None:
        return
    bind = op.get_bind()
    bind.execute(sa.text("DELETE FROM sqlite_sequence WHERE name = 'message' AND seq < :seq"), {"seq": seq})
    bind.execute(
        sa.text(
            "INSERT INTO sqlite_sequence (name, seq) SELECT 'message', :seq "
            "WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'message')"
        ),
        {"seq": seq},
    )


def upgrade():
    counter = _counter()
    with op.batch_alter_table('message', schema=None, table_kwargs={"sqlite_autoincrement": True}) as batch_op:
        batch_op.add_column(sa.Column('occasion', sa.String(length=40), server_default='', nullable=False))
        batch_op.drop_constraint(batch_op.f('uq_message_appointment_id_kind_channel'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_message_appointment_id_kind_channel_occasion'), ['appointment_id', 'kind', 'channel', 'occasion'])
    _restore_counter(counter)


def downgrade():
    counter = _counter()
    with op.batch_alter_table('message', schema=None, table_kwargs={"sqlite_autoincrement": True}) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_message_appointment_id_kind_channel_occasion'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_message_appointment_id_kind_channel'), ['appointment_id', 'kind', 'channel'])
        batch_op.drop_column('occasion')
    _restore_counter(counter)
