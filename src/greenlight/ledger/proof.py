"""A Merkle inclusion proof for one ledger entry (one decision), checkable against a signed checkpoint alone.

The proof carries the entry (so its hash is recomputed from its content), its leaf index, the RFC 9162
audit path and the checkpoint it leads to. Whoever holds a checkpoint, or finds one in an output's
Content Credentials, can check that the decision is in the ledger the studio signed, without the database.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from greenlight.errors import LedgerError, NotFound
from greenlight.ledger.chain import entry_hash
from greenlight.ledger.checkpoint import Checkpoint, Seal, signature_problem
from greenlight.ledger.merkle import inclusion_proof, root_of, verify_inclusion
from greenlight.store.tables import ledger_entries

SCHEMA = "greenlight.inclusion.1"


def find_entry(session: Session, entry: str) -> int:
    """The seq of entry ``entry``: a seq number, or the last entry about a subject (a decision's id).

    Raises:
        NotFound: no entry has that seq or subject.
    """
    where = ledger_entries.c.seq == int(entry) if entry.isdigit() else ledger_entries.c.subject == entry
    seq = session.scalar(select(ledger_entries.c.seq).where(where).order_by(ledger_entries.c.seq.desc()).limit(1))
    if seq is None:
        raise NotFound(f"no ledger entry {entry!r}", "give an entry number or a decision, job or grant id")
    return seq


def prove(session: Session, seq: int, checkpoint: Checkpoint) -> dict[str, Any]:
    """The inclusion proof of entry ``seq`` in the tree ``checkpoint`` signs.

    Raises:
        LedgerError: the checkpoint does not cover the entry, or the ledger no longer matches it.
    """
    if not 1 <= seq <= checkpoint.tree_size:
        raise LedgerError(f"entry {seq} is not covered by the checkpoint of {checkpoint.tree_size} entries",
                          "make a newer one with `greenlight ledger checkpoint`")
    rows = session.execute(select(ledger_entries.c.seq, ledger_entries.c.hash, ledger_entries.c.record)
                           .where(ledger_entries.c.seq <= checkpoint.tree_size).order_by(ledger_entries.c.seq)).all()
    leaves = [bytes.fromhex(r.hash) for r in rows]
    if len(leaves) != checkpoint.tree_size or root_of(leaves) != checkpoint.root_hash:
        raise LedgerError(f"the ledger's first {checkpoint.tree_size} entries do not match the checkpoint",
                          "run `greenlight ledger verify` to see what broke")
    row = rows[seq - 1]
    prev = rows[seq - 2].hash if seq > 1 else session.scalar(
        select(ledger_entries.c.prev_hash).where(ledger_entries.c.seq == 1))
    return {"schema": SCHEMA, "seq": seq, "prev_hash": prev, "hash": row.hash, "event": json.loads(row.record),
            "leaf_index": seq - 1, "tree_size": checkpoint.tree_size,
            "audit_path": inclusion_proof(leaves, seq - 1), "checkpoint": checkpoint.to_plain()}


def check_proof(proof: Any, seal: Seal | None) -> list[str]:
    """Why ``proof`` does not show its entry in a checkpoint signed by the studio key (empty when it does)."""
    try:
        checkpoint = Checkpoint.from_plain(proof["checkpoint"])
        seq, digest = int(proof["seq"]), str(proof["hash"])
        recomputed = entry_hash(seq, proof["event"], str(proof["prev_hash"]))
        included = verify_inclusion(bytes.fromhex(digest), int(proof["leaf_index"]), checkpoint.tree_size,
                                    proof["audit_path"], checkpoint.root_hash)
    except (KeyError, TypeError, ValueError):
        return ["not an inclusion proof (a field is missing or malformed)"]
    problems = []
    if recomputed != digest:
        problems.append(f"entry {seq}'s content does not hash to the proof's entry hash (edited)")
    if int(proof["leaf_index"]) != seq - 1 or not included:
        problems.append(f"the audit path does not lead from entry {seq} to the checkpoint's root")
    if why := signature_problem(checkpoint, seal):
        problems.append(f"the checkpoint: {why}")
    return problems
