"""Every location has its privacy and message settings rows: filled in for older locations
(new ones get them when they are created), so that pages only read them.

Revision ID: c5d1e8f2a4b6
Revises: b2f7e4a9c1d3
Create Date: 2026-12-03 14:10:00
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from portal.models.base import UTCDateTime

revision = 'c5d1e8f2a4b6'
down_revision = 'b2f7e4a9c1d3'
branch_labels = None
depends_on = None


def upgrade():
    now = sa.bindparam("now", datetime.now(UTC), type_=UTCDateTime())
    op.get_bind().execute(sa.text("""
        INSERT INTO privacy_settings (account_id, location_id, requests_mode, marketing_enabled,
            notification_email, controller_name, controller_street, controller_postal_code,
            controller_city, controller_email, controller_phone, authority_code, dpo_name, dpo_email,
            dpo_phone, dpo_address, extensions, updated_at)
        SELECT l.account_id, l.id, 'self_service', :no, '', a.name, COALESCE(l.street, ''),
            COALESCE(l.postal_code, ''), COALESCE(l.city, ''), COALESCE(l.email, ''),
            COALESCE(l.phone, ''), COALESCE(l.state, ''), '', '', '', '', '', :now
        FROM location l JOIN account a ON a.id = l.account_id
        WHERE NOT EXISTS (SELECT 1 FROM privacy_settings p WHERE p.location_id = l.id)
    """).bindparams(now, sa.bindparam("no", False)))
    op.get_bind().execute(sa.text("""
        INSERT INTO messaging_settings (account_id, location_id, reminder_hours, review_is_marketing,
            existing_customer_email)
        SELECT l.account_id, l.id, 24, :yes, :no FROM location l
        WHERE NOT EXISTS (SELECT 1 FROM messaging_settings m WHERE m.location_id = l.id)
    """), {"yes": True, "no": False})


def downgrade():
    pass  # the rows are the settings as they would have been created on first view
