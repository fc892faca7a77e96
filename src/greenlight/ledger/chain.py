"""The hash chain, as pure functions: how an entry is hashed and how a chain is checked.

Entry ``n`` is hashed over ``{seq, prev_hash, event}`` where ``prev_hash`` is entry ``n-1``'s hash
(``GENESIS`` for the first), so editing, removing or moving any entry breaks a hash or a link.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from greenlight.domain import LedgerEvent, canonical_json

GENESIS = "0" * 64

Row = tuple[int, Any, str, str]
"""A stored entry: seq, event (record or its plain JSON form), prev_hash, hash."""


def entry_hash(seq: int, event: LedgerEvent | Mapping[str, Any], prev_hash: str) -> str:
    """The hex sha256 of the canonical JSON of ``{seq, prev_hash, event}``."""
    body = {"seq": seq, "prev_hash": prev_hash, "event": event}
    # An event read back from the database is plain JSON data already: dump it as it is (what canonical_json
    # would give, without walking it for records first; verify spends most of its time here).
    text = _dumps(body) if isinstance(event, Mapping) else canonical_json(body)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True)
class LedgerReport:
    """The outcome of a verification: ``problems`` holds one line per fault, each naming the entry."""

    SCHEMA = "LedgerReport.1"
    ok: bool
    count: int
    problems: tuple[str, ...] = ()


def verify_chain(rows: Iterable[Row], head: tuple[int, str] | None) -> LedgerReport:
    """Check a chain read in seq order against itself and against the head (count, last hash).

    Only the events of entries whose hash fails are kept in memory, so a long ledger streams through.
    """
    links: list[tuple[int, str, str]] = []
    suspects: dict[int, Any] = {}  # seq -> event, for entries whose stored hash does not recompute
    for seq, event, prev_hash, digest in rows:
        if entry_hash(seq, event, prev_hash) != digest:
            suspects[seq] = event
        links.append((seq, prev_hash, digest))
    moved = _moved(links, suspects)
    problems: list[str] = []
    pairs: set[tuple[int, int]] = set()  # a swap shows at both of its entries; report it once
    expected, before = 1, None
    for seq, prev_hash, digest in links:
        if seq != expected:
            after = f"gap after {expected - 1}" if expected > 1 else f"gap before {seq}"
            problems.append(f"{_entries(expected, seq - 1)} missing ({after})")
        if seq in moved:
            low, high = sorted((seq, moved[seq]))
            if (low, high) not in pairs:
                pairs.add((low, high))
                problems.append(f"entries {low} and {high} are out of order (prev_hash mismatch)")
        elif seq in suspects:
            problems.append(f"entry {seq} was edited (hash mismatch)")
        elif seq == expected and _unlinked(prev_hash, before, suspects):
            # Both entries hash correctly yet do not link: one was rewritten with a recomputed hash.
            follows = f"follow entry {seq - 1}" if before else "start the chain"
            problems.append(f"entry {seq} does not {follows} (prev_hash mismatch: an entry was rewritten)")
        expected, before = seq + 1, (seq, prev_hash, digest)
    problems += _head_problems(before, head, explained=before is not None and before[0] in suspects)
    return LedgerReport(ok=not problems, count=len(links), problems=tuple(problems))


def _unlinked(prev_hash: str, before: tuple[int, str, str] | None, suspects: dict[int, Any]) -> bool:
    """True when an entry's prev_hash is not the hash of the intact entry before it (or GENESIS)."""
    if before is None:
        return prev_hash != GENESIS
    return before[0] not in suspects and prev_hash != before[2]


def _entries(first: int, last: int) -> str:
    return f"entry {first} is" if first == last else f"entries {first} to {last} are"


def _head_problems(last: tuple[int, str, str] | None, head: tuple[int, str] | None, explained: bool) -> list[str]:
    """A removed or added last entry, or a rewritten one, shows only against the head.

    ``explained``: the last entry's own hash already failed, so a head hash mismatch says nothing new.
    """
    if head is None:
        return ["the ledger head is missing"]
    count, head_hash = head
    last_seq, last_hash = (last[0], last[2]) if last else (0, GENESIS)
    if count > last_seq:
        return [f"{_entries(last_seq + 1, count)} missing (the head counts {count}, the last entry is {last_seq})"]
    if count < last_seq:
        return [f"{_entries(count + 1, last_seq)} not in the head's count of {count} (added outside the ledger)"]
    if head_hash != last_hash and not explained:
        return [f"entry {last_seq} was rewritten (head hash mismatch)"]
    return []


def _moved(links: list[tuple[int, str, str]], suspects: dict[int, Any]) -> dict[int, int]:
    """Suspect entries that are intact but sit at another seq: {current seq: original seq}.

    A moved entry still links to its original predecessor through ``prev_hash``; walking those links
    back to an entry whose hash holds (or to GENESIS) gives its original place, which the entry's own
    hash then confirms.
    """
    by_hash = {digest: seq for seq, _, digest in links}
    prev_of = {seq: prev_hash for seq, prev_hash, _ in links}
    digest_of = {seq: digest for seq, _, digest in links}
    place: dict[int, int | None] = {}
    for start in suspects:
        chain: list[int] = []
        current: int | None = start
        base: int | None = None
        while current is not None:
            if current in place:
                base = place[current]
                break
            if current not in suspects:
                base = current
                break
            if current in chain:
                break  # a loop of forged links
            chain.append(current)
            prev_hash = prev_of[current]
            if prev_hash == GENESIS:
                base = 0
                break
            current = by_hash.get(prev_hash)
        for steps, seq in enumerate(reversed(chain), start=1):
            place[seq] = None if base is None else base + steps
    return {
        seq: original
        for seq, event in suspects.items()
        if (original := place.get(seq)) not in (None, seq)
        and entry_hash(original, event, prev_of[seq]) == digest_of[seq]
    }
