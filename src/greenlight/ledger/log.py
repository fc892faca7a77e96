"""The ledger: an append-only, hash-chained log of events, kept in the studio database."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from greenlight.domain import LedgerEntry, LedgerEvent, canonical_json, from_plain
from greenlight.errors import LedgerError
from greenlight.ledger.chain import LedgerReport, entry_hash, verify_chain
from greenlight.store.files import atomic_writer
from greenlight.store.tables import HEAD_ID, ledger_entries, ledger_head

_ROWS = 1000  # entries fetched per round trip when reading the whole chain


class Ledger:
    """The ledger, read and appended through ``session`` (so in the caller's transaction)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.appended = 0  # entries appended through this object: the studio checkpoints after a commit that has some

    def append(self, event: LedgerEvent) -> LedgerEntry:
        """Add ``event`` as the next entry. It commits or rolls back with the caller's transaction.

        Concurrent appenders queue on the head row (``SELECT ... FOR UPDATE`` on PostgreSQL; on
        SQLite every ``Database`` session already holds the write lock), so no two get the same seq.

        Raises:
            LedgerError: the head row is missing (the database was not migrated, or was tampered with).
        """
        query = select(ledger_head.c.count, ledger_head.c.last_hash).where(ledger_head.c.id == HEAD_ID)
        head = self.session.execute(query.with_for_update()).one_or_none()
        if head is None:
            raise LedgerError(
                "the ledger head row is missing", "run `greenlight ledger verify` and restore the database"
            )
        seq = head.count + 1
        entry = LedgerEntry(seq=seq, event=event, prev_hash=head.last_hash, hash=entry_hash(seq, event, head.last_hash))
        self.session.execute(
            insert(ledger_entries).values(
                seq=seq, kind=event.kind, subject=event.subject, prev_hash=entry.prev_hash, hash=entry.hash,
                record=canonical_json(event),
            )
        )
        self.session.execute(
            update(ledger_head).where(ledger_head.c.id == HEAD_ID).values(count=seq, last_hash=entry.hash)
        )
        self.appended += 1
        return entry

    def entries(self) -> Iterator[LedgerEntry]:
        """Every entry in seq order, read in batches."""
        for seq, record, prev_hash, digest in self.raw_rows():
            event = from_plain(LedgerEvent, json.loads(record))
            yield LedgerEntry(seq=seq, event=event, prev_hash=prev_hash, hash=digest)

    def latest(self, subject: str) -> LedgerEntry | None:
        """The newest entry about ``subject``, its hash checked against its content.

        Raises:
            LedgerError: that entry's stored hash does not match what it says (it was edited).
        """
        return self.latest_each([subject]).get(subject)

    def latest_each(self, subjects: list[str]) -> dict[str, LedgerEntry]:
        """The newest entry about each of ``subjects`` that has one, in one query, each hash checked.

        Raises:
            LedgerError: one of those entries' stored hash does not match what it says (it was edited).
        """
        if not subjects:
            return {}
        t = ledger_entries.c
        newest = (select(func.max(t.seq).label("seq")).where(t.subject.in_(subjects)).group_by(t.subject)
                  .subquery())
        query = select(t.seq, t.subject, t.record, t.prev_hash, t.hash).join(newest, t.seq == newest.c.seq)
        found = {}
        for row in self.session.execute(query):
            record = json.loads(row.record)
            if entry_hash(row.seq, record, row.prev_hash) != row.hash:
                raise LedgerError(f"ledger entry {row.seq} about {row.subject} was edited",
                                  "run `greenlight ledger verify`")
            found[row.subject] = LedgerEntry(seq=row.seq, event=from_plain(LedgerEvent, record),
                                             prev_hash=row.prev_hash, hash=row.hash)
        return found

    def verify(self) -> LedgerReport:
        """Recompute every hash and link, and compare the end of the chain with the head row.

        Returns:
            a report whose ``problems`` name each edited, missing, moved or added entry by seq.
        """
        # FOR SHARE holds appenders off until this transaction ends, so the head and the entries read
        # below describe the same moment (on SQLite the session's write lock already does this).
        query = select(ledger_head.c.count, ledger_head.c.last_hash).where(ledger_head.c.id == HEAD_ID)
        head = self.session.execute(query.with_for_update(read=True)).one_or_none()
        # The stored JSON is hashed as read, not parsed into a record first, so an entry written by a
        # newer Greenlight (another schema label) still verifies.
        rows = ((seq, json.loads(record), prev, digest) for seq, record, prev, digest in self.raw_rows())
        return verify_chain(rows, None if head is None else (head.count, head.last_hash))

    def export_jsonl(self, path: Path) -> int:
        """Write every entry's canonical JSON, one per line, replacing ``path`` only when complete.

        Returns:
            the number of entries written.

        Raises:
            OSError: the file cannot be written (``path`` is then left as it was).
        """
        count = 0
        with atomic_writer(Path(path)) as out:
            for entry in self.entries():
                out.write(canonical_json(entry).encode("utf-8") + b"\n")
                count += 1
        return count

    def raw_rows(self) -> Iterator[tuple[int, str, str, str]]:
        """Every entry as stored (seq, record JSON text, prev_hash, hash), in seq order, read in batches."""
        columns = (ledger_entries.c.seq, ledger_entries.c.record, ledger_entries.c.prev_hash, ledger_entries.c.hash)
        stmt = select(*columns).order_by(ledger_entries.c.seq).execution_options(yield_per=_ROWS)
        for row in self.session.execute(stmt):
            yield tuple(row)
