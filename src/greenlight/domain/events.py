"""Ledger events: every registry change and every decision, as one appended record."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from greenlight.domain.serial import utcnow


@dataclass(frozen=True)
class LedgerEvent:
    """What happened, to what, by whom. The ledger adds the sequence number and the hashes.

    ``kind`` is a dotted verb such as ``consent.granted`` or ``scan.decided``; ``subject`` is the id of
    the record it concerns; ``payload`` is the record's canonical form or the decision.
    """

    SCHEMA = "LedgerEvent.1"
    kind: str
    subject: str
    payload: dict[str, Any]
    actor: str = "system"
    at: datetime = field(default_factory=utcnow)


@dataclass(frozen=True)
class LedgerEntry:
    """An event as the ledger holds it: its place in the chain and its hashes."""

    SCHEMA = "LedgerEntry.1"
    seq: int
    event: LedgerEvent
    prev_hash: str
    hash: str
