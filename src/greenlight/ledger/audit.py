"""The whole ledger audit: the chain, every checkpoint that can be found, and the registry against the events.

One pass over the entries checks the hash chain (``verify_chain``), grows the Merkle tree and takes its
root at every size a checkpoint names, and replays the events into the registry state they must
produce. What the audit cannot stand behind is said in ``notes`` and in ``protected``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from greenlight.ledger.chain import verify_chain
from greenlight.ledger.checkpoint import Checkpoint, Seal, signature_problem
from greenlight.ledger.checkpoint_log import KEY_EVENTS, CheckpointLog, FileRead
from greenlight.ledger.log import Ledger
from greenlight.ledger.merkle import Frontier
from greenlight.ledger.replay import Replay
from greenlight.store.tables import HEAD_ID, ledger_head

FILE = "ledger/checkpoints.jsonl"


@dataclass(frozen=True)
class Sourced:
    """A checkpoint and where it was found: ``origin`` is ``file``, ``given`` or ``manifest``."""

    source: str
    origin: str
    checkpoint: Checkpoint


@dataclass(frozen=True)
class AuditReport:
    """What ``greenlight ledger verify`` found. ``protected``: signed checkpoints stand behind the ledger."""

    SCHEMA = "AuditReport.1"
    ok: bool
    count: int
    problems: tuple[str, ...]
    notes: tuple[str, ...]
    protected: bool
    checkpoints: dict[str, int] = field(default_factory=dict)
    latest: Checkpoint | None = None


def audit(session: Session, log: CheckpointLog, others: Sequence[Sourced] = (),
          accept_restart: int | None = None) -> AuditReport:
    """Check the ledger in ``session`` against itself, every checkpoint, and the registry.

    Args:
        session: a database session (its transaction holds appenders off while the audit reads).
        log: the studio's checkpoints file and key.
        others: checkpoints from elsewhere: files kept by legal or talent, outputs' Content Credentials.
        accept_restart: the entry at which the operator acknowledges that the checkpoints file was
            restarted (``ledger restart-checkpoints``); until then a restart is a problem, since
            nothing in the studio vouches for the history before it.
    """
    seal = log.seal()
    read = log.read()
    # Each line's signature is checked once; a line whose signature fails is not compared with the ledger.
    forged = {line.number: why for line in read.lines
              if line.checkpoint.signature is not None and (why := signature_problem(line.checkpoint, seal))}
    problems, notes = _file_problems(read, forged)
    lines = [Sourced(f"{FILE} line {line.number}", "file", line.checkpoint) for line in read.lines]
    trusted = [s for line, s in zip(read.lines, lines, strict=True) if line.number not in forged]
    for other in others:
        if why := signature_problem(other.checkpoint, seal):
            problems.append(f"{other.source}: the checkpoint of {other.checkpoint.tree_size} entries: {why}")
        else:
            trusted.append(other)
    head = session.execute(select(ledger_head.c.count, ledger_head.c.last_hash)
                           .where(ledger_head.c.id == HEAD_ID).with_for_update(read=True)).one_or_none()
    walk = _Walk({s.checkpoint.tree_size for s in trusted})
    chain = verify_chain(walk.rows(Ledger(session).raw_rows()), None if head is None else (head.count, head.last_hash))
    problems = list(chain.problems) + Ledger(session).index_problems() + problems
    problems += _merkle_problems(trusted, walk, chain.count)
    first = next((s.checkpoint for line, s in zip(read.lines, lines, strict=True)
                  if s.checkpoint.signature is not None and line.number not in forged), None)
    restarted = first.restarted_at if first is not None else None
    problems += _missing_from_file(others, read, trusted, restarted)
    problems += _unsigned_after_keys(read, walk.keys_seq)
    problems += _unsealed_after(session, trusted, seal)
    problems += _start_problems(first, seal, walk.keys_seq, bool(read.lines) or not chain.count)
    if restarted is not None:
        outside = [s for s in trusted if s.origin != "file"]
        problems += _restart_problems(restarted, outside, accept_restart, notes)
    problems += walk.replay.problems(session)
    signed = sum(1 for s in lines if s.checkpoint.signature is not None)
    protected = seal is not None and signed > 0
    if walk.keys_seq is None or signed:  # a keyed ledger without its checkpoints is a problem above, not a note
        notes += _protection_notes(seal, signed, read, chain.count)
    if signed and not any(o.origin == "given" for o in others):
        notes.append("entries cut from the end of the ledger together with the matching lines of the checkpoints "
                     "file leave a history that looks whole from inside the studio: only checkpoints kept outside "
                     "it catch that (`ledger checkpoint --to DIR` on a schedule, then `ledger verify --checkpoint "
                     "DIR`), and output manifests for what was delivered")
    counts = {"file": len(read.lines), "signed": signed, "given": sum(o.origin == "given" for o in others),
              "manifests": sum(o.origin == "manifest" for o in others)}
    return AuditReport(not problems, chain.count, tuple(problems), tuple(notes), protected, counts,
                       read.lines[-1].checkpoint if read.lines else None)


class _Walk:
    """One pass over the raw rows: the Merkle root at each wanted size, the replay, the first key event."""

    def __init__(self, sizes: set[int]) -> None:
        self.sizes = sizes
        self.roots: dict[int, str] = {}
        self.frontier = Frontier()
        self.replay = Replay()
        self.keys_seq: int | None = None

    def rows(self, rows: Iterator[tuple[int, str, str, str]]) -> Iterator[tuple[int, Any, str, str]]:
        if 0 in self.sizes:
            self.roots[0] = self.frontier.root()
        for seq, record, prev_hash, digest in rows:
            try:
                event = json.loads(record)
            except ValueError:
                event = record  # not JSON at all: its hash fails, and verify says the entry was edited
            self.replay.feed(seq, event)
            if self.keys_seq is None and isinstance(event, dict) and event.get("kind") in KEY_EVENTS:
                self.keys_seq = seq
            # The tree is over the entries as they sit, in order; a gap or an edit shows as another root.
            self.frontier.append(bytes.fromhex(digest) if _is_hex(digest) else digest.encode())
            if self.frontier.size in self.sizes:
                self.roots[self.frontier.size] = self.frontier.root()
            yield seq, event, prev_hash, digest


def _file_problems(read: FileRead, forged: dict[int, str]) -> tuple[list[str], list[str]]:
    """Each line must parse, chain to the one before, not shrink, and carry a good signature once signing began."""
    problems = [f"{FILE} line {n} is not a checkpoint (edited or corrupted)" for n in read.unreadable]
    notes = [f"{FILE}: an interrupted write left an incomplete last line (ignored; the next checkpoint "
             "repairs it)"] if read.torn else []
    before: Checkpoint | None = None
    signing = False
    for line in read.lines:
        cp, where = line.checkpoint, f"{FILE} line {line.number}"
        if before is not None and cp.prev != before.id:
            problems.append(f"{where} does not follow the line before it (a line was removed, inserted or edited)")
        if before is not None and cp.tree_size < before.tree_size:
            problems.append(f"{where} covers {cp.tree_size} entries, fewer than the line before ({before.tree_size})")
        if cp.signature is not None:
            signing = True
            if why := forged.get(line.number):
                problems.append(f"{where}: the checkpoint of {cp.tree_size} entries: {why}")
        elif signing:
            problems.append(f"{where} is unsigned after signed lines (written without the studio key)")
        before = cp
    return problems, notes


def _merkle_problems(trusted: Sequence[Sourced], walk: _Walk, count: int) -> list[str]:
    """A checkpoint larger than the ledger (truncation), or whose root is not the ledger's (rewrite).

    The file's lines are summarised (many lines fail together after one attack); other sources one by one.
    """
    problems: list[str] = []
    for origin in ("file", "given", "manifest"):
        group = [s for s in trusted if s.origin == origin]
        beyond = [s for s in group if s.checkpoint.tree_size > count]
        rewritten = [s for s in group if s.checkpoint.tree_size <= count
                     and walk.roots.get(s.checkpoint.tree_size) != s.checkpoint.root_hash]
        if origin == "file":
            beyond, rewritten = beyond[-1:], rewritten[:1]  # the largest truncation, the earliest rewrite
        for s in beyond:
            cp = s.checkpoint
            problems.append(f"{s.source}: the checkpoint of {cp.tree_size} entries signed {cp.when}, but the ledger "
                            f"holds {count}: {_entries(count + 1, cp.tree_size)} removed")
        for s in rewritten:
            cp = s.checkpoint
            problems.append(f"{s.source}: the checkpoint of {cp.tree_size} entries signed {cp.when} does not match "
                            f"the ledger's first {cp.tree_size} entries (Merkle root differs): an entry at or before "
                            f"{cp.tree_size} was rewritten")
    return problems


def _missing_from_file(others: Sequence[Sourced], read: FileRead, trusted: Sequence[Sourced],
                       restarted: int | None) -> list[str]:
    """A good checkpoint held elsewhere must also be in the file: if not, lines were cut from the file.

    After a restart the file holds nothing from before it: older checkpoints are checked against the
    ledger's Merkle roots only (``_merkle_problems``).
    """
    ids = {line.checkpoint.id for line in read.lines}
    good = {id(s) for s in trusted}
    return [f"{s.source}: its checkpoint of {s.checkpoint.tree_size} entries signed {s.checkpoint.when} is not in "
            f"{FILE}: lines were removed from the file" for s in others if id(s) in good and s.checkpoint.id not in ids
            and (restarted is None or s.checkpoint.tree_size >= restarted)]


def _start_problems(first: Checkpoint | None, seal: Seal | None, keys_seq: int | None, has_file: bool) -> list[str]:
    """Checkpoints must run from the key's own entry: a keyed ledger without them lost them, or was re-signed."""
    if keys_seq is not None and seal is None:
        return [f"ledger entry {keys_seq} records the studio's signing key, but keys/ holds none (deleted?): no "
                f"checkpoint since entry {keys_seq} can be checked, and the history since then is unprotected"]
    if keys_seq is not None and first is None:
        return [f"ledger entry {keys_seq} records the studio's signing key, but {FILE} holds no signed checkpoint "
                f"(missing or emptied): the checkpoints since entry {keys_seq} were deleted; if they were lost, "
                "`greenlight ledger restart-checkpoints --reason ...` starts a new file on the record"]
    if seal is not None and first is None and not has_file:
        return [f"the checkpoints file {FILE} is missing or empty although the studio has a signing key (deleted?); "
                "`greenlight ledger restart-checkpoints --reason ...` starts a new file on the record"]
    if first is not None and first.restarted_at is None and keys_seq is not None and first.tree_size > keys_seq:
        return [f"{FILE}: its first signed checkpoint covers {first.tree_size} entries, but ledger entry {keys_seq} "
                "records the studio key, where the first one is signed: the file was deleted and signed again over "
                "a history no checkpoint vouches for"]
    return []


