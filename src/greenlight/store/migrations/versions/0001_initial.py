"""Registry, consent, decisions, assets and the hash-chained ledger.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

GENESIS = "0" * 64


def _records(name: str, *extra: sa.Column | sa.Constraint) -> None:
    op.create_table(
        name,
        sa.Column("n", sa.Integer, nullable=False, autoincrement=True),
        sa.Column("id", sa.String(64), nullable=False),
        *extra,
        sa.Column("record", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("n", name=f"pk_{name}"),
        sa.UniqueConstraint("id", name=f"uq_{name}_id"),
    )


def upgrade() -> None:
    _records(
        "productions",
        sa.Column("code_key", sa.String(400), nullable=False),
        sa.UniqueConstraint("code_key", name="uq_productions_code_key"),
    )
    for name in ("talent", "protected_persons"):
        _records(
            name,
            sa.Column("name_key", sa.String(400), nullable=False),
            sa.UniqueConstraint("name_key", name=f"uq_{name}_name_key"),
        )
    _records("protected_works")
    _records(
        "likeness_references",
        sa.Column("subject_id", sa.String(64), nullable=False),
        sa.Column("photo_sha256", sa.String(64), nullable=False),
        sa.UniqueConstraint("photo_sha256", name="uq_likeness_references_photo_sha256"),
    )
    op.create_index("ix_likeness_references_subject_id", "likeness_references", ["subject_id"])
    _records(
        "consent_grants",
        sa.Column("talent_id", sa.String(64), nullable=False),
        sa.Column("production_id", sa.String(64), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.ForeignKeyConstraint(["talent_id"], ["talent.id"], name="fk_consent_grants_talent_id"),
        sa.ForeignKeyConstraint(["production_id"], ["productions.id"], name="fk_consent_grants_production_id"),
    )
    op.create_index("ix_consent_grants_talent_id", "consent_grants", ["talent_id"])
    _records(
        "decisions",
        sa.Column("subject", sa.String(400), nullable=False),
        sa.Column("production_id", sa.String(64), nullable=True),
        sa.Column("verdict", sa.String(16), nullable=False),
    )
    op.create_index("ix_decisions_subject", "decisions", ["subject"])
    _records(
        "assets",
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("media_type", sa.String(200), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.UniqueConstraint("sha256", name="uq_assets_sha256"),
    )
    op.create_table(
        "ledger_entries",
        sa.Column("seq", sa.Integer, nullable=False, autoincrement=False),
        sa.Column("kind", sa.String(200), nullable=False),
        sa.Column("subject", sa.String(400), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("record", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_ledger_entries"),
    )
    op.create_index("ix_ledger_entries_subject", "ledger_entries", ["subject"])
    head = op.create_table(
        "ledger_head",
        sa.Column("id", sa.Integer, nullable=False, autoincrement=False),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("last_hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_ledger_head"),
        sa.CheckConstraint("id = 1", name="ck_ledger_head_single_row"),
    )
    op.bulk_insert(head, [{"id": 1, "count": 0, "last_hash": GENESIS}])


def downgrade() -> None:
    for name in (
        "ledger_head", "ledger_entries", "assets", "decisions", "consent_grants", "likeness_references",
        "protected_works", "protected_persons", "talent", "productions",
    ):
        op.drop_table(name)
