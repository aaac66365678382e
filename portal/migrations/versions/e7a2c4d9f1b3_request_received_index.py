"""requests by salon and arrival, for the overview's requests per month

Revision ID: e7a2c4d9f1b3
Revises: d3e8a1f4b2c6
Create Date: 2026-12-07 07:00:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "e7a2c4d9f1b3"
down_revision = "d3e8a1f4b2c6"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_request_received", "privacy_request", ["account_id", "received_at"], unique=False)


def downgrade():
    op.drop_index("ix_request_received", table_name="privacy_request")
