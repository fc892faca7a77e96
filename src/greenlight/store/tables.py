"""The database schema, as SQLAlchemy Core tables.

Each record's canonical JSON sits in ``record``; the other columns exist only for lookups, ordering and
the constraints the database must enforce itself (unique codes, names and photos; grants that point at
real talent and productions). ``n`` is the insertion order, because record timestamps are whole seconds.
A change here needs a new migration under ``migrations/versions``; a test compares the two.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, CheckConstraint, Column, Float, ForeignKey, Integer, MetaData, String, Table, Text

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "pk": "pk_%(table_name)s",
    }
)

ID = String(64)
SHA256 = String(64)
NAME = String(400)


def _records(name: str, *columns: Column) -> Table:
    """A table of one kind of domain record: insertion order, id, key columns, canonical JSON."""
    return Table(
        name,
        metadata,
        Column("n", Integer, primary_key=True, autoincrement=True),
        Column("id", ID, nullable=False, unique=True),
        *columns,
        Column("record", Text, nullable=False),
    )


productions = _records("productions", Column("code_key", NAME, nullable=False, unique=True))
talent = _records("talent", Column("name_key", NAME, nullable=False, unique=True))
protected_persons = _records("protected_persons", Column("name_key", NAME, nullable=False, unique=True))
protected_works = _records("protected_works")
# One photo enrols one likeness, whoever it is for: a second enrolment of the same file is refused here too.
likeness_references = _records(
    "likeness_references",
    Column("subject_id", ID, nullable=False, index=True),
    Column("photo_sha256", SHA256, nullable=False, unique=True),
)
consent_grants = _records(
    "consent_grants",
    Column("talent_id", ID, ForeignKey("talent.id"), nullable=False, index=True),
    Column("production_id", ID, ForeignKey("productions.id"), nullable=True),
    Column("state", String(16), nullable=False),
)
# Decisions keep no foreign keys: a guard's block must be recorded even when its subject is unknown.
decisions = _records(
    "decisions",
    Column("subject", NAME, nullable=False, index=True),
    Column("production_id", ID, nullable=True),
    Column("verdict", String(16), nullable=False),
)
assets = _records(
    "assets",
    Column("sha256", SHA256, nullable=False, unique=True),
    Column("path", Text, nullable=False),
    Column("media_type", String(200), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("job_id", ID, nullable=True, index=True),
    Column("mark", String(12), nullable=True, unique=True),
)
# Generative models the studio owns (`greenlight models add`): a job names one; its hash pins the files.
models = _records(
    "models",
    Column("name_key", NAME, nullable=False, unique=True),
    Column("sha256", SHA256, nullable=False, index=True),
)
# Service access tokens: only the secret's hash is kept; a talent representative's token names its talent.
access_tokens = _records(
    "access_tokens",
    Column("secret_sha256", SHA256, nullable=False, unique=True),
    Column("talent_id", ID, ForeignKey("talent.id"), nullable=True),
)
# The lease columns let one executor at a time own a job; a lease that runs out means its process died.
jobs = _records(
    "jobs",
    Column("state", String(16), nullable=False, index=True),
    Column("production_id", ID, ForeignKey("productions.id"), nullable=False),
    Column("lease_owner", String(200), nullable=True),
    Column("lease_until", Float, nullable=True),
)

ledger_entries = Table(
    "ledger_entries",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("kind", String(200), nullable=False),
    Column("subject", NAME, nullable=False, index=True),
    Column("prev_hash", SHA256, nullable=False),
    Column("hash", SHA256, nullable=False),
    Column("record", Text, nullable=False),
    # base64 of the studio key's ES256 signature of ``hash``, set as the entry is written when the studio has
    # keys: an entry appended by a database writer without the key carries none (``Ledger.first_unsealed``).
    Column("seal", Text, nullable=True),
)
# One row: how many entries the chain holds and the last hash. Appenders lock it, so the chain has one
# writer at a time, and it reveals a removed last entry, which a chain alone cannot.
ledger_head = Table(
    "ledger_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("count", Integer, nullable=False),
    Column("last_hash", SHA256, nullable=False),
    CheckConstraint("id = 1", name="single_row"),
)
HEAD_ID = 1
