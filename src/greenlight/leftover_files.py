"""Temporary files a killed writer left beside its target, found and removed by the next write.

A writer holds an ``flock`` on its temporary file while it writes; a SIGKILL releases the lock but leaves
the file. So a temporary file that can be locked belongs to no live writer and can go.
"""

from __future__ import annotations

import contextlib
import fcntl
import glob
import os
from pathlib import Path


def hold(fd: int) -> None:
    """Mark the temporary file open on ``fd`` as being written (until ``fd`` is closed)."""
    fcntl.flock(fd, fcntl.LOCK_EX)


def sweep_abandoned(folder: Path, prefix: str, suffix: str) -> None:
    """Remove the files ``prefix*suffix`` in ``folder`` that no live writer holds."""
    for candidate in folder.glob(f"{glob.escape(prefix)}*{glob.escape(suffix)}"):
        with contextlib.suppress(OSError):
            fd = os.open(candidate, os.O_RDONLY)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                candidate.unlink()
            finally:
                os.close(fd)
