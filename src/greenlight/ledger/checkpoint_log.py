"""The checkpoints file: ``<studio>/ledger/checkpoints.jsonl``, append-only, one signed checkpoint a line.

Lines are appended under an exclusive file lock and fsynced, each chaining to the line before it
(``prev``). Each line also carries the tree's ``frontier`` (the roots of its perfect subtrees), which
the signed root authenticates, so the next checkpoint is made from the new entries alone.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from greenlight.domain import canonical_json
from greenlight.errors import GreenlightError
from greenlight.ledger.chain import GENESIS, entry_hash
from greenlight.ledger.checkpoint import Checkpoint, Seal, signature_problem
from greenlight.ledger.merkle import Frontier
from greenlight.store.tables import HEAD_ID, ledger_entries, ledger_head

log = logging.getLogger(__name__)

KEY_EVENTS = ("keys.created", "keys.imported")  # from these entries on, the ledger's head is signed
RESTART_EVENT = "checkpoints.restarted"  # `greenlight ledger restart-checkpoints`: the old file was lost
KEYS, RESTART = "keys", "restart"  # what may begin a file over a keyed ledger (``CheckpointLog.update``'s begin)

_TAIL = 1 << 16  # bytes read back from the end of the file to find its last line


@dataclass(frozen=True)
class FileLine:
    """One line of the checkpoints file, as read: its number, the checkpoint, and the frontier it carries."""

    number: int
    checkpoint: Checkpoint
    frontier: tuple[str, ...]


@dataclass(frozen=True)
class FileRead:
    """The whole checkpoints file: its good lines, unreadable lines, and whether the last line is torn."""

    lines: tuple[FileLine, ...]
    unreadable: tuple[int, ...] = ()
    torn: bool = False
    exists: bool = True


class CheckpointRefused(Exception):
    """A checkpoint was not written because the ledger or the file does not continue the last one."""


class CheckpointLog:
    """The append-only checkpoints file at ``path``; ``seal`` gives the studio key (None without keys)."""

    def __init__(self, path: Path, seal: Callable[[], Seal | None]) -> None:
        self.path = Path(path)
        self._seal = seal

    def seal(self) -> Seal | None:
        """The studio key now (a studio may get keys after it was opened)."""
        return self._seal()

    def read(self) -> FileRead:
        """Every line of the file. A last line without its newline is an interrupted write (``torn``)."""
        if not self.path.is_file():
            return FileRead((), exists=False)
        raw = self.path.read_bytes()
        torn = bool(raw) and not raw.endswith(b"\n")
        texts = raw.split(b"\n")[:-1]  # the part after the last newline is empty, or torn
        lines, unreadable = [], []
        for number, text in enumerate(texts, start=1):
            try:
                data = json.loads(text)
                lines.append(FileLine(number, Checkpoint.from_plain(data), tuple(data.get("frontier") or ())))
            except (ValueError, UnicodeDecodeError, AttributeError):
                unreadable.append(number)
        return FileRead(tuple(lines), tuple(unreadable), torn)

    def latest(self) -> Checkpoint | None:
        """The last complete checkpoint in the file, unchecked (cheap: reads only the file's end).

        None when there is none or the last line is not one (``ledger verify`` reports that, not this).
        """
        with contextlib.suppress(FileNotFoundError, ValueError), open(self.path, "rb") as f:
            last = _last_line(f)
            return None if last is None else Checkpoint.from_plain(json.loads(last))
        return None

    def latest_signed(self) -> Checkpoint | None:
        """The last checkpoint in the file if the studio key signed it (what outputs carry), else None."""
        latest = self.latest()
        if latest is None or latest.signature is None:
            return None
        try:
            return None if signature_problem(latest, self.seal()) else latest
        except GreenlightError:
            return None  # the key files cannot be read: the output goes without, verify says why

    def newest_signed(self) -> Checkpoint | None:
        """The file's newest checkpoint, once checked: what the guards hold the ledger to. None without a key.

        Only the last complete line can be it (a torn one after it is a crash, and ignored): it must be signed
        by the studio key and continue the line before it (``prev``). Any other line there (junk, a forgery,
        a copy of an older line, a spoilt signature) would let an older line stand in for it, and an older
        copy of the database match that; so it is refused, not skipped.

        Raises:
            CheckpointRefused: the last line is not a signed checkpoint continuing the one before it.
            GreenlightError: the studio key cannot be read.
        """
        seal = self.seal()
        if seal is None:
            return None
        try:
            f = open(self.path, "rb")  # noqa: SIM115 (closed below)
        except FileNotFoundError:
            return None
        with f:
            texts = _complete_lines(f, whole=False)[-2:]
        if not texts:
            return None
        newest = _signed(texts[-1], seal)
        if newest is None:
            raise CheckpointRefused(f"the last line of {self.path} is not a checkpoint the studio key signed")
        before = _checkpoint(texts[0]) if len(texts) == 2 else None
        if len(texts) == 2 and (before is None or newest.prev != before.id):
            raise CheckpointRefused(f"the last line of {self.path} does not continue the line before it (a copied "
                                    "or moved line)")
        return newest

    def update(self, database, begin: str | None = None) -> Checkpoint | None:
        """Append a signed checkpoint of the ledger head if it moved since the last one; return the latest.

        A ledger that no longer continues the last checkpoint (shorter, or rewritten below it), or a
        last line that is forged, is not signed over: a warning is logged and None returned, and
        ``greenlight ledger verify`` names the fault. Nor is a ledger that records the studio key but whose
        file holds no signed checkpoint (deleted or emptied): that file is started only by the key's own
        command (``begin="keys"``: the first line is signed at the key's entry) or by an explicit, ledgered
        restart (``begin="restart"``). A file that cannot be written is logged the same way.
        """
        try:
            return self._update(database, begin)
        except (CheckpointRefused, OSError, GreenlightError, SQLAlchemyError) as exc:
            # The command's own transaction has committed: say why it is not yet covered, do not fail it.
            log.warning("ledger checkpoint not written: %s; run `greenlight ledger verify`", exc)
            return None

    def update_or_raise(self, database) -> Checkpoint | None:
        """``update``, but a refusal raises ``CheckpointRefused`` saying why (for `greenlight ledger checkpoint`)."""
        return self._update(database, None)

    def _update(self, database, begin: str | None) -> Checkpoint | None:
        seal = self.seal()
        with self._locked() as f:
            last, frontier = self._continue_from(f, seal)
            with database.session() as session:
                head = session.execute(
                    select(ledger_head.c.count, ledger_head.c.last_hash).where(ledger_head.c.id == HEAD_ID)
                    .with_for_update(read=True)).one_or_none()
                if head is None:
                    raise CheckpointRefused("the ledger head row is missing")
                same = last is not None and (head.count, head.last_hash) == (last.tree_size, last.last_hash)
                if same and (last.signature is not None or seal is None):
                    return last  # nothing new (an unsigned one is signed over once the studio has a key)
                if last is not None and last.signature is not None and seal is not None:
                    _refuse_unsealed(session, last.tree_size, seal)
                anchor = None
                if last is None or last.signature is None:
                    anchor = _first_signed(session, last, begin, seal, self.path)
                written = _new_lines(session, frontier, last, head, anchor, begin == RESTART, seal)
            for checkpoint, line_frontier in written:
                line = canonical_json({**checkpoint.to_plain(), "frontier": line_frontier}) + "\n"
                f.write(line.encode("utf-8"))
            f.flush()
            os.fsync(f.fileno())
            return written[-1][0]

    @contextlib.contextmanager
    def _locked(self) -> Iterator[BinaryIO]:
        created = not self.path.exists()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a+b") as f:
            fcntl.flock(f, fcntl.LOCK_EX)  # one writer at a time, across processes and threads
            if created:
                _fsync_folder(self.path.parent)
            yield f

    def _continue_from(self, f: BinaryIO, seal: Seal | None) -> tuple[Checkpoint | None, Frontier]:
        """The last checkpoint and its frontier, checked; a torn last line (a crash) is cut off first."""
        f.seek(0, os.SEEK_END)
        end = f.tell()
        last = _last_line(f)
        if end and last is None and end > _TAIL:
            raise CheckpointRefused(f"{self.path} does not end in a checkpoint line")
        cut = _complete_length(f)
        if cut != end:
            f.truncate(cut)  # an interrupted append: nothing signed is lost, and the next line starts clean
        if last is None:
            if cut:
                raise CheckpointRefused(f"the last line of {self.path} is not a checkpoint")
            return None, Frontier()
        try:
            data = json.loads(last)
            checkpoint = Checkpoint.from_plain(data)
            frontier = Frontier.from_hex(checkpoint.tree_size, data.get("frontier") or ())
        except (ValueError, TypeError) as exc:
            raise CheckpointRefused(f"the last line of {self.path} is not a checkpoint ({exc})") from None
        if frontier.root() != checkpoint.root_hash:
            raise CheckpointRefused(f"the last line of {self.path} carries a frontier that does not give its root")
        if checkpoint.signature is not None and (why := signature_problem(checkpoint, seal)):
            raise CheckpointRefused(f"the last checkpoint in {self.path}: {why}")
        return checkpoint, frontier


def _refuse_unsealed(session, after: int, seal: Seal) -> None:
    """Refuse to sign over an entry appended since the last signed checkpoint without the studio key's seal."""
    from greenlight.ledger.log import Ledger

    unsealed = Ledger(session).first_unsealed(after, seal)
    if unsealed is not None:
        raise CheckpointRefused(f"ledger entry {unsealed} is not sealed by the studio key (written outside "
                                "Greenlight): the studio does not sign over it")


def _first_signed(session, last: Checkpoint | None, begin: str | None, seal: Seal | None, path: Path) -> int | None:
    """The entry the first signed line must cover exactly, or None to sign the head; raises when none may be signed.

    A ledger with a key event (``keys.created``/``keys.imported``) but no signed line in the file lost its
    checkpoints: signing its head now would vouch for whatever the database holds, rewritten or not.
    """
    from greenlight.ledger.log import Ledger

    try:
        Ledger(session).check_index()  # the key and restart events are found by their kind column
    except GreenlightError as e:
        raise CheckpointRefused(str(e)) from None
    if begin == RESTART:
        restart = session.execute(select(func.max(ledger_entries.c.seq))
                                  .where(ledger_entries.c.kind == RESTART_EVENT)).scalar()
        if last is not None or restart is None:
            raise CheckpointRefused(f"a restart begins a new file, but {path} is not empty")
        return int(restart)
    keys = list(session.execute(select(ledger_entries.c.seq).where(ledger_entries.c.kind.in_(KEY_EVENTS))
                                .order_by(ledger_entries.c.seq).limit(2)).scalars())
    if not keys:
        return None  # no key yet: unsigned lines; signing starts with the key's own command
    if begin == KEYS and len(keys) == 1:
        return int(keys[0])
    if seal is None:
        raise CheckpointRefused(f"ledger entry {keys[0]} records the studio's signing key, but the studio has no "
                                "key now (keys/ deleted?): no unsigned checkpoint is written over a signed history")
    raise CheckpointRefused(f"ledger entry {keys[0]} records the studio's signing key, but {path} holds no signed "
                            "checkpoint (deleted or emptied?): the studio does not sign over history its checkpoints "
                            "no longer vouch for")


def _new_lines(session, frontier: Frontier, last: Checkpoint | None, head, anchor: int | None, restart: bool,
               seal: Seal | None) -> list[tuple[Checkpoint, list[str]]]:
    """The checkpoints to append: one at ``anchor`` first when it is set (and beyond the last line), then the head."""
    lines: list[tuple[Checkpoint, list[str]]] = []
    prev, last_hash = (last.id, last.last_hash) if last else (GENESIS, GENESIS)
    now = int(time.time() * 1000)
    if anchor is not None and anchor > frontier.size:
        last_hash = _extend(session, frontier, last_hash, head, upto=anchor)
        first = Checkpoint(frontier.size, frontier.root(), last_hash, now, prev,
                           restarted_at=anchor if restart else None).sealed(seal)
        lines.append((first, frontier.to_hex()))
        prev = first.id
    if not lines or frontier.size < head.count:
        last_hash = _extend(session, frontier, last_hash, head)
        lines.append((Checkpoint(frontier.size, frontier.root(), last_hash, now, prev).sealed(seal),
                      frontier.to_hex()))
    return lines


def _extend(session, frontier: Frontier, last_hash: str, head, upto: int | None = None) -> str:
    """Add the entries after ``frontier.size`` (to ``upto``, else the head) to it, checking each hash and link.

    Returns the last hash.
    """
    if head.count < frontier.size or (upto is not None and head.count < upto):
        raise CheckpointRefused(f"the ledger holds {head.count} entries, fewer than the last checkpoint's "
                                f"{frontier.size}")
    columns = (ledger_entries.c.seq, ledger_entries.c.record, ledger_entries.c.prev_hash, ledger_entries.c.hash)
    newer = select(*columns).where(ledger_entries.c.seq > frontier.size).order_by(ledger_entries.c.seq)
    if upto is not None:
        newer = newer.where(ledger_entries.c.seq <= upto)
    for seq, record, prev_hash, digest in session.execute(newer):
        linked = seq == frontier.size + 1 and prev_hash == last_hash
        if not linked or entry_hash(seq, json.loads(record), prev_hash) != digest:
            raise CheckpointRefused(f"ledger entry {seq} does not continue the last checkpoint")
        frontier.append(bytes.fromhex(digest))
        last_hash = digest
    if upto is not None:
        if frontier.size != upto:
            raise CheckpointRefused(f"ledger entry {frontier.size + 1} is missing")
        return last_hash
    if (frontier.size, last_hash) != (head.count, head.last_hash):
        raise CheckpointRefused("the ledger head does not match its last entry")
    return last_hash


def _last_line(f: BinaryIO) -> bytes | None:
    """The last newline-terminated line of ``f`` (without its newline), or None."""
    f.seek(0, os.SEEK_END)
    end = f.tell()
    start = max(0, end - _TAIL)
    f.seek(start)
    tail = f.read()
    complete = tail[: tail.rfind(b"\n") + 1]
    if not complete:
        return None
    lines = complete[:-1].split(b"\n")
    if len(lines) == 1 and start > 0:
        return None  # the line is longer than the tail read: not a line this module wrote
    return lines[-1]


def _complete_lines(f: BinaryIO, whole: bool) -> list[bytes]:
    """The newline-terminated lines of ``f`` (its last ``_TAIL`` bytes' only, unless ``whole``)."""
    f.seek(0, os.SEEK_END)
    start = 0 if whole else max(0, f.tell() - _TAIL)
    f.seek(start)
    lines = f.read().split(b"\n")[:-1]
    return lines[1:] if start > 0 else lines  # the first may be cut by the tail's start


def _signed(text: bytes, seal: Seal) -> Checkpoint | None:
    """The checkpoint on this line if the studio key signed it, else None."""
    checkpoint = _checkpoint(text)
    if checkpoint is None or checkpoint.signature is None:
        return None
    return None if signature_problem(checkpoint, seal) else checkpoint


def _checkpoint(text: bytes) -> Checkpoint | None:
    try:
        return Checkpoint.from_plain(json.loads(text))
    except (ValueError, TypeError, AttributeError, KeyError):
        return None


def _complete_length(f: BinaryIO) -> int:
    """The length of ``f`` up to and including its last newline."""
    f.seek(0, os.SEEK_END)
    end = f.tell()
    start = max(0, end - _TAIL)
    f.seek(start)
    tail = f.read()
    return start + tail.rfind(b"\n") + 1 if b"\n" in tail else 0


def _fsync_folder(folder: Path) -> None:
    # A new file's name is durable only once its folder is synced.
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
