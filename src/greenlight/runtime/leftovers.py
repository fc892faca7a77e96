"""What a process killed mid-write leaves behind, swept away the next time the studio is opened.

Jobs write only in their own scratch folder, ``work/<job id>``, and the asset store writes through
temporary files in ``assets/.incoming`` that it renames into place. A SIGKILL or a power cut skips every ``finally``, so
those can survive a crash. They are removed here, but never under a live executor: a job's scratch
folder is kept while some executor holds its lease, and a store temporary file until it is older
than any lease could be.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from greenlight.store import leases
from greenlight.store.assets import INCOMING

STALE_SECONDS = 3600.0
"""Age after which a temporary file in the asset store cannot belong to a writer still running."""


def sweep(home: Path, database) -> list[Path]:
    """Remove crash leftovers from the studio at ``home``; returns what was removed."""
    removed = _stale_scratch(home / "work", database) + _stale_temporaries(home / "assets" / INCOMING)
    for path in removed:
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    return removed


def _stale_scratch(work: Path, database) -> list[Path]:
    if not work.is_dir():
        return []
    entries = list(work.iterdir())
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
