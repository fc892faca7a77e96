"""The studio: one object that opens the store and does each registry change as one transaction.

Every change writes its record and its ledger entry in the same transaction, so either both land or
neither does: no partial rows, no ledger gap.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from greenlight.domain import LedgerEvent, canonical_json
from greenlight.ledger import Ledger
from greenlight.ledger.checkpoint_log import CheckpointLog
from greenlight.store.assets import AssetStore
from greenlight.store.db import Database
from greenlight.store.home import init_studio, open_studio, resolve_home
from greenlight.store.registry import Registry

CHECKPOINTS = "ledger/checkpoints.jsonl"


@dataclass
class Transaction:
    """The registry and the ledger, bound to one database transaction."""

    registry: Registry
    ledger: Ledger
    # Set by `keys init`/`keys import` ("keys") and `ledger restart-checkpoints` ("restart"): the only commands
    # allowed to begin the checkpoints file of a ledger that records the studio key.
    begins_checkpoints: str | None = None

    def record(self, kind: str, record: Any, actor: str, **extra: Any) -> None:
        """Append a ledger event whose payload is ``record``'s canonical form (plus ``extra``)."""
        payload = {"record": json.loads(canonical_json(record)), **extra}
        self.ledger_event(kind, record.id, actor, **payload)

    def ledger_event(self, kind: str, subject: str, actor: str, **payload: Any) -> None:
        """Append a ledger event with a free-form payload."""
        self.ledger.append(LedgerEvent(kind=kind, subject=subject, payload=payload, actor=actor))


class Studio:
    """A studio folder with its database, asset store and (lazily) its face models."""

    def __init__(self, home: Path, database: Database) -> None:
        self.home = home
        self.database = database
        self.assets = AssetStore(home / "assets")

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
            ledger = Ledger(session)
            tx = Transaction(Registry(session), ledger)
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
