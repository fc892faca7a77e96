"""What a process killed mid-write leaves behind, swept away the next time the studio is opened.

Jobs write only in their own scratch folder, ``work/<job id>``, and the asset store writes through
temporary files in ``assets/.incoming`` that it renames into place. A SIGKILL or a power cut skips every ``finally``, so
those can survive a crash. They are removed here, but never under a live executor: a job's scratch
folder is kept while some executor holds its lease, and a store temporary file until it is older
than any lease could be.

A finished file can be left too: one stored, or copied beside a deliverable, by a process killed before
the database recorded it. Its writer had named it in an in-flight list (``store.inflight``); a list
its writer no longer holds names what is removed here, unless a row records it or a live writer lists it.
A file a row records (a quarantined output included) is never removed.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from sqlalchemy import or_, select

from greenlight.store import inflight, leases, tables
from greenlight.store.assets import INCOMING, AssetStore

STALE_SECONDS = 3600.0
"""Age after which a temporary file in the asset store cannot belong to a writer still running."""

_BATCH = 500  # rows asked about at once (SQLite takes at most 999 parameters)


def sweep(home: Path, database) -> list[Path]:
    """Remove crash leftovers from the studio at ``home``; returns what was removed."""
    removed = _stale_scratch(home / "work", database) + _stale_temporaries(home / "assets" / INCOMING)
    for path in removed:
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    return removed + _unrecorded(home, database)


def _stale_scratch(work: Path, database) -> list[Path]:
    if not work.is_dir():
        return []
    entries = [p for p in work.iterdir() if p.name != inflight.FOLDER]
    if not entries:
        return []
    with database.session() as session:
        running = leases.held(session, time.time())
    return [p for p in entries if p.name not in running]


def _stale_temporaries(incoming: Path) -> list[Path]:
    if not incoming.is_dir():
        return []
    cutoff = time.time() - STALE_SECONDS
    return [p for p in incoming.iterdir() if _mtime(p) < cutoff]


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return float("inf")


def _unrecorded(home: Path, database) -> list[Path]:
    """The files that writers which let go, or died, had listed and no row records: removed, with their lists."""
    folder = inflight.folder_of(home)
    if not inflight.read(folder).let_go:  # most starts: no need to wait for a live writer's copy to finish
        return []
    with inflight.locked(folder, exclusive=True):  # no writer names or stores a file meanwhile
        lists = inflight.read(folder)
        if not lists.let_go:
            return []
        removed = _unrecorded_stored(home, database, lists) + _abandoned_exports(lists)
        for path in lists.let_go:
            path.unlink(missing_ok=True)
    return removed


def _unrecorded_stored(home: Path, database, lists: inflight.Lists) -> list[Path]:
    store = AssetStore(home / "assets")
    listed = lists.names("store") - lists.held.get("store", set())
    found = {d: p for d in listed if (p := _stored(store, d)) is not None}
    recorded = _recorded(home, database, found)
    removed = []
    for digest, path in found.items():
        if digest in recorded:
            continue
        for leftover in (path, store.sidecar_for(digest)):
            if leftover is not None:
                leftover.unlink(missing_ok=True)
                removed.append(leftover)
    return removed


def _stored(store: AssetStore, digest: str) -> Path | None:
    from greenlight.errors import InvalidInput, NotFound

    try:
        return store.path_for(digest)
    except (InvalidInput, NotFound):  # a line no writer wrote whole, or a file already gone
        return None


def _recorded(home: Path, database, found: dict[str, Path]) -> set[str]:
    """The digests in ``found`` that an asset row records, by hash or by the path of the file."""
    assets, digests = tables.assets, list(found)
    paths = {p.relative_to(home).as_posix(): d for d, p in found.items()}
    recorded: set[str] = set()
    with database.session() as session:
        for i in range(0, len(digests), _BATCH):
            batch = digests[i:i + _BATCH]
            batch_paths = [p for p, d in paths.items() if d in set(batch)]
            rows = session.execute(select(assets.c.sha256, assets.c.path).where(
                or_(assets.c.sha256.in_(batch), assets.c.path.in_(batch_paths))))
            for sha256, path in rows:
                recorded |= {sha256, paths.get(path, sha256)}
    return recorded


def _abandoned_exports(lists: inflight.Lists) -> list[Path]:
    """Copies an export made beside its deliverables under temporary names and never renamed into place."""
    temporaries = [Path(p) for p in lists.names("export") - lists.held.get("export", set())]
    return [p for p in temporaries
            if p.is_absolute() and p.name.startswith(".") and ".tmp" in p.name and inflight.remove_unheld(p)]
