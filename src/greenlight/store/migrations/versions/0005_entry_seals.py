"""Ledger entries sealed by the studio key (`ledger_entries.seal`).

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("ledger_entries", sa.Column("seal", sa.Text, nullable=True))


def downgrade() -> None:
    op.drop_column("ledger_entries", "seal")
