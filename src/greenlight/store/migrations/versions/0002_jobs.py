"""Jobs with their leases; assets know their job and watermark.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("assets") as batch:
        batch.add_column(sa.Column("job_id", sa.String(64), nullable=True))
        batch.add_column(sa.Column("mark", sa.String(12), nullable=True))
        batch.create_index("ix_assets_job_id", ["job_id"])
        batch.create_unique_constraint("uq_assets_mark", ["mark"])
    op.create_table(
        "jobs",
        sa.Column("n", sa.Integer, nullable=False, autoincrement=True),
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("production_id", sa.String(64), nullable=False),
        sa.Column("lease_owner", sa.String(200), nullable=True),
        sa.Column("lease_until", sa.Float, nullable=True),
        sa.Column("record", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("n", name="pk_jobs"),
        sa.UniqueConstraint("id", name="uq_jobs_id"),
        sa.ForeignKeyConstraint(["production_id"], ["productions.id"], name="fk_jobs_production_id"),
    )
    op.create_index("ix_jobs_state", "jobs", ["state"])


def downgrade() -> None:
    op.drop_table("jobs")
    with op.batch_alter_table("assets") as batch:
        batch.drop_constraint("uq_assets_mark", type_="unique")
        batch.drop_index("ix_assets_job_id")
        batch.drop_column("mark")
        batch.drop_column("job_id")
