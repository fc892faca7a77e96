"""Access tokens for the studio service (`greenlight token create`).

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "access_tokens",
        sa.Column("n", sa.Integer, nullable=False, autoincrement=True),
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("secret_sha256", sa.String(64), nullable=False),
        sa.Column("talent_id", sa.String(64), nullable=True),
        sa.Column("record", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("n", name="pk_access_tokens"),
        sa.UniqueConstraint("id", name="uq_access_tokens_id"),
        sa.UniqueConstraint("secret_sha256", name="uq_access_tokens_secret_sha256"),
        sa.ForeignKeyConstraint(["talent_id"], ["talent.id"], name="fk_access_tokens_talent_id"),
    )


def downgrade() -> None:
    op.drop_table("access_tokens")
