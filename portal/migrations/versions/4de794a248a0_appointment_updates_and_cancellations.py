"""Messages that run themselves: automations per location (birthday greeting, review request,
"we miss you"), scheduled campaigns with audience filters, appointment messages on a move and a
cancellation with each location's own texts, and SMS delivery reports (a message keeps the
provider's id). A message names its
occasion (a move's new start, a birthday's year, a visit); an appointment has one message per
kind, channel and occasion, an automation one per customer and occasion.

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
    op.create_table('automation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('enabled', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('send_hour', sa.Integer(), nullable=False),
    sa.Column('delay_hours', sa.Integer(), nullable=False),
    sa.Column('period_days', sa.Integer(), nullable=False),
    sa.Column('months', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_automation_account_id_account')),
    sa.ForeignKeyConstraint(['location_id'], ['location.id'], name=op.f('fk_automation_location_id_location'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_automation')),
    sa.UniqueConstraint('location_id', 'kind', name=op.f('uq_automation_location_id_kind')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('automation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_automation_account_id'), ['account_id'], unique=False)

    with op.batch_alter_table('messaging_settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('texts', sa.JSON(), server_default='{}', nullable=False))

    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.add_column(sa.Column('send_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('filters', sa.JSON(), server_default='{}', nullable=False))

    counter = _counter()
    with op.batch_alter_table('message', schema=None, table_kwargs={"sqlite_autoincrement": True}) as batch_op:
        batch_op.add_column(sa.Column('occasion', sa.String(length=40), server_default='', nullable=False))
        batch_op.drop_constraint(batch_op.f('uq_message_appointment_id_kind_channel'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_message_appointment_id_kind_channel_occasion'), ['appointment_id', 'kind', 'channel', 'occasion'])
        batch_op.add_column(sa.Column('automation_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_message_automation_id'), ['automation_id'], unique=False)
        batch_op.create_unique_constraint(batch_op.f('uq_message_automation_id_customer_id_occasion'), ['automation_id', 'customer_id', 'occasion'])
        batch_op.create_foreign_key(batch_op.f('fk_message_automation_id_automation'), 'automation', ['automation_id'], ['id'], ondelete='SET NULL')
        batch_op.add_column(sa.Column('provider_id', sa.String(length=64), server_default='', nullable=False))
        batch_op.create_index('ix_message_provider', ['provider_id'], unique=False)
    _restore_counter(counter)


def downgrade():
    counter = _counter()
    with op.batch_alter_table('message', schema=None, table_kwargs={"sqlite_autoincrement": True}) as batch_op:
        batch_op.drop_index('ix_message_provider')
        batch_op.drop_column('provider_id')
        batch_op.drop_constraint(batch_op.f('fk_message_automation_id_automation'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_message_automation_id_customer_id_occasion'), type_='unique')
        batch_op.drop_index(batch_op.f('ix_message_automation_id'))
        batch_op.drop_column('automation_id')
        batch_op.drop_constraint(batch_op.f('uq_message_appointment_id_kind_channel_occasion'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_message_appointment_id_kind_channel'), ['appointment_id', 'kind', 'channel'])
        batch_op.drop_column('occasion')
    _restore_counter(counter)
    with op.batch_alter_table('automation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_automation_account_id'))
    op.drop_table('automation')
    with op.batch_alter_table('campaign', schema=None, table_kwargs={"sqlite_autoincrement": True}) as batch_op:
        batch_op.drop_column('filters')
        batch_op.drop_column('send_at')
    with op.batch_alter_table('messaging_settings', schema=None, table_kwargs={"sqlite_autoincrement": True}) as batch_op:
        batch_op.drop_column('texts')
