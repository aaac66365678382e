"""the salon's daily work: visits, checkout with invoices, vouchers, bonus programs, activity

Appointments are booked, attended (checked out), no-show or cancelled ("done" becomes
"attended"). Invoices get their seller and buyer as printed, the appointment they bill, the
invoice a cancellation corrects, payments, and a gapless counter per salon. Vouchers and stamp
cards get their own histories. The state (Bundesland) moves from the salon to each location.
`customer.last_visit_at`, which only demo data filled, becomes `last_activity_at`, computed
from attended appointments, invoices not cancelled and the import (portal/activity.py).

Revision ID: f4c1a9e2b7d0
Revises: d3b8e6f1a2c4
Create Date: 2026-12-02 15:30:00.000000

"""
import json
import re

import sqlalchemy as sa
from alembic import op

revision = 'f4c1a9e2b7d0'
down_revision = 'd3b8e6f1a2c4'
branch_labels = None
depends_on = None


def _greatest(*args: str) -> str:
    if op.get_bind().dialect.name == "postgresql":
        return f"GREATEST({', '.join(args)})"
    rotations = [", ".join(args[i:] + args[:i]) for i in range(len(args))]
    return "max(" + ", ".join(f"coalesce({r})" for r in rotations) + ")"



def upgrade():
    op.execute("UPDATE appointment SET status = 'attended' WHERE status = 'done'")
    with op.batch_alter_table('appointment', schema=None) as batch_op:
        batch_op.create_index('ix_appointment_account_status_start', ['account_id', 'status', 'starts_at'], unique=False)

    with op.batch_alter_table('service', schema=None) as batch_op:
        batch_op.add_column(sa.Column('vat_rate_permille', sa.Integer(), server_default='190', nullable=False))

    with op.batch_alter_table('location', schema=None) as batch_op:
        batch_op.add_column(sa.Column('state', sa.String(length=2), server_default='BE', nullable=False))
        batch_op.add_column(sa.Column('tax_id', sa.String(length=40), server_default='', nullable=False))
    op.execute("UPDATE location SET state = (SELECT account.state FROM account WHERE account.id = location.account_id)")
    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.drop_column('state')

    with op.batch_alter_table('invoice', schema=None) as batch_op:
        batch_op.add_column(sa.Column('appointment_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('kind', sa.String(length=20), server_default='invoice', nullable=False))
        batch_op.add_column(sa.Column('cancels_invoice_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('service_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('seller_name', sa.String(length=200), server_default='', nullable=False))
        batch_op.add_column(sa.Column('seller_address', sa.String(length=400), server_default='', nullable=False))
        batch_op.add_column(sa.Column('seller_tax_id', sa.String(length=40), server_default='', nullable=False))
        batch_op.add_column(sa.Column('billed_address', sa.String(length=400), server_default='', nullable=False))
        batch_op.add_column(sa.Column('cancel_reason', sa.String(length=300), server_default='', nullable=False))
        batch_op.add_column(sa.Column('checkout_key', sa.String(length=40), nullable=True))
        batch_op.create_index(batch_op.f('ix_invoice_appointment_id'), ['appointment_id'], unique=False)
        batch_op.create_index('ix_invoice_account_issued', ['account_id', 'issued_at'], unique=False)
        batch_op.create_unique_constraint(batch_op.f('uq_invoice_account_id_checkout_key'), ['account_id', 'checkout_key'])
        batch_op.create_unique_constraint(batch_op.f('uq_invoice_cancels_invoice_id'), ['cancels_invoice_id'])
        batch_op.create_foreign_key(batch_op.f('fk_invoice_appointment_id_appointment'), 'appointment', ['appointment_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_invoice_cancels_invoice_id_invoice'), 'invoice', ['cancels_invoice_id'], ['id'])

    with op.batch_alter_table('invoice_line', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=20), server_default='service', nullable=False))
        batch_op.add_column(sa.Column('service_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_invoice_line_service_id_service'), 'service', ['service_id'], ['id'])

    op.create_table('invoice_counter',
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_invoice_counter_account_id_account')),
    sa.PrimaryKeyConstraint('account_id', name=op.f('pk_invoice_counter'))
    )
    # Numbers go on from the highest one a salon already has (R-0000042 -> 42).
    bind = op.get_bind()
    highest = {}
    for account_id, number in bind.execute(sa.text("SELECT account_id, number FROM invoice")):
        match = re.search(r"(\d+)$", number or "")
        if match:
            highest[account_id] = max(highest.get(account_id, 0), int(match.group(1)))
    for account_id, in bind.execute(sa.text("SELECT id FROM account")):
        bind.execute(sa.text("INSERT INTO invoice_counter (account_id, last_number) VALUES (:a, :n)"),
                     {"a": account_id, "n": highest.get(account_id, 0)})

    op.create_table('invoice_payment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('invoice_id', sa.Integer(), nullable=False),
    sa.Column('method', sa.String(length=20), nullable=False),
    sa.Column('amount_cents', sa.Integer(), nullable=False),
    sa.Column('voucher_id', sa.Integer(), nullable=True),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_invoice_payment_account_id_account')),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoice.id'], name=op.f('fk_invoice_payment_invoice_id_invoice'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['voucher_id'], ['voucher.id'], name=op.f('fk_invoice_payment_voucher_id_voucher')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invoice_payment'))
    )
    with op.batch_alter_table('invoice_payment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invoice_payment_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_invoice_payment_invoice_id'), ['invoice_id'], unique=False)

    with op.batch_alter_table('voucher', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sold_invoice_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_voucher_sold_invoice_id_invoice'), 'invoice', ['sold_invoice_id'], ['id'])

    op.create_table('voucher_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('voucher_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('amount_cents', sa.Integer(), nullable=False),
    sa.Column('invoice_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=300), nullable=False),
    sa.Column('login_id', sa.Integer(), nullable=True),
    sa.Column('employee_id', sa.Integer(), nullable=True),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_voucher_entry_account_id_account')),
    sa.ForeignKeyConstraint(['employee_id'], ['employee.id'], name=op.f('fk_voucher_entry_employee_id_employee'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoice.id'], name=op.f('fk_voucher_entry_invoice_id_invoice')),
    sa.ForeignKeyConstraint(['login_id'], ['login.id'], name=op.f('fk_voucher_entry_login_id_login'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['voucher_id'], ['voucher.id'], name=op.f('fk_voucher_entry_voucher_id_voucher'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_voucher_entry'))
    )
    with op.batch_alter_table('voucher_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_voucher_entry_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_voucher_entry_voucher_id'), ['voucher_id'], unique=False)
    # Vouchers from before keep their story: issued with their value, and what was used of it.
    op.execute("INSERT INTO voucher_entry (account_id, voucher_id, kind, amount_cents, reason, occurred_at) "
               "SELECT account_id, id, 'issued', initial_cents, '', issued_at FROM voucher")
    op.execute("INSERT INTO voucher_entry (account_id, voucher_id, kind, amount_cents, reason, occurred_at) "
               "SELECT account_id, id, 'redeemed', remaining_cents - initial_cents, "
               "'eingelöst vor der Aufzeichnung im Portal', issued_at FROM voucher WHERE remaining_cents < initial_cents")

    with op.batch_alter_table('bonus_program', schema=None) as batch_op:
        batch_op.add_column(sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False))
    op.create_table('bonus_program_service',
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['program_id'], ['bonus_program.id'], name=op.f('fk_bonus_program_service_program_id_bonus_program'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['service_id'], ['service.id'], name=op.f('fk_bonus_program_service_service_id_service'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('program_id', 'service_id', name=op.f('pk_bonus_program_service'))
    )
    with op.batch_alter_table('stamp_card', schema=None) as batch_op:
        batch_op.add_column(sa.Column('started_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('redeemed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('redeemed_invoice_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_stamp_card_redeemed_invoice_id_invoice'), 'invoice', ['redeemed_invoice_id'], ['id'])
    op.create_table('stamp_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('card_id', sa.Integer(), nullable=False),
    sa.Column('invoice_id', sa.Integer(), nullable=False),
    sa.Column('stamps', sa.Integer(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_stamp_entry_account_id_account')),
    sa.ForeignKeyConstraint(['card_id'], ['stamp_card.id'], name=op.f('fk_stamp_entry_card_id_stamp_card'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoice.id'], name=op.f('fk_stamp_entry_invoice_id_invoice')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stamp_entry'))
    )
    with op.batch_alter_table('stamp_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stamp_entry_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_stamp_entry_card_id'), ['card_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_stamp_entry_invoice_id'), ['invoice_id'], unique=False)

    # Activity from what was recorded, not from the column only demo data filled.
    with op.batch_alter_table('customer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_activity_at', sa.DateTime(timezone=True), nullable=True))
    attended = ("(SELECT max(a.starts_at) FROM appointment a WHERE a.customer_id = customer.id "
                "AND a.status = 'attended')")
    invoiced = ("(SELECT max(i.issued_at) FROM invoice i WHERE i.customer_id = customer.id "
                "AND i.kind = 'invoice' AND i.status != 'cancelled')")
    op.execute(f"UPDATE customer SET last_activity_at = {_greatest(attended, invoiced, 'customer.imported_at')}")
    with op.batch_alter_table('customer', schema=None) as batch_op:
        batch_op.drop_column('last_visit_at')

    # Exports waiting to run name the column by its new name.
    for export_id, fields in bind.execute(sa.text("SELECT id, fields FROM customer_export")).all():
        text = fields if isinstance(fields, str) else json.dumps(fields)
        if "last_visit_at" in text:
            bind.execute(sa.text("UPDATE customer_export SET fields = :f WHERE id = :i"),
                         {"f": text.replace("last_visit_at", "last_activity_at"), "i": export_id})


def downgrade():
    bind = op.get_bind()
    for export_id, fields in bind.execute(sa.text("SELECT id, fields FROM customer_export")).all():
        text = fields if isinstance(fields, str) else json.dumps(fields)
        if "last_activity_at" in text:
            bind.execute(sa.text("UPDATE customer_export SET fields = :f WHERE id = :i"),
                         {"f": text.replace("last_activity_at", "last_visit_at"), "i": export_id})
    with op.batch_alter_table('customer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_visit_at', sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE customer SET last_visit_at = last_activity_at")
    with op.batch_alter_table('customer', schema=None) as batch_op:
        batch_op.drop_column('last_activity_at')

    op.drop_table('stamp_entry')
    with op.batch_alter_table('stamp_card', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_stamp_card_redeemed_invoice_id_invoice'), type_='foreignkey')
        batch_op.drop_column('redeemed_invoice_id')
        batch_op.drop_column('redeemed_at')
        batch_op.drop_column('started_at')
    op.drop_table('bonus_program_service')
    with op.batch_alter_table('bonus_program', schema=None) as batch_op:
        batch_op.drop_column('active')
    op.drop_table('voucher_entry')
    with op.batch_alter_table('voucher', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_voucher_sold_invoice_id_invoice'), type_='foreignkey')
        batch_op.drop_column('closed_at')
        batch_op.drop_column('sold_invoice_id')
    op.drop_table('invoice_payment')
    op.drop_table('invoice_counter')
    with op.batch_alter_table('invoice_line', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_invoice_line_service_id_service'), type_='foreignkey')
        batch_op.drop_column('service_id')
        batch_op.drop_column('kind')
    with op.batch_alter_table('invoice', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_invoice_cancels_invoice_id_invoice'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_invoice_appointment_id_appointment'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_invoice_cancels_invoice_id'), type_='unique')
        batch_op.drop_constraint(batch_op.f('uq_invoice_account_id_checkout_key'), type_='unique')
        batch_op.drop_index('ix_invoice_account_issued')
        batch_op.drop_index(batch_op.f('ix_invoice_appointment_id'))
        for column in ('checkout_key', 'cancel_reason', 'billed_address', 'seller_tax_id', 'seller_address',
                       'seller_name', 'service_date', 'cancels_invoice_id', 'kind', 'appointment_id'):
            batch_op.drop_column(column)

    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('state', sa.String(length=2), nullable=False, server_default='BE'))
    op.execute("UPDATE account SET state = coalesce((SELECT location.state FROM location WHERE "
               "location.account_id = account.id ORDER BY location.id LIMIT 1), 'BE')")
    with op.batch_alter_table('location', schema=None) as batch_op:
        batch_op.drop_column('tax_id')
        batch_op.drop_column('state')
    with op.batch_alter_table('service', schema=None) as batch_op:
        batch_op.drop_column('vat_rate_permille')
    with op.batch_alter_table('appointment', schema=None) as batch_op:
        batch_op.drop_index('ix_appointment_account_status_start')
    op.execute("UPDATE appointment SET status = 'done' WHERE status = 'attended'")
