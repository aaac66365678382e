"""Customer import from the previous software: the import and its file, row report,
duplicates and undo data; the customer's origin (import, old system's name, number and last
visit); the imported consent's source and date.

The customer table is rebuilt by batch mode (SQLite adds a foreign key only so): it keeps its
AUTOINCREMENT (ids never reused, migration a7e3c2d1f9b8).

Revision ID: 39c4a25415be
Revises: a7c3e9d2f5b1
Create Date: 2026-12-06 19:14:56
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '39c4a25415be'
down_revision = 'a7c3e9d2f5b1'
branch_labels = None
depends_on = None


def _customer_counter():
    """SQLite's AUTOINCREMENT counter of the customer table (None elsewhere): a rebuilt table
    would start again from its highest row, and an erased customer's number could come back."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return None
    return bind.execute(sa.text("SELECT seq FROM sqlite_sequence WHERE name = 'customer'")).scalar()


def _restore_customer_counter(seq) -> None:
    if seq is None:
        return
    bind = op.get_bind()
    bind.execute(sa.text("DELETE FROM sqlite_sequence WHERE name = 'customer' AND seq < :seq"), {"seq": seq})
    bind.execute(
        sa.text(
            "INSERT INTO sqlite_sequence (name, seq) SELECT 'customer', :seq "
            "WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'customer')"
        ),
        {"seq": seq},
    )


def upgrade():
    op.create_table('customer_import',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('source_name', sa.String(length=60), nullable=False),
    sa.Column('file_format', sa.String(length=10), nullable=False),
    sa.Column('file_size', sa.Integer(), nullable=False),
    sa.Column('detected_encoding', sa.String(length=20), nullable=False),
    sa.Column('detected_delimiter', sa.String(length=2), nullable=False),
    sa.Column('encoding', sa.String(length=20), nullable=False),
    sa.Column('delimiter', sa.String(length=2), nullable=False),
    sa.Column('headers', sa.JSON(), nullable=False),
    sa.Column('mapping', sa.JSON(), nullable=False),
    sa.Column('default_action', sa.String(length=10), nullable=False),
    sa.Column('rows_total', sa.Integer(), nullable=False),
    sa.Column('counts', sa.JSON(), nullable=False),
    sa.Column('progress_done', sa.Integer(), nullable=False),
    sa.Column('progress_total', sa.Integer(), nullable=False),
    sa.Column('runs', sa.Integer(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('error', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('checked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('undone_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('file_deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_customer_import_account_id_account')),
    sa.ForeignKeyConstraint(['created_by_id'], ['login.id'], name=op.f('fk_customer_import_created_by_id_login'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_customer_import')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('customer_import', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_customer_import_account_id'), ['account_id'], unique=False)

    op.create_table('import_blob',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('import_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['import_id'], ['customer_import.id'], name=op.f('fk_import_blob_import_id_customer_import'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_blob')),
    sa.UniqueConstraint('import_id', 'kind', 'seq', name=op.f('uq_import_blob_import_id_kind_seq')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('import_blob', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_import_blob_import_id'), ['import_id'], unique=False)

    op.create_table('import_issue',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('import_id', sa.Integer(), nullable=False),
    sa.Column('row_number', sa.Integer(), nullable=False),
    sa.Column('header', sa.String(length=120), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['import_id'], ['customer_import.id'], name=op.f('fk_import_issue_import_id_customer_import'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_issue')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('import_issue', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_import_issue_import_id'), ['import_id'], unique=False)

    op.create_table('import_duplicate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('import_id', sa.Integer(), nullable=False),
    sa.Column('row_number', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=True),
    sa.Column('other_row', sa.Integer(), nullable=True),
    sa.Column('matched_by', sa.String(length=20), nullable=False),
    sa.Column('action', sa.String(length=10), nullable=True),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name=op.f('fk_import_duplicate_customer_id_customer'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['import_id'], ['customer_import.id'], name=op.f('fk_import_duplicate_import_id_customer_import'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_duplicate')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('import_duplicate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_import_duplicate_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_import_duplicate_import_id'), ['import_id'], unique=False)

    op.create_table('import_update',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('import_id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('before', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name=op.f('fk_import_update_customer_id_customer'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['import_id'], ['customer_import.id'], name=op.f('fk_import_update_import_id_customer_import'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_update')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('import_update', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_import_update_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_import_update_import_id'), ['import_id'], unique=False)

    with op.batch_alter_table('consent_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source', sa.String(length=60), server_default='', nullable=False))
        batch_op.add_column(sa.Column('given_on', sa.Date(), nullable=True))

    counter = _customer_counter()
    with op.batch_alter_table('customer', schema=None, table_kwargs={"sqlite_autoincrement": True}) as batch_op:
        batch_op.add_column(sa.Column('import_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('import_source', sa.String(length=60), server_default='', nullable=False))
        batch_op.add_column(sa.Column('legacy_number', sa.String(length=40), server_default='', nullable=False))
        batch_op.add_column(sa.Column('legacy_last_visit_on', sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f('ix_customer_import_id'), ['import_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_customer_import_id_customer_import'), 'customer_import', ['import_id'], ['id'], ondelete='SET NULL')
    _restore_customer_counter(counter)



def downgrade():
    counter = _customer_counter()
    with op.batch_alter_table('customer', schema=None, table_kwargs={"sqlite_autoincrement": True}) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_customer_import_id_customer_import'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_customer_import_id'))
        batch_op.drop_column('legacy_last_visit_on')
        batch_op.drop_column('legacy_number')
        batch_op.drop_column('import_source')
        batch_op.drop_column('import_id')
    _restore_customer_counter(counter)

    with op.batch_alter_table('consent_log', schema=None) as batch_op:
        batch_op.drop_column('given_on')
        batch_op.drop_column('source')

    with op.batch_alter_table('import_update', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_import_update_import_id'))
        batch_op.drop_index(batch_op.f('ix_import_update_customer_id'))

    op.drop_table('import_update')
    with op.batch_alter_table('import_duplicate', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_import_duplicate_import_id'))
        batch_op.drop_index(batch_op.f('ix_import_duplicate_customer_id'))

    op.drop_table('import_duplicate')
    with op.batch_alter_table('import_issue', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_import_issue_import_id'))

    op.drop_table('import_issue')
    with op.batch_alter_table('import_blob', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_import_blob_import_id'))

    op.drop_table('import_blob')
    with op.batch_alter_table('customer_import', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_customer_import_account_id'))

    op.drop_table('customer_import')
