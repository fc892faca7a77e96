"""The ledger: an append-only, hash-chained log of events, kept in the studio database."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Iterator
from pathlib import Path

from sqlalchemy import cast, func, insert, or_, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from greenlight.domain import LedgerEntry, LedgerEvent, canonical_json, from_plain
from greenlight.errors import LedgerError
from greenlight.ledger.chain import LedgerReport, entry_hash, verify_chain
from greenlight.ledger.checkpoint import Seal
from greenlight.store.files import atomic_writer
from greenlight.store.tables import HEAD_ID, ledger_entries, ledger_head

_ROWS = 1000  # entries fetched per round trip when reading the whole chain


class Ledger:
    """The ledger, read and appended through ``session`` (so in the caller's transaction)."""

    def __init__(self, session: Session, seal: Callable[[], Seal | None] | None = None) -> None:
        self.session = session
        self._seal = seal  # the studio key, which seals every entry appended (none without keys)
        self.appended = 0  # entries appended through this object: the studio checkpoints after a commit that has some
        self._index_checked = False  # check_index held in this transaction (a guard asks several times)

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
                record=canonical_json(event), seal=self._sealed(entry.hash),
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

    def latest(self, subject: str, recording: bool = False) -> LedgerEntry | None:
        """The newest entry about ``subject`` (with ``recording``: that records it whole), its hash checked.

        Raises:
            LedgerError: that entry's stored hash does not match what it says (it was edited).
        """
        return self.latest_each([subject], recording).get(subject)

    def latest_each(self, subjects: list[str], recording: bool = False,
                    mentions: bool = True) -> dict[str, LedgerEntry]:
        """The newest entry about each of ``subjects`` that has one, each hash checked; with ``recording``,
        the newest that records the subject's whole record (``payload["record"]``).

        Every entry that mentions one of them (unless ``mentions`` is false: then every entry about one of
        them) is read and its hash checked, not only the newest by the
        subject column: a revocation whose subject was rewritten in its record and its column (so that it
        is no longer "about" the grant) still names the grant in its payload, and its broken hash stops
        the decision.

        Raises:
            LedgerError: an entry mentioning one of them, or any entry's index columns, was edited.
        """
        if not subjects:
            return {}
        self.check_index()
        t = ledger_entries.c
        wanted = set(subjects)
        query = (select(t.seq, t.subject, t.record, t.prev_hash, t.hash)
                 .where(or_(t.subject.in_(subjects), *(t.record.contains(f'"{s}"') for s in wanted if mentions)))
                 .order_by(t.seq))
        found = {}
        for row in self.session.execute(query):
            record = _parsed(row.record)
            if record is None or entry_hash(row.seq, record, row.prev_hash) != row.hash:
                about = next((s for s in sorted(wanted) if s in row.record), row.subject)
                raise LedgerError(f"ledger entry {row.seq} about {about} was edited", "run `greenlight ledger verify`")
            if record.get("subject") in wanted and (not recording or "record" in record.get("payload", {})):
                found[record["subject"]] = LedgerEntry(seq=row.seq, event=from_plain(LedgerEvent, record),
                                                       prev_hash=row.prev_hash, hash=row.hash)
        return found

    def index_problems(self) -> list[str]:
        """One line for each entry whose ``kind`` or ``subject`` column disagrees with its record."""
        t = ledger_entries.c
        stmt = select(t.seq, t.kind, t.subject, t.record).order_by(t.seq).execution_options(yield_per=_ROWS)
        problems = []
        for seq, kind, subject, record in self.session.execute(stmt):
            try:
                event = json.loads(record)
                said = (event.get("kind"), event.get("subject"))
            except (ValueError, AttributeError):
                continue  # an unreadable record is the chain's problem (its hash fails)
            if (kind, subject) != said:
                problems.append(f"entry {seq}'s columns say {kind} about {subject}, its record {said[0]} about "
                                f"{said[1]} (the columns were edited)")
        return problems

    def _sealed(self, digest: str) -> str | None:
        seal = self._seal() if self._seal is not None else None
        if seal is None:
            return None  # a studio without keys: nothing is protected, and verify says so
        if not seal.can_sign:  # an entry written unsealed would stop every later decision: write none
            raise LedgerError("the studio signing key cannot be read here, and every change is sealed with it",
                              "run the command as the studio's owner")
        return base64.b64encode(seal.sign(digest.encode("ascii"))).decode("ascii")

    def first_unsealed(self, after: int, seal: Seal) -> int | None:
        """The first entry after ``after`` that the studio key did not seal, or None.

        Every command that has the key seals each entry it appends, and a signed checkpoint follows its
        commit; entries beyond the last signed checkpoint without a seal were written by someone without the
        key (a forged grant or revocation appended with a correct hash): nothing may be decided or signed on them.
        """
        t = ledger_entries.c
        for seq, digest, sealed in self.session.execute(
                select(t.seq, t.hash, t.seal).where(t.seq > after).order_by(t.seq)):
            try:
                ok = sealed is not None and seal.verify(digest.encode("ascii"), base64.b64decode(sealed, validate=True))
            except (ValueError, binascii.Error):
                ok = False
            if not ok:
                return int(seq)
        return None

    def hash_at(self, seq: int) -> str | None:
        """The stored hash of entry ``seq``, or None when there is no such entry."""
        return self.session.scalar(select(ledger_entries.c.hash).where(ledger_entries.c.seq == seq))

    def records_key(self) -> bool:
        """Whether an entry records the studio's signing key (from it on, every checkpoint is signed)."""
        from greenlight.ledger.checkpoint_log import KEY_EVENTS

        self.check_index()
        t = ledger_entries.c
        return self.session.scalar(select(t.seq).where(t.kind.in_(KEY_EVENTS)).limit(1)) is not None

    def subjects_of(self, kind: str) -> list[str]:
        """The subjects of every entry of ``kind`` (its index columns checked first, see ``check_index``)."""
        self.check_index()
        t = ledger_entries.c
        return list(self.session.scalars(select(t.subject).where(t.kind == kind).order_by(t.seq)))

    def check_index(self) -> None:
        """Check, in one query, that every entry's ``kind`` and ``subject`` columns say what its record says.

        The columns are how an entry about a grant, a token or the studio key is found, and no hash covers
        them: a revocation whose subject column was set to another id would not be found, and the grant
        would read as live. (Its record, which the hash covers, still names the grant.)

        Raises:
            LedgerError: an entry's columns were edited.
        """
        if self._index_checked:
            return
        t = ledger_entries.c
        kind, subject = _in_record(self.session, t.record, "kind"), _in_record(self.session, t.record, "subject")
        query = (select(t.seq).where(or_(t.kind != func.coalesce(kind, ""), t.subject != func.coalesce(subject, "")))
                 .order_by(t.seq).limit(1))
        try:
            seq = self.session.execute(query).scalar()
        except SQLAlchemyError:  # a record that is not JSON at all
            raise LedgerError("a ledger entry's record is not readable JSON (it was edited)",
                              "run `greenlight ledger verify`") from None
        if seq is not None:
            raise LedgerError(f"ledger entry {seq}'s kind or subject column was edited (its record says otherwise)",
                              "run `greenlight ledger verify`")
        self._index_checked = True

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
        rows = ((seq, _parsed(record) or record, prev, digest) for seq, record, prev, digest in self.raw_rows())
        return verify_chain(rows, None if head is None else (head.count, head.last_hash))

    def verify_to_head(self) -> LedgerReport:
        """``verify`` without holding appenders off, for a transaction that may append later: the chain up to
        the head as read now (what a command appends meanwhile lies beyond it).

        A share lock taken here and an append's update lock later would deadlock two such transactions on
        PostgreSQL.
        """
        head = self.session.execute(select(ledger_head.c.count, ledger_head.c.last_hash)
                                    .where(ledger_head.c.id == HEAD_ID)).one_or_none()
        through = None if head is None else head.count
        rows = ((seq, _parsed(record) or record, prev, digest) for seq, record, prev, digest in self.raw_rows(through))
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

    def raw_rows(self, through: int | None = None) -> Iterator[tuple[int, str, str, str]]:
        """Every entry as stored (seq, record JSON text, prev_hash, hash), in seq order, read in batches
        (up to entry ``through`` when given)."""
        columns = (ledger_entries.c.seq, ledger_entries.c.record, ledger_entries.c.prev_hash, ledger_entries.c.hash)
        stmt = select(*columns).order_by(ledger_entries.c.seq).execution_options(yield_per=_ROWS)
        if through is not None:
            stmt = stmt.where(ledger_entries.c.seq <= through)
        for row in self.session.execute(stmt):
            yield tuple(row)


def _in_record(session: Session, record, key: str):
    """The SQL for ``key`` of a stored record's top-level JSON object, as text."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import JSONB

        return cast(record, JSONB)[key].astext
    return func.json_extract(record, f"$.{key}")


def _parsed(record: str) -> dict | None:
    try:
        event = json.loads(record)
    except ValueError:
        return None
    return event if isinstance(event, dict) else None
