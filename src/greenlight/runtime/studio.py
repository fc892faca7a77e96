"""The studio: one object that opens the store and does each registry change as one transaction.

Every change writes its record and its ledger entry in the same transaction, so either both land or
neither does: no partial rows, no ledger gap.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from greenlight.domain import LedgerEntry, LedgerEvent, canonical_json
from greenlight.ledger import Ledger
from greenlight.ledger.checkpoint_log import CheckpointLog
from greenlight.store.assets import AssetStore
from greenlight.store.db import Database
from greenlight.store.home import init_studio, open_studio, resolve_home
from greenlight.store.inflight import folder_of
from greenlight.store.registry import Registry

CHECKPOINTS = "ledger/checkpoints.jsonl"
RESTORE = "run `greenlight ledger verify` and restore the database"  # the hint of every refusal to decide


@dataclass
class Transaction:
    """The registry and the ledger, bound to one database transaction."""

    registry: Registry
    ledger: Ledger
    # Set by `keys init`/`keys import` ("keys") and `ledger restart-checkpoints` ("restart"): the only commands
    # allowed to begin the checkpoints file of a ledger that records the studio key.
    begins_checkpoints: str | None = None
    checkpoints: CheckpointLog | None = None  # the studio's signed checkpoints, outside the database
    _chain_checked: bool = field(default=False, init=False, repr=False)  # a command may decide several times

    def check_not_rolled_back(self) -> None:
        """Refuse to decide on a ledger that no longer holds the head its last signed checkpoint saw.

        A database put back from an older copy (before a revocation) is consistent in itself; only the
        checkpoints file, which a database writer does not reach, shows it.

        Raises:
            LedgerError: the checkpoints file does not end in a signed checkpoint continuing its line before, or
                the ledger is shorter than that checkpoint, differs at its head, or holds an entry after it
                that the studio key did not seal.
        """
        from greenlight.errors import LedgerError
        from greenlight.ledger.checkpoint_log import CheckpointRefused

        if self.checkpoints is None:
            return
        try:
            last = self.checkpoints.newest_signed()
        except CheckpointRefused as refused:
            raise LedgerError(str(refused), RESTORE) from None
        if last is None and (self.checkpoints.seal() is not None or self.ledger.records_key()):
            raise LedgerError(f"{self.checkpoints.path} holds no checkpoint the studio key signed, though the "
                              "studio has a key (the file was emptied or replaced)", RESTORE)
        if last is None or last.tree_size == 0:
            return
        if self.ledger.hash_at(last.tree_size) != last.last_hash:
            raise LedgerError(f"the ledger does not hold the {last.tree_size} entries its last signed checkpoint "
                              "saw (the database was put back or cut)",
                              RESTORE)
        unsealed = self.ledger.first_unsealed(last.tree_size, self.checkpoints.seal())
        if unsealed is not None:
            raise LedgerError(f"ledger entry {unsealed} is not sealed by the studio key (written outside Greenlight)",
                              RESTORE)

    def check_chain(self) -> None:
        """Refuse to decide on a ledger whose chain is broken anywhere: an entry edited, deleted or moved.

        The guards read only the entries about what they decide on; one deleted or rewritten in the middle
        (a protected work's entry, say, with its row) would otherwise go unseen until `ledger verify`.

        Raises:
            LedgerError: naming the first fault.
        """
        from greenlight.errors import LedgerError

        if self._chain_checked:
            return
        report = self.ledger.verify_to_head()
        if not report.ok:
            raise LedgerError(f"the ledger's chain is broken: {report.problems[0]}", RESTORE)
        self._chain_checked = True

    def production(self, code_or_id: str):
        """The production with this code or id, as the ledger recorded it (see ``_named``)."""
        from greenlight.domain import Production

        return self._named(Production, self.registry.production(code_or_id), code_or_id, "code")

    def talent(self, name_or_id: str):
        """The talent with this name or id, as the ledger recorded them (see ``_named``)."""
        from greenlight.domain import Talent

        return self._named(Talent, self.registry.talent(name_or_id), name_or_id, "name")

    def _named(self, kind: type, found: Any, key: str, field_name: str) -> Any:
        """``found``, looked up by ``key`` (its id, or its ``field_name`` in any case), as the ledger recorded it.

        The lookup goes through key columns no hash covers: a code or name moved to another row would hand
        a grant, a job or a token to someone else.

        Raises:
            LedgerError: the row found is not what the ledger recorded under that key.
        """
        from greenlight.errors import LedgerError
        from greenlight.store.registry import name_key

        recorded = self.ledgered(kind, found.id)
        if key != recorded.id and name_key(key) != name_key(getattr(recorded, field_name)):
            raise LedgerError(f"{key}'s row in the database is not what the ledger recorded", RESTORE)
        return recorded

    def record(self, kind: str, record: Any, actor: str, **extra: Any) -> None:
        """Append a ledger event whose payload is ``record``'s canonical form (plus ``extra``)."""
        payload = {"record": json.loads(canonical_json(record)), **extra}
        self.ledger_event(kind, record.id, actor, **payload)

    def ledgered(self, kind: type, record_id: str) -> Any:
        """The registry's ``kind`` record ``record_id``, checked against the ledger's last entry about it.

        A command that changes a record writes it back whole, so a row edited behind the ledger's back (a
        grant widened, a job's metered use cut, a veto removed) would become the ledger's last word: the
        edit is refused here instead.

        Raises:
            NotFound: no such record.
            LedgerError: the row is not what the ledger last recorded (or no entry recorded it).
        """
        from greenlight.errors import LedgerError

        row = self.registry.get(kind, record_id)
        if not _as_recorded(row, self.ledger.latest(record_id, recording=True)):
            raise LedgerError(f"{record_id}'s row in the database is not what the ledger last recorded of it",
                              RESTORE)
        return row

    def ledgered_list(self, kind: type, added: str) -> list:
        """Every ``kind`` record in the registry, checked against the ledger: each one an ``added`` entry
        wrote, as the ledger last recorded it, and none missing (a protected work's row deleted behind the
        ledger's back let a prompt naming it through).

        Raises:
            LedgerError: a row was added, edited or deleted outside the ledger.
        """
        rows = {row.id: row for row in self.registry.list(kind)}
        ids = self._with_added(rows, added)
        latest = self.ledger.latest_each(ids, recording=True, mentions=False)
        return _checked(ids, rows, latest, _as_recorded, "is not what the ledger last recorded of it in")

    def ledgered_references(self) -> list:
        """Every enrolled likeness reference, checked against its ``likeness.enrolled`` entry: whose face it
        is, from which photo, and (``reference_sha256``) its embedding; none added or deleted outside the ledger.

        Faces are identified against these, so a protected person's reference handed to a consented talent in
        its row would have let that person's face through under the talent's grant.

        Raises:
            LedgerError: a reference row was added, edited or deleted outside the ledger.
        """
        rows = {row.id: row for row in self.registry.references()}
        ids = self._with_added(rows, "likeness.enrolled")
        latest = self.ledger.latest_each(ids, mentions=False)
        return _checked(ids, rows, latest, _as_enrolled, "is not what the ledger enrolled in", "likeness reference ")

    def _with_added(self, rows: dict, added: str) -> list[str]:
        """The ids of ``rows`` and of every ``added`` entry: a row deleted behind the ledger's back is missed too."""
        return sorted(set(self.ledger.subjects_of(added)) | set(rows))

    def ledger_event(self, kind: str, subject: str, actor: str, **payload: Any) -> None:
        """Append a ledger event with a free-form payload."""
        self.ledger.append(LedgerEvent(kind=kind, subject=subject, payload=payload, actor=actor))


def _checked(ids: list[str], rows: dict, latest: dict, matches, differs: str, label: str = "") -> list:
    """``rows``' values, once each of ``ids`` has a row that ``matches`` its ledger entry in ``latest``.

    Raises:
        LedgerError: naming the first row missing, or differing (``differs``), from what the ledger holds.
    """
    from greenlight.errors import LedgerError

    for record_id in ids:
        row = rows.get(record_id)
        if row is None or not matches(row, latest.get(record_id)):
            what = "is missing from" if row is None else differs
            raise LedgerError(f"{label}{record_id}'s row {what} the database", RESTORE)
    return list(rows.values())


def _as_enrolled(reference: Any, entry: LedgerEntry | None) -> bool:
    """Whether ``reference`` is the likeness reference the ledger ``entry`` enrolled."""
    from greenlight.ledger.replay import reference_sha256

    if entry is None or entry.event.kind != "likeness.enrolled":
        return False
    said = entry.event.payload
    pinned = said.get("reference_sha256")  # enrolments before it was kept are checked on the rest
    return ((said.get("subject_kind"), said.get("subject_id"), said.get("photo_sha256"))
            == (reference.subject_kind.value, reference.subject_id, reference.photo_sha256)
            and pinned in (None, reference_sha256(reference)))


def _as_recorded(row: Any, entry: LedgerEntry | None) -> bool:
    """Whether ``row`` is the record the ledger ``entry`` holds."""
    recorded = entry.event.payload.get("record") if entry is not None else None
    return recorded == json.loads(canonical_json(row))


class Studio:
    """A studio folder with its database, asset store and (lazily) its face models."""

    def __init__(self, home: Path, database: Database) -> None:
        self.home = home
        self.database = database
        self.assets = AssetStore(home / "assets", in_flight=folder_of(home))

    @classmethod
    def open(cls, home: Path | None = None) -> Studio:
        """Open the studio at ``home`` (or ``GREENLIGHT_HOME``), sweeping away crash leftovers.

        Raises:
            StudioError: there is no studio there, or its database is not set up.
        """
        from greenlight.runtime.leftovers import sweep

        home = resolve_home(home)
        studio = cls(home, open_studio(home))
        sweep(home, studio.database)  # what a killed process left half-written
        return studio

    @classmethod
    def create(cls, home: Path) -> Studio:
        """Create (or reuse) a studio folder and bring its database up to date."""
        home = init_studio(home)
        return cls(home, open_studio(home))

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """One database transaction; once it commits with new ledger entries, the head is checkpointed."""
        with self.database.session() as session:
            ledger = Ledger(session, seal=functools.cache(self._seal))  # the key read once a transaction
            tx = Transaction(Registry(session), ledger, checkpoints=self.checkpoints)
            yield tx
        if ledger.appended:
            self.checkpoints.update(self.database, tx.begins_checkpoints)

    @cached_property
    def checkpoints(self) -> CheckpointLog:
        """The signed checkpoints of the ledger head, in ``ledger/checkpoints.jsonl`` (outside the database)."""
        return CheckpointLog(self.home / CHECKPOINTS, self._seal)

    def _seal(self):
        from greenlight.provenance.keys import load_seal

        return load_seal(self.home / "keys")

    @cached_property
    def analyzer(self):  # imported lazily: dlib and its models load in about a second
        from greenlight.likeness.faces import FaceAnalyzer

        return FaceAnalyzer()
