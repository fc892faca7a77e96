"""Replaying the ledger's events must reproduce the registry: every row a record some entry wrote.

Every registry change is written with an event whose payload carries the record as stored
(``Transaction.record``), so the last event about an id says what its row must hold. Likeness
references are the exception: the ledger never keeps a biometric embedding, so ``likeness.enrolled``
carries who was enrolled from which photo and, since this version, ``reference_sha256``, the hash of
the stored record, which pins the embedding without revealing it. Older enrolments are checked on
the fields they carry.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from greenlight.domain import LikenessReference, canonical_json, from_plain
from greenlight.store.registry import KINDS, Kind

_BY_SCHEMA: dict[str, tuple[type, Kind]] = {cls.SCHEMA: (cls, kind) for cls, kind in KINDS.items()}
_ENROLLED = ("subject_kind", "subject_id", "photo_sha256")
_SHOWN = 60  # characters of a value shown in a message


def reference_sha256(reference: LikenessReference) -> str:
    """The hash a ``likeness.enrolled`` event keeps of the stored reference (embedding included)."""
    return hashlib.sha256(canonical_json(reference).encode("utf-8")).hexdigest()


class Replay:
    """What the registry must hold, built one ledger event at a time (events as plain JSON data)."""

    def __init__(self) -> None:
        self.records: dict[tuple[str, str], tuple[int, str, dict[str, Any]]] = {}  # (table, id) -> seq, kind, record
        self.enrolled: dict[str, tuple[int, dict[str, Any]]] = {}  # reference id -> seq, payload

    def feed(self, seq: int, event: Any) -> None:
        """Take in entry ``seq``'s event; anything that is not a registry change is ignored."""
        if not isinstance(event, Mapping):
            return
        payload = event.get("payload")
        record = payload.get("record") if isinstance(payload, Mapping) else None
        if isinstance(record, Mapping) and record.get("schema") in _BY_SCHEMA and "id" in record:
            table = _BY_SCHEMA[record["schema"]][1].table.name
            self.records[(table, str(record["id"]))] = (seq, str(event.get("kind")), dict(record))
        elif event.get("kind") == "likeness.enrolled" and isinstance(payload, Mapping):
            self.enrolled[str(event.get("subject"))] = (seq, dict(payload))

    def problems(self, session: Session) -> list[str]:
        """One line for each registry row that no event wrote, that differs from its last event, or that is gone."""
        problems: list[str] = []
        for cls, kind in KINDS.items():
            if cls is LikenessReference:
                problems += self._references(session, kind)
            else:
                problems += self._table(session, cls, kind)
        return problems

    def _table(self, session: Session, cls: type, kind: Kind) -> list[str]:
        problems, seen = [], set()
        for row in session.execute(select(kind.table).order_by(kind.table.c.n)).mappings():
            seen.add(row["id"])
            known = self.records.get((kind.table.name, row["id"]))
            if known is None:
                problems.append(_unrecorded(kind, row["id"]))
                continue
            seq, event_kind, expected = known
            where = f"the ledger's entry {seq} ({event_kind})"
            stored = _parsed(row["record"])
            problems += _fields(kind, row["id"], stored, expected, _differing(stored, expected), where)
            problems += _columns(cls, kind, row, expected, where)
        problems += [_deleted(kind, rid, seq, event_kind) for (table, rid), (seq, event_kind, _) in self.records.items()
                     if table == kind.table.name and rid not in seen]
        return problems

    def _references(self, session: Session, kind: Kind) -> list[str]:
        problems, seen = [], set()
        for row in session.execute(select(kind.table).order_by(kind.table.c.n)).mappings():
            seen.add(row["id"])
            if row["id"] not in self.enrolled:
                problems.append(_unrecorded(kind, row["id"]))
                continue
            seq, payload = self.enrolled[row["id"]]
            stored = _parsed(row["record"])
            where = f"the ledger's entry {seq} (likeness.enrolled)"
            changed = [f for f in _ENROLLED if stored.get(f) != payload.get(f)]
            problems += _fields(kind, row["id"], stored, payload, changed, where)
            pinned = payload.get("reference_sha256")
            if pinned and hashlib.sha256(canonical_json(stored).encode("utf-8")).hexdigest() != pinned:
                problems.append(f"{kind.label} {row['id']}: the row's embedding, face box or date differ from what "
                                f"{where} enrolled (reference_sha256 mismatch)")
            # The key columns must say what the row's own record says (the record was checked above).
            problems += _columns(LikenessReference, kind, row, stored, "its own record")
        problems += [_deleted(kind, rid, seq, "likeness.enrolled") for rid, (seq, _) in self.enrolled.items()
                     if rid not in seen]
        return problems


def _columns(cls: type, kind: Kind, row: Mapping[str, Any], expected: dict[str, Any], where: str) -> list[str]:
    """Key columns (state, codes, names...) that disagree with the record the ledger holds."""
    try:
        wanted = kind.keys(from_plain(cls, expected))
    except (ValueError, TypeError, KeyError):
        return []  # a record of a newer schema: its text was compared, its columns cannot be derived here
    return [f"{kind.label} {row['id']}: column {column} says {_shown(row[column])}, {where} says {_shown(value)}"
            for column, value in wanted.items() if row[column] != value]


def _fields(kind: Kind, rid: str, stored: Mapping[str, Any], expected: Mapping[str, Any], fields: list[str],
            where: str) -> list[str]:
    return [f"{kind.label} {rid}: the table says {f} {_shown(stored.get(f))}, {where} says {_shown(expected.get(f))}"
            for f in fields]


def _differing(stored: dict[str, Any], expected: dict[str, Any]) -> list[str]:
    keys = set(stored) | set(expected)
    return sorted(k for k in keys if canonical_json(stored.get(k)) != canonical_json(expected.get(k)))


def _parsed(text: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except ValueError:
        return {"record": text}
    return data if isinstance(data, dict) else {"record": data}


def _unrecorded(kind: Kind, rid: str) -> str:
    return f"{kind.label} {rid} is in the table but no ledger entry added it (written outside the ledger)"


def _deleted(kind: Kind, rid: str, seq: int, event_kind: str) -> str:
    return (f"{kind.label} {rid} (the ledger's entry {seq}, {event_kind}) is missing from its table "
            "(deleted outside the ledger)")


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True) if not isinstance(value, str) else repr(value)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"
