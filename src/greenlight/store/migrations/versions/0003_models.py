"""The studio's registered generative models (`greenlight models add`).

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "models",
        sa.Column("n", sa.Integer, nullable=False, autoincrement=True),
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("name_key", sa.String(400), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("record", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("n", name="pk_models"),
        sa.UniqueConstraint("id", name="uq_models_id"),
        sa.UniqueConstraint("name_key", name="uq_models_name_key"),
    )
    op.create_index("ix_models_sha256", "models", ["sha256"])


def downgrade() -> None:
    op.drop_table("models")