def _restart_problems(restarted: int, outside: Sequence[Sourced], accept: int | None, notes: list[str]) -> list[str]:
    """A restarted file vouches for nothing before it: a checkpoint kept outside must, or the operator says so."""
    if any(s.checkpoint.tree_size >= restarted - 1 for s in outside):
        notes.append(f"{FILE} was restarted at entry {restarted}; a checkpoint kept outside vouches for the "
                     "entries before it")
        return []
    if accept == restarted:
        notes.append(f"{FILE} was restarted at entry {restarted} (acknowledged): entries 1 to {restarted - 1} are "
                     "NOT protected by any checkpoint")
        return []
    return [f"{FILE} was restarted at ledger entry {restarted} (`ledger restart-checkpoints`): no checkpoint in the "
            f"studio vouches for entries 1 to {restarted - 1}; give one kept outside (`--checkpoint FILE`) or "
            f"acknowledge it with `--accept-restart {restarted}`"]


def _unsealed_after(session: Session, trusted: Sequence[Sourced], seal: Seal | None) -> list[str]:
    """An entry after the newest trusted checkpoint that the studio key did not seal (appended without it)."""
    newest = max((s.checkpoint.tree_size for s in trusted if s.checkpoint.signature is not None), default=None)
    if seal is None or newest is None:
        return []
    unsealed = Ledger(session).first_unsealed(newest, seal)
    if unsealed is None:
        return []
    return [f"entry {unsealed} is not sealed by the studio key, and no checkpoint covers it "
            "(written outside Greenlight)"]


