"""Files a live process has written and the database does not record yet, listed so that what a killed
process left can be told from work in progress.

A writer names each such file in an in-flight list of its own: a file in the studio's ``work/.inflight``
that it keeps locked (``flock``, as a temporary file is held while it is written) until it lets go. The
lock dies with the process, SIGKILL included, so a list nobody holds belongs to a writer that let go or
died: the next start removes what it names that no row records (``runtime.leftovers``). Naming and storing
a file, and that sweep, exclude each other through a lock on the folder, so a file is never removed between
a live writer naming it and its row being committed.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from greenlight.leftover_files import hold

FOLDER = ".inflight"
"""The lists' folder, in the studio's ``work/``."""


def folder_of(home: Path) -> Path:
    """Where the in-flight lists of the studio at ``home`` are kept."""
    return Path(home) / "work" / FOLDER


class InFlightList:
    """One writer's list of ``kind`` (``store``: sha256 of files put in the asset store; ``export``: temporary
    deliverables), held until ``release`` or ``drop``. Make it holding the folder's lock (see ``start``)."""

    def __init__(self, folder: Path, kind: str) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=folder, prefix=f"{kind}-", suffix=".list")
        hold(fd)
        self.path = Path(name)
        self._out = os.fdopen(fd, "a", encoding="utf-8")

    def add(self, entry: str) -> None:
        """Name ``entry``, on disk before the file it names is written."""
        self._out.write(f"{entry}\n")
        self._out.flush()
        os.fsync(self._out.fileno())

    def release(self) -> None:
        """Let go: what the list names is recorded or given up, and the next sweep removes whatever is not."""
        self._out.close()

    def drop(self) -> None:
        """Let go and remove the list: nothing it names can be left behind (its writer cleaned up itself)."""
        self.path.unlink(missing_ok=True)
        self._out.close()


def start(folder: Path, kind: str) -> InFlightList:
    """A new list of ``kind`` in ``folder``, held by this writer (made under the folder's lock, so that a
    sweep never finds it before it is held)."""
    with locked(folder):
        return InFlightList(folder, kind)


@contextlib.contextmanager
def locked(folder: Path, exclusive: bool = False) -> Iterator[None]:
    """Hold the lists' folder: shared by writers naming and writing files, exclusive for the sweep."""
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        yield
    finally:
        os.close(fd)  # closing releases the lock


@dataclass(frozen=True)
class Lists:
    """The lists in the folder: what live writers name, and the lists nobody holds any more."""

    held: dict[str, set[str]]
    let_go: dict[Path, tuple[str, list[str]]]

    def names(self, kind: str) -> set[str]:
        """Everything the let-go lists of ``kind`` name."""
        return {e for k, entries in self.let_go.values() if k == kind for e in entries}


def read(folder: Path) -> Lists:
    """The lists in ``folder``, each found held or let go (call it holding the folder exclusively)."""
    held: dict[str, set[str]] = {}
    let_go: dict[Path, tuple[str, list[str]]] = {}
    for path in sorted(folder.glob("*.list")) if folder.is_dir() else []:
        kind = path.name.partition("-")[0]
        with contextlib.suppress(OSError):
            fd = os.open(path, os.O_RDONLY)
            try:
                entries = path.read_text(encoding="utf-8", errors="replace").splitlines()
                if _taken(fd):
                    let_go[path] = (kind, entries)
                else:
                    held.setdefault(kind, set()).update(entries)
            finally:
                os.close(fd)
    return Lists(held, let_go)


def remove_unheld(path: Path) -> bool:
    """Remove the file at ``path`` unless a live writer holds it (as ``atomic_output`` holds its temporary)."""
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            if _taken(fd):
                path.unlink()
                return True
        finally:
            os.close(fd)
    return False


def _taken(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True