def _unsigned_after_keys(read: FileRead, keys_seq: int | None) -> list[str]:
    if keys_seq is None:
        return []
    return [f"{FILE} line {line.number} covers entry {keys_seq} (the studio key was made) yet is unsigned"
            for line in read.lines if line.checkpoint.signature is None and line.checkpoint.tree_size >= keys_seq][:1]


def _protection_notes(seal: Seal | None, signed: int, read: FileRead, count: int) -> list[str]:
    if seal is None:
        return ["NOT protected against rewriting: the studio has no signing key, so its checkpoints are unsigned "
                "and whoever can write the database and the studio folder can rewrite history unnoticed; "
                "run `greenlight keys init` (or `keys import`) to sign them"]
    if not signed:
        return ["NOT protected against rewriting yet: no checkpoint is signed; the next command that changes "
                "something signs one (or run `greenlight ledger checkpoint`)"]
    latest = read.lines[-1].checkpoint
    notes = []
    if latest.tree_size < count:
        notes.append(f"the latest checkpoint covers {latest.tree_size} of {count} entries: entries after it are "
                     "protected once the next checkpoint is signed")
    return notes


def _entries(first: int, last: int) -> str:
    return f"entry {first} was" if first == last else f"entries {first} to {last} were"


def _is_hex(text: str) -> bool:
    return len(text) == 64 and all(c in "0123456789abcdef" for c in text)
